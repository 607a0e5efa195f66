using System.Globalization;

namespace GmaiBench.Release;

/// <summary>A public row as an evaluator sees it: its tag columns and its options in letter order.</summary>
public sealed record PublicRow(long Index, IReadOnlyDictionary<string, string> Columns, IReadOnlyList<string> Options);

/// <summary>
/// Plays a cheating evaluator against the public TEST files, one column at a time, on single-answer items: (1) choose the
/// option whose text the column names or contains; (2) choose the option most often the answer among public VAL items
/// with the same value in that column. Ties and no-information cases are scored as a uniform guess among the tied options,
/// so a column that says nothing scores chance. A strategy more than <see cref="Margin"/> above its baseline is a leak:
/// for (1) chance; for (2) the better of chance and the same strategy without the column (the option most often right in
/// all of VAL). That answer-frequency prior belongs to the item set, not to a column: the shortcut audit reports it, and a
/// column leaks only when knowing its value adds to it (a per-label department does, by 30 points on the demo).
/// </summary>
public static class LeakAudit
{
    /// <summary>How far above chance a strategy may get before the column counts as leaking the answer.</summary>
    public const double Margin = 0.05;

    /// <summary>Columns an evaluator needs to answer at all; they are the question, not a tag.</summary>
    private static readonly HashSet<string> Content = new(StringComparer.Ordinal) { "index", "question", "A", "B", "C", "D", "E", "image", "image_path" };

    /// <summary>One problem per (column, strategy) above chance + margin; empty when no column leaks.</summary>
    /// <param name="val">Public VAL rows with their answer letter.</param>
    /// <param name="test">Public TEST rows.</param>
    /// <param name="key">TEST answers (letters) from the private key.</param>
    public static List<string> Run(IReadOnlyList<(PublicRow Row, string Answer)> val, IReadOnlyList<PublicRow> test, IReadOnlyDictionary<long, string> key)
    {
        var problems = new List<string>();
        var single = test.Where(r => key.TryGetValue(r.Index, out var a) && !a.Contains(',')).ToList();
        if (single.Count == 0) return problems;
        var chance = single.Average(r => 1.0 / r.Options.Count(o => o.Length > 0));
        // The column-free prior: the option most often right in all of VAL.
        var everywhere = val.Where(v => !v.Answer.Contains(',')).GroupBy(v => v.Row.Options[v.Answer[0] - 'A']).ToDictionary(x => x.Key, x => x.Count());
        var overall = single.Average(r => Credit(r, key[r.Index], MostOften(r, everywhere)));
        var columns = single.SelectMany(r => r.Columns.Keys).Where(c => !Content.Contains(c)).Distinct().Order(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            var named = single.Average(r => Credit(r, key[r.Index], Named(r, column)));
            // In VAL: how often each option text was the answer, per value of the column.
            var counts = val.Where(v => !v.Answer.Contains(',') && v.Row.Columns.ContainsKey(column))
                .GroupBy(v => v.Row.Columns[column])
                .ToDictionary(g => g.Key, g => g.GroupBy(v => v.Row.Options[v.Answer[0] - 'A']).ToDictionary(x => x.Key, x => x.Count()));
            var prior = single.Average(r => Credit(r, key[r.Index], MostOften(r, r.Columns.TryGetValue(column, out var value) ? counts.GetValueOrDefault(value) : null)));
            if (named > chance + Margin)
                problems.Add(Describe(column, "the option its value names", named, "chance", chance, single.Count));
            if (prior > Math.Max(chance, overall) + Margin)
                problems.Add(Describe(column, "the option most often right in VAL for its value", prior,
                    overall > chance ? "the same choice without the column" : "chance", Math.Max(chance, overall), single.Count));
        }
        return problems;
    }

    private static string Describe(string column, string strategy, double accuracy, string baselineName, double baseline, int n) =>
        string.Create(CultureInfo.InvariantCulture,
            $"TEST column '{column}' leaks the answer: choosing {strategy} scores {accuracy * 100:0.0}% on {n} single-answer items, {baselineName} scores {baseline * 100:0.0}%");

    /// <summary>Option positions whose text the column's value names or contains.</summary>
    private static List<int> Named(PublicRow r, string column)
    {
        var value = r.Columns.GetValueOrDefault(column, "");
        if (value.Length == 0) return [];
        return Enumerable.Range(0, r.Options.Count)
            .Where(i => r.Options[i].Length > 0 && value.Contains(r.Options[i], StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    /// <summary>Option positions whose text was the answer most often in <paramref name="c"/> (VAL answer counts); none without counts.</summary>
    private static List<int> MostOften(PublicRow r, Dictionary<string, int>? c)
    {
        if (c is null) return [];
        var scores = Enumerable.Range(0, r.Options.Count).Where(i => r.Options[i].Length > 0).Select(i => (i, n: c.GetValueOrDefault(r.Options[i]))).ToList();
        var best = scores.Max(s => s.n);
        return best == 0 ? [] : scores.Where(s => s.n == best).Select(s => s.i).ToList();
    }

    /// <summary>Expected credit of guessing uniformly among <paramref name="picks"/> (all options when none).</summary>
    private static double Credit(PublicRow r, string answer, List<int> picks)
    {
        var options = Enumerable.Range(0, r.Options.Count).Where(i => r.Options[i].Length > 0).ToList();
        if (picks.Count == 0) picks = options;
        return picks.Contains(answer[0] - 'A') ? 1.0 / picks.Count : 0;
    }
}

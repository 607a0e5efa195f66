using System.Globalization;
using System.Text;

namespace GmaiBench.Scoring;

/// <summary>Accuracy on a set of items with its 95 % Wilson score interval.</summary>
public sealed record Accuracy(int Items, double Correct, double Value, double Low, double High)
{
    public static Accuracy Of(int n, double correct)
    {
        if (n == 0) return new Accuracy(0, 0, 0, 0, 0);
        // Wilson score interval, z = 1.96 (Wilson 1927): well-behaved near 0 and 1 and for small n.
        const double z = 1.96;
        var p = correct / n;
        var denominator = 1 + z * z / n;
        var centre = (p + z * z / (2 * n)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return new Accuracy(n, correct, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}

/// <summary>The result of scoring one predictions file against a release.</summary>
public sealed record ScoreReport
{
    public required string Predictions { get; init; }
    public required string Release { get; init; }
    /// <summary>The files scored: a split, or a split's multi-answer items.</summary>
    public required IReadOnlyList<string> Splits { get; init; }
    /// <summary>Unknown, missing or duplicated indices and unreadable rows: each one named.</summary>
    public required IReadOnlyList<string> Problems { get; init; }
    /// <summary>Single-answer items (VLMEvalKit's exact matching).</summary>
    public required Accuracy Single { get; init; }
    /// <summary>Multi-answer items, exact set match.</summary>
    public required Accuracy MultiExact { get; init; }
    /// <summary>Multi-answer items, partial credit: the Jaccard overlap of predicted and true sets.</summary>
    public required Accuracy MultiPartial { get; init; }
    /// <summary>Single and multi (exact) together.</summary>
    public required Accuracy Overall { get; init; }
    /// <summary>subject -> node -> accuracy (single and multi exact together).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, Accuracy>> ByNode { get; init; }
    /// <summary>Text-only and blind strategies on the same single-answer items: strategy -> accuracy.</summary>
    public required IReadOnlyDictionary<string, double> Baselines { get; init; }
}

/// <summary>
/// Scores predictions against the answer key: the splits scored are those whose items the predictions name; an item of
/// those splits without a prediction counts as wrong and is named, as are predictions for unknown indices and indices
/// given twice. Accuracy overall and per node of the lexical tree, with baselines computed on the same items.
/// </summary>
public static class Scorer
{
    public static ScoreReport Score(string predictionsName, string release, IReadOnlyList<KeyItem> key, IReadOnlyList<Prediction> predictions,
        IReadOnlyList<string> readProblems, bool hasTestAnswers)
    {
        var problems = readProblems.ToList();
        var byIndex = key.ToDictionary(i => i.Index);
        var given = new Dictionary<long, Prediction>();
        foreach (var p in predictions)
        {
            if (!byIndex.ContainsKey(p.Index))
                problems.Add(hasTestAnswers ? $"{p.Where}: index {p.Index} is not an item of this release"
                                            : $"{p.Where}: index {p.Index} is not a VAL item (TEST answers need the release's private/ folder)");
            else if (!given.TryAdd(p.Index, p)) problems.Add($"{p.Where}: index {p.Index} was already predicted at {given[p.Index].Where}");
        }
        // The scored set: every item of each (split, single/multi-answer) file the predictions answer at least once, since
        // VLMEvalKit runs the single- and multi-answer files of a split apart.
        static string FileOf(KeyItem i) => i.Multi ? $"{i.Split} multi-answer" : i.Split;
        var files = given.Keys.Select(i => FileOf(byIndex[i])).Distinct().Order(StringComparer.Ordinal).ToList();
        var splits = files;
        var items = key.Where(i => files.Contains(FileOf(i))).OrderBy(i => i.Index).ToList();
        var missing = items.Where(i => !given.ContainsKey(i.Index)).Select(i => i.Index).ToList();
        if (missing.Count > 0)
            problems.Add($"{missing.Count} item(s) of {string.Join(", ", files)} have no prediction and count as wrong: index {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", ..." : "")}");

        var credit = new Dictionary<long, (double Exact, double Partial)>();
        foreach (var item in items)
        {
            var text = given.TryGetValue(item.Index, out var p) ? p.Text : "";
            if (!item.Multi)
            {
                var letter = AnswerMatching.Single(text, item.Choices);
                var right = letter == item.Answer[0] ? 1.0 : 0.0;
                credit[item.Index] = (right, right);
            }
            else
            {
                var picked = AnswerMatching.Multi(text, item.Choices);
                var union = picked.Union(item.Answer).Count();
                credit[item.Index] = (picked.ToHashSet().SetEquals(item.Answer) ? 1 : 0, union == 0 ? 0 : picked.Intersect(item.Answer).Count() / (double)union);
            }
        }
        Accuracy Of(IEnumerable<KeyItem> set, Func<KeyItem, double> score)
        {
            var list = set.ToList();
            return Accuracy.Of(list.Count, list.Sum(score));
        }
        var single = items.Where(i => !i.Multi).ToList();
        var multi = items.Where(i => i.Multi).ToList();
        var byNode = new SortedDictionary<string, IReadOnlyDictionary<string, Accuracy>>(StringComparer.Ordinal);
        foreach (var subject in AnswerKey.Subjects)
        {
            var nodes = items.Where(i => i.Tags.GetValueOrDefault(subject, "").Length > 0).GroupBy(i => i.Tags[subject]).ToList();
            if (nodes.Count == 0) continue;
            byNode[subject] = new SortedDictionary<string, Accuracy>(nodes.ToDictionary(g => g.Key, g => Of(g, i => credit[i.Index].Exact)), StringComparer.Ordinal);
        }
        return new ScoreReport
        {
            Predictions = predictionsName, Release = release, Splits = splits, Problems = problems,
            Single = Of(single, i => credit[i.Index].Exact),
            MultiExact = Of(multi, i => credit[i.Index].Exact),
            MultiPartial = Of(multi, i => credit[i.Index].Partial),
            Overall = Of(items, i => credit[i.Index].Exact),
            ByNode = byNode,
            Baselines = Baselines(single, key.Where(i => i.Split == "VAL" && !i.Multi).ToList()),
        };
    }

    /// <summary>
    /// Blind strategies on the scored single-answer items: a uniform guess (expected accuracy), always the same letter
    /// (the best one), the longest option, and the option text most often right among VAL items with the same question text.
    /// </summary>
    public static SortedDictionary<string, double> Baselines(IReadOnlyList<KeyItem> items, IReadOnlyList<KeyItem> val)
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (items.Count == 0) return result;
        double Acc(Func<KeyItem, string?> pick) => items.Count(i => pick(i) == i.Answer[0]) / (double)items.Count;
        result["random guess"] = items.Average(i => 1.0 / i.Choices.Count);
        var letters = items.SelectMany(i => i.Choices.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var best = letters.Select(l => (l, a: Acc(_ => l))).OrderByDescending(x => x.a).ThenBy(x => x.l, StringComparer.Ordinal).First();
        result[$"always {best.l}"] = best.a;
        result["longest option"] = Acc(i => i.Choices.OrderByDescending(c => c.Value.Length).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key);
        var correct = val.GroupBy(i => i.Question).ToDictionary(g => g.Key, g => g.GroupBy(i => i.Choices[i.Answer[0]]).ToDictionary(x => x.Key, x => x.Count()));
        var inVal = val.Select(i => i.Index).ToHashSet();
        // Leave one out: a VAL item does not count toward its own guess.
        int Count(KeyItem i, Dictionary<string, int> counts, string option) =>
            counts.GetValueOrDefault(option) - (inVal.Contains(i.Index) && i.Choices[i.Answer[0]] == option ? 1 : 0);
        result["most often right in VAL for the question"] = Acc(i =>
            correct.TryGetValue(i.Question, out var counts)
                ? i.Choices.OrderByDescending(c => Count(i, counts, c.Value)).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key
                : i.Choices.Keys.Order(StringComparer.Ordinal).First());
        return result;
    }

    public static string Markdown(ScoreReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string Row(string name, Accuracy a) => string.Create(ci, $"| {name} | {a.Items} | {a.Value * 100:0.0} % | {a.Low * 100:0.0}-{a.High * 100:0.0} % |\n");
        sb.Append(ci, $"# Score: {r.Predictions}\n\nRelease `{r.Release}`, split(s) {string.Join(", ", r.Splits)}.\n\n");
        if (r.Problems.Count > 0)
        {
            sb.Append("## Problems\n\n");
            foreach (var p in r.Problems) sb.Append(ci, $"- {p}\n");
            sb.Append('\n');
        }
        sb.Append("## Accuracy\n\n| items | n | accuracy | 95 % interval |\n|---|---:|---:|---|\n");
        sb.Append(Row("all (multi-answer by exact set)", r.Overall)).Append(Row("single-answer", r.Single));
        sb.Append(Row("multi-answer, exact set", r.MultiExact)).Append(Row("multi-answer, partial credit (Jaccard)", r.MultiPartial));
        sb.Append("\n## Baselines (same single-answer items)\n\n| strategy | accuracy |\n|---|---:|\n");
        foreach (var (name, value) in r.Baselines) sb.Append(ci, $"| {name} | {value * 100:0.0} % |\n");
        foreach (var (subject, nodes) in r.ByNode)
        {
            sb.Append(ci, $"\n## By {subject}\n\n| {subject} | n | accuracy | 95 % interval |\n|---|---:|---:|---|\n");
            foreach (var (node, a) in nodes) sb.Append(Row(node, a));
        }
        return sb.ToString();
    }
}

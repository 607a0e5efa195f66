using GmaiBench.Curation;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>Items one source gives a composition cell.</summary>
public sealed record SourceShare(string Source, int Items);

/// <summary>
/// One composition target against the build: what it asks, what curation could choose from, what the benchmark holds, and
/// the sources that feed the cell (when <see cref="Short"/> is above 0, these are the sources that fell short of it).
/// </summary>
public sealed record CompositionRow(string Task, string Granularity, int Target, int Candidates, int Achieved, IReadOnlyList<SourceShare> Sources)
{
    public int Short => Math.Max(0, Target - Achieved);
}

/// <summary>Builds the report's composition rows: achieved against target per task x granularity.</summary>
public static class CompositionReport
{
    /// <param name="taskName">Task id -> the name people read.</param>
    public static IReadOnlyList<CompositionRow>? Of(IReadOnlyList<CompositionTarget> targets, IReadOnlyDictionary<CompositionTarget, int> candidates,
        IReadOnlyList<Question> questions, Func<string, string> taskName)
    {
        if (targets.Count == 0) return null;
        var cells = questions.GroupBy(q => CompositionTargets.For(targets, q.Case.Task, q.Case.Granularity)).Where(g => g.Key is not null)
            .ToDictionary(g => g.Key!, g => g.ToList());
        return targets.Select(t =>
        {
            var held = cells.GetValueOrDefault(t) ?? [];
            var sources = held.GroupBy(q => q.Case.SourceId).Select(g => new SourceShare(g.Key, g.Count()))
                .OrderByDescending(s => s.Items).ThenBy(s => s.Source, StringComparer.Ordinal).ToList();
            return new CompositionRow(t.Task is null ? "any" : taskName(t.Task), t.Granularity?.Text() ?? "any", t.Items,
                candidates.GetValueOrDefault(t), held.Count, sources);
        }).ToList();
    }
}

/// <summary>How reports spell a composition row's sources.</summary>
public static class CompositionText
{
    public static string Sources(CompositionRow row) =>
        row.Sources.Count == 0 ? "no source gives items to this cell" : string.Join(", ", row.Sources.Select(s => $"{s.Source} {s.Items}"));
}

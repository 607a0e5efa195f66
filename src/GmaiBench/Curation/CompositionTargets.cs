using GmaiBench.Model;
using GmaiBench.Questions;

namespace GmaiBench.Curation;

/// <summary>
/// A published composition to rebuild: at most <see cref="Items"/> items for a task (null: any task) and granularity
/// (null: any granularity). GMAI-MMBench published its size and its granularity shares, so its targets name granularities.
/// </summary>
public sealed record CompositionTarget(string? Task, Granularity? Granularity, int Items)
{
    /// <summary>Line of the pipeline file that states it (for messages).</summary>
    public int Line { get; init; }

    public string TaskText => Task ?? "*";
    public string GranularityText => Granularity?.Text() ?? "*";

    public bool Covers(string task, Granularity granularity) =>
        (Task is null || Task == task) && (Granularity is null || Granularity == granularity);

    /// <summary>How specific it is: a task and a granularity beat a task alone, which beats a granularity alone.</summary>
    public int Specificity => (Task is null ? 0 : 2) + (Granularity is null ? 0 : 1);
}

/// <summary>
/// Fills the cells of a published composition: each item counts toward the most specific target that covers its task and
/// granularity (items no target covers are kept); a target with more candidates than it asks for keeps that many, taken
/// round-robin over answer labels (labels in ordinal order, each label's items in keyed-hash order), so every label keeps
/// a share before any label gets a second item. A target with fewer candidates keeps them all and is reported short.
/// Functions of (seed, keys) only, never of input order.
/// </summary>
public static class CompositionTargets
{
    /// <summary>The target an item counts toward, or null.</summary>
    public static CompositionTarget? For(IReadOnlyList<CompositionTarget> targets, string task, Granularity granularity) =>
        targets.Where(t => t.Covers(task, granularity)).OrderByDescending(t => t.Specificity).FirstOrDefault();

    public sealed record Fill(List<DraftQuestion> Kept, List<Reject> Rejects, IReadOnlyDictionary<CompositionTarget, int> Candidates);

    public static Fill Apply(IReadOnlyList<DraftQuestion> drafts, IReadOnlyList<CompositionTarget> targets, ulong seed)
    {
        var candidates = targets.ToDictionary(t => t, _ => 0);
        if (targets.Count == 0) return new Fill([.. drafts], [], candidates);
        var kept = new List<DraftQuestion>();
        var rejects = new List<Reject>();
        foreach (var cell in drafts.GroupBy(d => For(targets, d.Case.Task, d.Case.Granularity)))
        {
            if (cell.Key is not { } target) { kept.AddRange(cell); continue; }
            candidates[target] = cell.Count();
            var labels = cell.GroupBy(d => string.Join('+', d.Answers)).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new Queue<DraftQuestion>(g.OrderBy(d => Prng.Mix(seed, "target\u0001" + d.Key)).ThenBy(d => d.Key, StringComparer.Ordinal)))
                .ToList();
            var taken = new List<DraftQuestion>();
            while (taken.Count < target.Items && labels.Any(q => q.Count > 0))
            {
                foreach (var queue in labels.Where(q => q.Count > 0))
                {
                    if (taken.Count >= target.Items) break;
                    taken.Add(queue.Dequeue());
                }
            }
            kept.AddRange(taken);
            foreach (var d in labels.SelectMany(q => q))
                rejects.Add(Reject.OfCase(d.Key, d.Case.SourceId, d.Case.ItemKey, "curate", "over-target",
                    $"over the composition target of {target.Items} items for task {target.TaskText}, granularity {target.GranularityText}"));
        }
        return new Fill(kept.OrderBy(d => d.Key, StringComparer.Ordinal).ToList(), rejects, candidates);
    }
}

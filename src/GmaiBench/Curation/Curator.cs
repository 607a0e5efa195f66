using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Curation;

/// <summary>
/// Whole-benchmark curation on metadata: the per-label cap (round-robin over sources and patient groups) and the
/// VAL/TEST split by patient group stratified by task x granularity.
/// All decisions are functions of (seed, keys), never of input order.
/// </summary>
public static class Curator
{
    /// <summary>At most <paramref name="cap"/> items per (answer label(s), task, granularity), round-robin over sources, then patient groups.</summary>
    public static (List<DraftQuestion> Kept, List<Reject> Rejects) ApplyLabelCap(IReadOnlyList<DraftQuestion> drafts, int cap, ulong seed)
    {
        var kept = new List<DraftQuestion>();
        var rejects = new List<Reject>();
        foreach (var bucket in drafts.GroupBy(d => (Label: string.Join('+', d.Answers), d.Case.Task, d.Case.Granularity)))
        {
            var queues = bucket
                .GroupBy(d => d.Case.SourceId).OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new Queue<Queue<DraftQuestion>>(s
                    .GroupBy(d => d.Case.GroupKey).OrderBy(g => Prng.Mix(seed, "cap-group\u0001" + g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new Queue<DraftQuestion>(g.OrderBy(d => Prng.Mix(seed, "cap-item\u0001" + d.Key)).ThenBy(d => d.Key, StringComparer.Ordinal)))))
                .ToList();
            var taken = new List<DraftQuestion>();
            while (taken.Count < cap && queues.Any(q => q.Count > 0))
            {
                foreach (var source in queues.Where(q => q.Count > 0))
                {
                    if (taken.Count >= cap) break;
                    var group = source.Dequeue();
                    taken.Add(group.Dequeue());
                    if (group.Count > 0) source.Enqueue(group);
                }
            }
            var keys = taken.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            kept.AddRange(taken);
            rejects.AddRange(bucket.Where(d => !keys.Contains(d.Key)).Select(d => Reject.OfCase(d.Key, d.Case.SourceId, d.Case.ItemKey, "curate", "label-cap",
                $"over the cap of {cap} items for '{bucket.Key.Label}' ({bucket.Key.Task}, {bucket.Key.Granularity.Text()})")));
        }
        return (kept.OrderBy(d => d.Key, StringComparer.Ordinal).ToList(), rejects);
    }

    /// <summary>
    /// Assigns each patient group wholly to VAL or TEST. Groups are visited in keyed-hash order; a group goes to
    /// VAL while the strata (task x granularity) it touches are short of their VAL target, weighted by its items.
    /// </summary>
    /// <param name="groupOf">Maps a case's group key to the group it is split with (near-duplicates join groups).</param>
    /// <param name="published">Item (question) key -> the split an earlier release put it in: a group holding such an item keeps that split
    /// (TEST if any of its items was TEST), and counts toward the targets before the other groups are placed.</param>
    public static Dictionary<string, string> SplitByGroup(IReadOnlyList<DraftQuestion> drafts, double valShare, ulong seed,
        IReadOnlyDictionary<string, string>? groupOf = null, IReadOnlyDictionary<string, string>? published = null)
    {
        string GroupOf(DraftQuestion d) => groupOf?.GetValueOrDefault(d.Case.GroupKey) ?? d.Case.GroupKey;
        static string Stratum(DraftQuestion d) => $"{d.Case.Task}/{d.Case.Granularity.Text()}";
        var totals = drafts.GroupBy(Stratum).ToDictionary(g => g.Key, g => g.Count());
        var inVal = totals.Keys.ToDictionary(k => k, _ => 0);
        var splitOf = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Pinned(IGrouping<string, DraftQuestion> g)
        {
            var earlier = g.Select(d => published?.GetValueOrDefault(d.Key)).Where(s => s is not null).ToList();
            return earlier.Count == 0 ? null : earlier.Contains("TEST") ? "TEST" : "VAL";
        }
        var groups = drafts.GroupBy(GroupOf)
            .OrderBy(g => Pinned(g) is null ? 1 : 0)
            .ThenBy(g => Prng.Mix(seed, "split\u0001" + g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var g in groups)
        {
            var counts = g.GroupBy(Stratum).ToDictionary(s => s.Key, s => s.Count());
            if (Pinned(g) is { } kept)
            {
                if (kept == "VAL") foreach (var (s, n) in counts) inVal[s] += n;
                splitOf[g.Key] = kept;
                continue;
            }
            // Gain: how much closer to target VAL would come, minus how far it would overshoot.
            double before = 0, after = 0;
            foreach (var (s, n) in counts)
            {
                var target = valShare * totals[s];
                before += Math.Abs(target - inVal[s]);
                after += Math.Abs(target - (inVal[s] + n));
            }
            var split = after < before ? "VAL" : "TEST";
            if (split == "VAL") foreach (var (s, n) in counts) inVal[s] += n;
            splitOf[g.Key] = split;
        }
        return splitOf;
    }
}

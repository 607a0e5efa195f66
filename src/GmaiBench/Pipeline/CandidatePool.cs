using GmaiBench.Imaging;
using GmaiBench.Model;

namespace GmaiBench.Pipeline;

/// <summary>What the pool knows of one input while choosing: not yet decoded (or decoded for other inputs), rejected, or usable.</summary>
public enum CandidateState { Undecoded, Rejected, Usable }

/// <summary>
/// Work proportional to what is kept. A classification source's inputs are pooled by (source, raw labels) and walked in a
/// seeded order of their keys; an input is decoded only while the pool still lacks <c>need</c> usable, mutually distinct
/// images (the label cap). Rejects and near-duplicates do not count, so the walk goes further when they thin the pool.
/// The inputs the finished walk passed are the candidates; the rest are <c>not-sampled</c>.
/// </summary>
/// <remarks>
/// The finished walk depends only on the outcomes of the inputs it passes, which are the same whoever decoded them, in
/// whatever batches, threads or shards; a full scan (everything decoded) therefore picks the same candidates, and the
/// build emits the same items.
/// </remarks>
public static class CandidatePool
{
    /// <summary>Whether an input is pooled: an image-level input (no regions to mark) with raw labels.</summary>
    public static bool IsPooled(SourceItem item) => item.Annotation is null && item.RawLabels.Count > 0;

    /// <summary>The seeded order in which a pool's inputs are walked.</summary>
    public static IReadOnlyList<int> Order(IReadOnlyList<string> keys, IReadOnlyList<int> members, ulong seed) =>
        members.OrderBy(i => Prng.Mix(seed, "sample\u0001" + keys[i])).ThenBy(i => keys[i], StringComparer.Ordinal).ToList();

    /// <summary>
    /// Walks <paramref name="order"/>: returns how many inputs the walk passed and, of those, which must be decoded before
    /// the walk can finish. Undecoded inputs are counted as if usable, so a round decodes no more than the pool lacks; when
    /// nothing is left to decode the walk is final.
    /// </summary>
    public static (int Walked, List<int> ToDecode) Walk(IReadOnlyList<int> order, Func<int, (CandidateState State, ulong? PHash)> state,
        int need, int nearDuplicateBits)
    {
        var counted = 0;
        var kept = new List<ulong>();
        var toDecode = new List<int>();
        var walked = 0;
        foreach (var i in order)
        {
            if (counted >= need) break;
            walked++;
            var (s, hash) = state(i);
            switch (s)
            {
                case CandidateState.Undecoded:
                    toDecode.Add(i);
                    counted++;
                    break;
                case CandidateState.Usable when hash is { } h:
                    if (kept.Any(k => PerceptualHash.Distance(k, h) <= nearDuplicateBits)) break;   // curation would drop it
                    kept.Add(h);
                    counted++;
                    break;
                case CandidateState.Usable:
                    counted++;
                    break;
            }
        }
        return (walked, toDecode);
    }
}

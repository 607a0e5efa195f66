using GmaiBench.Imaging;
using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Curation;

/// <summary>Images of different inputs that are the same or nearly so; the first input (by key) is kept.</summary>
public sealed record DuplicateCluster(string Kind, string Kept, IReadOnlyList<string> Removed, IReadOnlyList<string> Items);

/// <summary>
/// Exact and near-duplicate removal over the perceptual hashes of the unmarked images. Inputs whose hashes are
/// within <c>bits</c> of each other (transitively) form a cluster. Within a cluster, items that ask the same thing
/// (granularity and answer) of different inputs collapse to those of the first input; every remaining item of the
/// cluster is put in one patient group, so near-duplicates never land in two splits.
/// </summary>
public static class Deduplication
{
    public sealed record Result(List<DraftQuestion> Kept, List<Reject> Rejects, List<DuplicateCluster> Clusters, Dictionary<string, string> GroupOf);

    public static Result Run(IReadOnlyList<DraftQuestion> drafts, int bits)
    {
        // One identity per input image: its hash, or its exact image when no hash is known.
        var inputs = drafts.GroupBy(d => d.Case.ItemKey).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.First().Case).ToList();
        var parent = Enumerable.Range(0, inputs.Count).ToArray();
        int Find(int i) { while (parent[i] != i) i = parent[i] = parent[parent[i]]; return i; }
        void Union(int a, int b) { a = Find(a); b = Find(b); if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b); }
        var byHash = new Dictionary<ulong, int>();
        var distinct = new List<(ulong Hash, int First)>();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].PHash is not { } h) continue;
            if (byHash.TryGetValue(h, out var j)) Union(i, j);
            else { byHash[h] = i; distinct.Add((h, i)); }
        }
        // All pairs of distinct hashes: ~N^2/2 popcounts, about a second for 25,000 images.
        for (var a = 0; a < distinct.Count; a++)
        for (var b = a + 1; b < distinct.Count; b++)
            if (PerceptualHash.Distance(distinct[a].Hash, distinct[b].Hash) <= bits) Union(distinct[a].First, distinct[b].First);

        var clusterOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++) clusterOf[inputs[i].ItemKey] = Find(i);
        var kept = new List<DraftQuestion>();
        var rejects = new List<Reject>();
        var clusters = new List<DuplicateCluster>();
        var groups = new GroupUnion();
        foreach (var cluster in drafts.GroupBy(d => clusterOf[d.Case.ItemKey]).OrderBy(g => g.Key))
        {
            var members = cluster.Select(d => d.Case.ItemKey).Distinct().Order(StringComparer.Ordinal).ToList();
            var removed = new List<string>();
            foreach (var same in cluster.GroupBy(d => (d.Case.Granularity, Answers: string.Join('|', d.Answers))))
            {
                var first = same.Select(d => d.Case.ItemKey).Min(StringComparer.Ordinal)!;
                foreach (var d in same.OrderBy(d => d.Key, StringComparer.Ordinal))
                {
                    if (d.Case.ItemKey == first) { kept.Add(d); continue; }
                    var firstCase = same.First(x => x.Case.ItemKey == first).Case;
                    var identical = d.Case.PHash is null ? d.Case.ImageSha == firstCase.ImageSha : d.Case.PHash == firstCase.PHash;
                    rejects.Add(Reject.OfCase(d.Key, d.Case.SourceId, d.Case.ItemKey, "curate", identical ? "duplicate-image" : "near-duplicate",
                        identical ? $"the same image as {first}" : $"nearly the same image as {first} (perceptual hashes {PerceptualHash.Distance(d.Case.PHash!.Value, firstCase.PHash!.Value)} bits apart)"));
                    removed.Add(d.Key);
                }
            }
            foreach (var d in cluster) groups.Union(d.Case.GroupKey, cluster.First().Case.GroupKey);
            if (members.Count > 1)
            {
                var hashes = cluster.Select(d => d.Case.PHash).Distinct().Count();
                clusters.Add(new DuplicateCluster(hashes <= 1 ? "identical" : "near-duplicate", members[0], removed.Order(StringComparer.Ordinal).ToList(), members));
            }
        }
        var groupOf = drafts.Select(d => d.Case.GroupKey).Distinct().ToDictionary(g => g, groups.Find, StringComparer.Ordinal);
        return new Result(kept.OrderBy(d => d.Key, StringComparer.Ordinal).ToList(), rejects, clusters, groupOf);
    }

    /// <summary>Union-find over patient group keys; a set's representative is its smallest key, so results never depend on order.</summary>
    private sealed class GroupUnion
    {
        private readonly Dictionary<string, string> _parent = new(StringComparer.Ordinal);

        public string Find(string g)
        {
            if (!_parent.TryGetValue(g, out var p)) return g;
            if (p == g) return g;
            var root = Find(p);
            _parent[g] = root;
            return root;
        }

        public void Union(string a, string b)
        {
            a = Find(a);
            b = Find(b);
            if (a == b) return;
            if (string.CompareOrdinal(a, b) > 0) (a, b) = (b, a);
            _parent[a] = a;
            _parent[b] = a;
        }
    }
}

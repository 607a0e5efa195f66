using GmaiBench.Model;

namespace GmaiBench.Taxonomy;

/// <summary>A raw label no canonical label matched, with where it occurs and the nearest canonical labels.</summary>
public sealed record UnmappedLabel(string SourceId, string Raw, int Count, IReadOnlyList<string> Suggestions, string Problem)
{
    public override string ToString() =>
        $"[{SourceId}] '{Raw}' ({Count} item(s)): {Problem}; nearest: {string.Join(", ", Suggestions)}";
}

/// <summary>What tagging needs of a source: its canonical modality, task and departments, and its own raw-label map.</summary>
public sealed record SourceTags(string Id, string Modality, string Task, IReadOnlyList<string> Departments, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// Places every case in the lexical tree: canonical label(s) from its raw labels, task from its source,
/// departments from its labels (else its source, else None) and the canonical modality. Metadata only: no pixels.
/// </summary>
public static class Tagger
{
    public static (List<TaggedCase> Tagged, List<Reject> Rejects, List<UnmappedLabel> Unmapped) Tag(
        IReadOnlyList<Case> cases, IReadOnlyDictionary<string, SourceTags> sources, LabelTaxonomy taxonomy)
    {
        var tagged = new List<TaggedCase>();
        var rejects = new List<Reject>();
        var unmapped = new Dictionary<(string, string), (int Count, LabelMatch Match)>();
        // Each source's vocabulary is read as a whole: a bare word is mapped in the context of the source's other labels.
        var vocabularies = cases.GroupBy(c => c.SourceId).ToDictionary(g => g.Key,
            g => taxonomy.Normaliser.NormaliseVocabulary(g.SelectMany(c => c.RawLabels), sources[g.Key].Labels), StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var source = sources[c.SourceId];
            var raws = c.RawLabels;
            var labels = new List<string>();
            var problems = new List<string>();
            foreach (var raw in raws)
            {
                var match = vocabularies[c.SourceId][raw];
                if (match.Label is null)
                {
                    problems.Add($"'{raw}': {match.Problem}");
                    var k = (c.SourceId, raw);
                    unmapped[k] = (unmapped.TryGetValue(k, out var u) ? u.Count + 1 : 1, match);
                }
                else if (!labels.Contains(match.Label.Id)) labels.Add(match.Label.Id);
            }
            if (problems.Count > 0)
            {
                rejects.Add(Reject.OfCase(c.Key, c.SourceId, c.ItemKey, "tag", "unmapped-label", string.Join("; ", problems)));
                continue;
            }
            if (labels.Count == 0)
            {
                rejects.Add(Reject.OfCase(c.Key, c.SourceId, c.ItemKey, "tag", "no-label", "the case has no label"));
                continue;
            }
            var departments = labels.SelectMany(l => taxonomy.Label(l)!.Departments).Distinct().ToList();
            if (departments.Count == 0) departments = source.Departments.ToList();
            if (departments.Count == 0) departments = [taxonomy.Department("None")?.Id ?? "None"];
            tagged.Add(new TaggedCase
            {
                Key = c.Key, ItemKey = c.ItemKey, SourceId = c.SourceId, ImageSha = c.ImageSha, Granularity = c.Granularity,
                OriginalTask = c.OriginalTask, GroupKey = c.GroupKey, Labels = labels,
                // A whole image is asked about as its source frames it; a marked region by what the region is.
                Task = c.Granularity == Granularity.Image ? source.Task : taxonomy.Label(labels[0])!.Task ?? source.Task,
                Departments = departments, Modality = source.Modality,
                PHash = c.Phash is null ? null : Convert.ToUInt64(c.Phash, 16), Contrast = c.Contrast,
            });
        }
        var list = unmapped
            .OrderBy(u => u.Key.Item1, StringComparer.Ordinal).ThenBy(u => u.Key.Item2, StringComparer.Ordinal)
            .Select(u => new UnmappedLabel(u.Key.Item1, u.Key.Item2, u.Value.Count,
                u.Value.Match.Candidates.Count > 0 ? u.Value.Match.Candidates : taxonomy.Normaliser.Nearest(u.Key.Item2), u.Value.Match.Problem ?? "unmapped"))
            .ToList();
        return (tagged, rejects, list);
    }
}

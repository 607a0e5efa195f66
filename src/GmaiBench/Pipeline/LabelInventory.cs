namespace GmaiBench.Pipeline;

/// <summary>One raw label of one source: how often it occurs and what it maps to (or the nearest labels).</summary>
public sealed record RawLabelRow(string SourceId, string Raw, int Items, string? Canonical, string Rule, IReadOnlyList<string> Suggestions, string? Problem);

/// <summary>
/// What <c>gmai labels</c> shows: every raw label of every source with its mapping, read from discovery only
/// (no image is decoded), so a new source's labels can be mapped before its first build.
/// </summary>
public static class LabelInventory
{
    public static List<RawLabelRow> Build(ProjectConfig config)
    {
        var rows = new List<RawLabelRow>();
        foreach (var source in config.Sources.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var discovery = source.Layout.Discover(source);
            var raws = discovery.Items.SelectMany(i => i.RawLabels).ToList();
            var matches = config.Taxonomy.Normaliser.NormaliseVocabulary(raws, source.Labels);
            foreach (var g in raws.GroupBy(l => l).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var m = matches[g.Key];
                rows.Add(new RawLabelRow(source.Id, g.Key, g.Count(), m.Label?.Id, m.Label is null ? "unmapped" : m.Rule.ToString(),
                    m.Label is null ? (m.Candidates.Count > 0 ? m.Candidates : config.Taxonomy.Normaliser.Nearest(g.Key)) : [], m.Problem));
            }
        }
        return rows;
    }
}

using GmaiBench.Taxonomy;

namespace GmaiBench.Pipeline;

/// <summary>Unmapped raw labels under the default policy: the build stops and lists them with suggestions.</summary>
public sealed class UnmappedLabelsException(IReadOnlyList<UnmappedLabel> labels)
    : Exception($"{labels.Count} raw label(s) match no canonical label:{Environment.NewLine}" + string.Join(Environment.NewLine, labels.Select(l => "  " + l))
                + $"{Environment.NewLine}Add them as synonyms in label-taxonomy/labels/, map them in the source's labels:, or set labels.unmapped: reject in the pipeline file.")
{
    public IReadOnlyList<UnmappedLabel> Labels { get; } = labels;
}

using GmaiBench.Model;
using GmaiBench.Sources.Layouts;

namespace GmaiBench.Ingest;

/// <summary>
/// A per-item pixel stage. Its fingerprint covers the item's content, the stage's parameters and its code
/// version, so the runner reuses an earlier outcome whenever none of them changed.
/// </summary>
public interface IItemStage
{
    StageKind Kind { get; }
    /// <summary>Name shown in rejects (raster, region, volume).</summary>
    string Name => Kind.Text();
    string Fingerprint(string contentHash);
    ItemOutcome Run(SourceItem item, ISourceLayout layout, string fingerprint);
}

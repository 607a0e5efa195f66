namespace GmaiBench.Ingest.Regions;

/// <summary>Region items: the smallest target kept and whether segmentation targets also give box items.</summary>
public sealed record RegionSettings
{
    /// <summary>Targets (and derived box components) smaller than this many pixels on the final image are rejected.</summary>
    public int MinArea { get; init; } = 16;
    public bool DeriveBoxes { get; init; }
}

namespace GmaiBench.Ingest;

/// <summary>Image normalisation parameters: part of the pixel-stage fingerprint.</summary>
public sealed record ImageSettings
{
    /// <summary>Longer side of emitted images, pixels.</summary>
    public int MaxSide { get; init; } = 1024;
    /// <summary>Images declaring more pixels than this in their header are rejected before decoding.</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;
    /// <summary>Cap on what one decoder may allocate, megabytes.</summary>
    public int MemoryLimitMegabytes { get; init; } = 1024;
    /// <summary>Percentiles for 16-bit sources (low, high), in percent.</summary>
    public double LowPercentile { get; init; } = 0.5;
    public double HighPercentile { get; init; } = 99.5;
}

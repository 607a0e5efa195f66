namespace GmaiBench.Curation;

/// <summary>Curation parameters: label cap, VAL share, near-duplicate distance, blank-image threshold, composition targets.</summary>
public sealed record CurationSettings
{
    public int MaxPerLabel { get; init; } = 30;
    public double ValShare { get; init; } = 0.176;
    /// <summary>Images whose perceptual hashes differ in at most this many of 64 bits are near-duplicates.</summary>
    public int NearDuplicateBits { get; init; } = 4;
    /// <summary>Images whose luminance standard deviation (0..255) is below this are blank or near-constant.</summary>
    public double MinContrast { get; init; } = 2.0;
    /// <summary>A published composition to fill (items per task x granularity); empty: no targets, every item that passes stays.</summary>
    public IReadOnlyList<CompositionTarget> Targets { get; init; } = [];
}

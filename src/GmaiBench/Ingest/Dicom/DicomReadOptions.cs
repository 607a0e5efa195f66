using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Dicom;

/// <summary>Limits and tolerances for reading one DICOM file or series.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Default cap on the decoded pixel bytes of one file or series: 2 GiB.</summary>
    public const long DefaultMaxVoxelBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest Rows x Columns x frames x bytes per sample; checked from the headers before any pixel is decoded.</summary>
    public long MaxVoxelBytes { get; init; } = DefaultMaxVoxelBytes;

    /// <summary>
    /// Largest allowed difference between a slice gap and the median gap, as a fraction of the median (default 5 %).
    /// A missing slice doubles a gap; scanner rounding of positions stays far below this.
    /// </summary>
    public double SliceSpacingTolerance { get; init; } = 0.05;

    /// <summary>
    /// Keep a series whose gaps are uneven instead of rejecting it; the slice axis then uses the mean gap, so the first
    /// and last slices are placed exactly and those between approximately (see <see cref="DicomVolume.SliceSpacing"/>).
    /// </summary>
    public bool AcceptUnevenSpacing { get; init; }

    /// <summary>
    /// Distance in millimetres under which two slices along the normal are duplicates, and the off-normal offset allowed
    /// before a series counts as gantry-tilted (plus <see cref="TiltSlope"/> per millimetre along the normal).
    /// </summary>
    public double PositionToleranceMm { get; init; } = 0.05;

    /// <summary>Off-normal offset allowed per millimetre along the normal (1e-3, about 0.06 degrees; real gantry tilts are degrees).</summary>
    public double TiltSlope { get; init; } = 1e-3;

    /// <summary>Largest difference between direction cosines for two slices to count as equally oriented.</summary>
    public double OrientationTolerance { get; init; } = 1e-4;

    /// <summary>Where voxel arrays come from: a pool reuses the array of a volume handed back after use; null allocates afresh.</summary>
    public VoxelBufferPool? Buffers { get; init; }

    /// <summary>
    /// The frames (1-based) a multi-frame colour file's shown frame is chosen among, e.g. those a segmentation annotates:
    /// its Representative Frame Number when it is one of them, else the middle one of them. Null: among all frames.
    /// </summary>
    public IReadOnlyList<int>? ColourFrames { get; init; }

    public DicomReadOptions Validate()
    {
        if (MaxVoxelBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxVoxelBytes), $"the voxel byte cap must be positive, got {MaxVoxelBytes}");
        if (!(SliceSpacingTolerance >= 0 && SliceSpacingTolerance < 1))
            throw new ArgumentOutOfRangeException(nameof(SliceSpacingTolerance), $"the slice spacing tolerance is a fraction in [0, 1), got {SliceSpacingTolerance}");
        if (!(PositionToleranceMm > 0 && double.IsFinite(PositionToleranceMm)))
            throw new ArgumentOutOfRangeException(nameof(PositionToleranceMm), $"the position tolerance must be a positive number of millimetres, got {PositionToleranceMm}");
        if (!(TiltSlope >= 0 && TiltSlope < 1)) throw new ArgumentOutOfRangeException(nameof(TiltSlope), $"the tilt slope must be in [0, 1), got {TiltSlope}");
        if (!(OrientationTolerance > 0 && OrientationTolerance < 1))
            throw new ArgumentOutOfRangeException(nameof(OrientationTolerance), $"the orientation tolerance must be in (0, 1), got {OrientationTolerance}");
        return this;
    }
}

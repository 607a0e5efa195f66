using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// A volume read from a DICOM file or series, with what display needs from the header and the two identifiers a split
/// group key is formed from. No other DICOM attribute leaves the reader.
/// </summary>
public sealed record DicomVolume
{
    /// <summary>
    /// Voxels in their stored type (column fastest, then row, then slice in slice order) with the Modality LUT as
    /// <see cref="Volume.Scaling"/>; the affine maps voxels to RAS+ millimetres. When the slices of a series (or the frames
    /// of a file) carry different Rescale Slope/Intercept, the voxels are physical values as float32 with identity scaling.
    /// </summary>
    public required Volume Volume { get; init; }

    /// <summary>A colour image's chosen frame as 8-bit RGB (then <see cref="Volume"/> is its luma); null for greyscale.</summary>
    public RgbFrame? Colour { get; init; }

    /// <summary>Modality (0008,0060) as the file states it (CT, MR, US, ...); empty when absent.</summary>
    public string Modality { get; init; } = "";

    /// <summary>Frame of Reference UID (0020,0052): the patient coordinate system of the positions.</summary>
    public string? FrameOfReferenceUid { get; init; }

    /// <summary>MONOCHROME1 (PS3.3 C.7.6.3.1.2): the lowest value is white, so display inverts the grey levels after windowing.</summary>
    public bool InvertDisplay { get; init; }

    /// <summary>The file's own VOI window (first Window Center/Width, LINEAR function), in physical units; null when absent.</summary>
    public VoiLinearWindow? FileWindow { get; init; }

    /// <summary>Patient ID (0010,0020), read only to form a split group key.</summary>
    public string? PatientId { get; init; }

    /// <summary>Study Instance UID (0020,000D), read only to form a split group key.</summary>
    public string? StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID (0020,000E): which series the volume is (its identity in the item key).</summary>
    public string? SeriesInstanceUid { get; init; }

    /// <summary>
    /// Whether Image Position and Orientation (Patient) placed the voxels; when false (projection or secondary capture
    /// images) the affine is a default grid: axes along L and P, origin 0, Pixel Spacing or 1 mm.
    /// </summary>
    public bool HasPatientGeometry { get; init; }

    /// <summary>Gaps between slices along the normal when two or more slices were placed by position; null otherwise.</summary>
    public SliceSpacingStats? SliceSpacing { get; init; }

    /// <summary>The files the voxels came from, in slice order (one entry for a single or multi-frame file).</summary>
    public required IReadOnlyList<string> SourceFiles { get; init; }
}

/// <summary>
/// One frame of a colour DICOM image as 8-bit RGB, interleaved row by row; <see cref="Frame"/> (0-based) of
/// <see cref="FrameCount"/> is the frame chosen, <see cref="Photometric"/> how the file stored it.
/// </summary>
public sealed record RgbFrame(int Width, int Height, byte[] Rgb, int Frame, int FrameCount, string Photometric);

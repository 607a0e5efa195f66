using GmaiBench.Model;
namespace GmaiBench.Ingest.Dicom;

/// <summary>The reasons a DICOM file or series is rejected with (<see cref="Raster.ItemRejectedException.Reason"/>).</summary>
public static class DicomRejects
{
    /// <summary>No "DICM" prefix after the 128-byte preamble and no recognisable data set at the start either.</summary>
    public const string NotDicom = "not-dicom";

    /// <summary>The file is missing or cannot be read from disk.</summary>
    public const string UnreadableFile = "unreadable-file";

    /// <summary>The file ends inside a data element (a cut download or copy).</summary>
    public const string TruncatedFile = "truncated-file";

    /// <summary>The element structure or a header value is impossible (bad lengths, missing transfer syntax, zero rescale slope).</summary>
    public const string CorruptHeader = "corrupt-header";

    /// <summary>A DICOM object without image pixels (a report, a structure set, a DICOMDIR).</summary>
    public const string NoPixelData = "no-pixel-data";

    public const string UnsupportedTransferSyntax = "unsupported-transfer-syntax";

    /// <summary>Colour or palette images: photometric interpretations other than MONOCHROME1/2, PALETTE COLOR, RGB and YBR_FULL/FULL_422/ICT/RCT.</summary>
    public const string UnsupportedPhotometric = "unsupported-photometric";

    /// <summary>Bits Allocated other than 8, 16 or 32, float pixel data, or an unusual High Bit.</summary>
    public const string UnsupportedPixelFormat = "unsupported-pixel-format";

    /// <summary>A non-linear Modality LUT Sequence (PS3.3 C.11.1) instead of Rescale Slope and Intercept.</summary>
    public const string UnsupportedModalityLut = "unsupported-modality-lut";

    /// <summary>The decoder failed, or the pixel data is shorter than the header declares.</summary>
    public const string CorruptPixelData = "corrupt-pixel-data";

    /// <summary>Rows x Columns x frames x bytes per sample exceeds the configured cap.</summary>
    public const string VolumeTooLarge = "volume-too-large";

    /// <summary>Image Position, Image Orientation or Pixel Spacing is malformed (wrong count, not numbers, not orthonormal, not positive).</summary>
    public const string InvalidGeometry = "invalid-geometry";

    /// <summary>Several slices, but some have no Image Position (Patient) or Image Orientation (Patient) to order them by.</summary>
    public const string MissingSlicePosition = "missing-slice-position";

    /// <summary>Two slices at the same position along the slice normal (a repeated acquisition, echoes, or time points).</summary>
    public const string DuplicateSlicePosition = "duplicate-slice-position";

    /// <summary>Slices of one series with different Image Orientation (Patient).</summary>
    public const string InconsistentOrientation = "inconsistent-orientation";

    /// <summary>Slices of one series with different Pixel Spacing.</summary>
    public const string InconsistentPixelSpacing = "inconsistent-pixel-spacing";

    /// <summary>Slices of one series with different Rows, Columns, or pixel format.</summary>
    public const string InconsistentSliceFormat = "inconsistent-slice-format";

    /// <summary>A gap between neighbouring slices differs from the median gap by more than the tolerance (often a missing slice).</summary>
    public const string UnevenSliceSpacing = "uneven-slice-spacing";

    /// <summary>Slice positions do not lie along the slice normal (a tilted CT gantry): the grid is sheared.</summary>
    public const string GantryTilt = "gantry-tilt";

    /// <summary>The files given as one series carry more than one Series Instance UID.</summary>
    public const string MixedSeries = "mixed-series";

    /// <summary>Files of one series with different Patient ID, Study Instance UID or Frame of Reference UID.</summary>
    public const string InconsistentSeries = "inconsistent-series";

    /// <summary>A Siemens MOSAIC image (slices tiled in one frame), which is not unpacked.</summary>
    public const string Mosaic = "mosaic";

    /// <summary>Colour images given as a series of several files; colour is read one file (one image) at a time.</summary>
    public const string ColourSeries = "colour-series";

    /// <summary>A series of several files in which a file holds more than one frame.</summary>
    public const string MultiFrameInSeries = "multi-frame-in-series";
}

using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Dicom;

/// <summary>Transfer syntaxes <see cref="DicomWriter"/> can write; all lossless.</summary>
public enum DicomTransferSyntax
{
    /// <summary>1.2.840.10008.1.2.1</summary>
    ExplicitVrLittleEndian,

    /// <summary>1.2.840.10008.1.2</summary>
    ImplicitVrLittleEndian,

    /// <summary>1.2.840.10008.1.2.2 (retired, still found in old archives).</summary>
    ExplicitVrBigEndian,

    /// <summary>1.2.840.10008.1.2.1.99</summary>
    DeflatedExplicitVrLittleEndian,

    /// <summary>1.2.840.10008.1.2.5</summary>
    RleLossless,

    /// <summary>1.2.840.10008.1.2.4.70, JPEG lossless process 14 with first-order prediction.</summary>
    JpegLossless,

    /// <summary>1.2.840.10008.1.2.4.80</summary>
    JpegLsLossless,

    /// <summary>
    /// 1.2.840.10008.1.2.4.90; images need at least 8 rows and 8 columns, because GDCM 3.0.21's JPEG 2000 encoder crashes
    /// the process (SIGSEGV or SIGABRT) on smaller ones.
    /// </summary>
    Jpeg2000Lossless,
}

/// <summary>
/// What <see cref="DicomWriter"/> puts in the files beside the pixels and the geometry (which come from the volume).
/// Dates are fixed and UIDs derived from <see cref="Seed"/>, so the same input gives the same bytes.
/// </summary>
public sealed record DicomWriteOptions
{
    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVrLittleEndian;

    /// <summary>CT, MR or PT (series); CT or MR (multi-frame, written as Enhanced CT or MR Image Storage).</summary>
    public string Modality { get; init; } = "CT";

    /// <summary>Write Photometric Interpretation MONOCHROME1 (minimum displayed white) instead of MONOCHROME2.</summary>
    public bool Monochrome1 { get; init; }

    public string PatientId { get; init; } = "GMAI-DEMO";

    /// <summary>Every UID (study, series, frame of reference, instances) is derived from this seed (<see cref="DicomUid.FromSeed"/>).</summary>
    public string Seed { get; init; } = "gmaibench";

    /// <summary>Overrides the seed-derived Study Instance UID, e.g. to put two series in one study.</summary>
    public string? StudyInstanceUid { get; init; }

    /// <summary>Overrides the seed-derived Frame of Reference UID.</summary>
    public string? FrameOfReferenceUid { get; init; }

    /// <summary>The Frame of Reference UID written: <see cref="FrameOfReferenceUid"/>, else derived from the seed.</summary>
    public string ResolvedFrameOfReferenceUid => FrameOfReferenceUid ?? DicomUid.FromSeed(Seed + "/frame-of-reference");

    /// <summary>Slice Thickness (0018,0050) in millimetres; the slice spacing when null.</summary>
    public double? SliceThickness { get; init; }

    /// <summary>Window Center/Width to store; none when null.</summary>
    public VoiLinearWindow? Window { get; init; }

    /// <summary>
    /// Multi-frame only: write the geometry at the top level (Image Position (Patient) of the first frame, Image
    /// Orientation, Pixel Spacing, Spacing Between Slices, Rescale) as a Multi-frame Grayscale Word Secondary Capture
    /// object, the way older tools store volumes, instead of Enhanced functional groups.
    /// </summary>
    public bool LegacyMultiFrame { get; init; }

    /// <summary>Study Date (DA); fixed rather than today so the bytes do not depend on the clock.</summary>
    public string StudyDate { get; init; } = "20000101";

    /// <summary>The Study Instance UID written: <see cref="StudyInstanceUid"/>, else derived from the seed.</summary>
    public string ResolvedStudyInstanceUid => StudyInstanceUid ?? DicomUid.FromSeed(Seed + "/study");

    /// <summary>The Series Instance UID written, derived from the seed.</summary>
    public string ResolvedSeriesInstanceUid => DicomUid.FromSeed(Seed + "/series");

    public DicomWriteOptions Validate()
    {
        if (Modality is not ("CT" or "MR" or "PT")) throw new ArgumentException($"modality must be CT, MR or PT, got '{Modality}'", nameof(Modality));
        if (SliceThickness is { } t && !(t > 0 && double.IsFinite(t))) throw new ArgumentOutOfRangeException(nameof(SliceThickness), $"slice thickness must be positive, got {t}");
        if (StudyDate.Length != 8 || !StudyDate.All(char.IsAsciiDigit)) throw new ArgumentException($"the study date must be YYYYMMDD, got '{StudyDate}'", nameof(StudyDate));
        if (string.IsNullOrEmpty(PatientId) || PatientId.Length > 64) throw new ArgumentException("the patient ID must be 1 to 64 characters", nameof(PatientId));
        return this;
    }
}

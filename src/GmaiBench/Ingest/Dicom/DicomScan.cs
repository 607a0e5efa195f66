namespace GmaiBench.Ingest.Dicom;

/// <summary>The image files of one series found by a scan, sorted by path (ordinal); their slice order is decided when read.</summary>
public sealed record DicomSeriesFiles(string SeriesInstanceUid, IReadOnlyList<string> Files);

/// <summary>A file a scan could not use, with the reason (from <see cref="DicomRejects"/>) and a message naming the problem.</summary>
public sealed record DicomFileReject(string Path, string Reason, string Message);

/// <summary>Every scanned file ends in exactly one series or one reject; series are sorted by Series Instance UID (ordinal).</summary>
public sealed record DicomScan(IReadOnlyList<DicomSeriesFiles> Series, IReadOnlyList<DicomFileReject> Rejected);

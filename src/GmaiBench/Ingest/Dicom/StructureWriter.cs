using System.Globalization;
using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Dicom;

/// <summary>The image series a structure set or segmentation is drawn on: identity, its slices' SOP Instance UIDs, and its grid.</summary>
public sealed record ReferencedSeries(string PatientId, string StudyInstanceUid, string SeriesInstanceUid, string FrameOfReferenceUid,
    IReadOnlyList<string> SopInstanceUids, GridShape Shape, Affine Affine)
{
    /// <summary>The series <see cref="DicomWriter.WriteSeries"/> writes for <paramref name="volume"/> with <paramref name="options"/>.</summary>
    public static ReferencedSeries Of(Volume volume, DicomWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(options);
        return new ReferencedSeries(options.PatientId, options.ResolvedStudyInstanceUid, options.ResolvedSeriesInstanceUid, options.ResolvedFrameOfReferenceUid,
            Enumerable.Range(0, volume.Shape.Nk).Select(k => DicomWriter.InstanceUid(options, k)).ToList(), volume.Shape, volume.Affine);
    }

    /// <summary>LPS millimetres of a (fractional) voxel index.</summary>
    public (double X, double Y, double Z) Lps(double i, double j, double k)
    {
        var (x, y, z) = Affine.Transform(i, j, k);
        return (-x, -y, z);
    }
}

/// <summary>
/// A (colour) image a segmentation is drawn on, referenced by SOP Instance rather than by position: photographs,
/// endoscopy and ultrasound frames often have no patient geometry, and a cine's frames share one.
/// </summary>
public sealed record ReferencedImage(string PatientId, string StudyInstanceUid, string SeriesInstanceUid, string SopClassUid, string SopInstanceUid,
    int Columns, int Rows, int Frames = 1);

/// <summary>A closed planar contour on slice <paramref name="Slice"/>, its corners in (column, row) voxel indices.</summary>
public sealed record ContourPolygon(int Slice, IReadOnlyList<(double I, double J)> Points);

/// <summary>An ROI of a structure set: number, name, contours.</summary>
public sealed record RoiContours(int Number, string Name, IReadOnlyList<ContourPolygon> Contours);

/// <summary>A segment of a segmentation: number, free-text label, coded meaning (may be null) and its voxels (i + Ni (j + Nj k)).</summary>
public sealed record SegmentVoxels(int Number, string Label, string? CodeMeaning, bool[] Inside);

/// <summary>
/// Writes RT Structure Sets and binary Segmentations that reference a series, byte by byte (<see cref="DicomDataSet"/>),
/// for tests and the demo corpus. Fixed dates; UIDs from the seed; same input, same bytes.
/// </summary>
public static class StructureWriter
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    public static void WriteRtStruct(string path, ReferencedSeries series, IReadOnlyList<RoiContours> rois, string seed)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(rois);
        var d = Common(series, StructureObjects.RtStructureSetStorage, "RTSTRUCT", seed)
            .Text(0x3006, 0x0002, "SH", "GMAI")
            .Text(0x3006, 0x0008, "DA", "20000101")
            .Text(0x3006, 0x0009, "TM", "000000");
        var contourImages = series.SopInstanceUids.Select(Reference).ToArray();
        d.Sequence(0x3006, 0x0010, new DicomDataSet()
            .Text(0x0020, 0x0052, "UI", series.FrameOfReferenceUid)
            .Sequence(0x3006, 0x0012, new DicomDataSet()
                .Text(0x0008, 0x1150, "UI", "1.2.840.10008.3.1.2.3.1")
                .Text(0x0008, 0x1155, "UI", series.StudyInstanceUid)
                .Sequence(0x3006, 0x0014, new DicomDataSet()
                    .Text(0x0020, 0x000E, "UI", series.SeriesInstanceUid)
                    .Sequence(0x3006, 0x0016, contourImages))));
        d.Sequence(0x3006, 0x0020, rois.Select(r => new DicomDataSet()
            .Integer(0x3006, 0x0022, r.Number)
            .Text(0x3006, 0x0024, "UI", series.FrameOfReferenceUid)
            .Text(0x3006, 0x0026, "LO", r.Name)
            .Text(0x3006, 0x0036, "CS", "MANUAL")).ToArray());
        d.Sequence(0x3006, 0x0039, rois.Select(r => new DicomDataSet()
            .Integer(0x3006, 0x0084, r.Number)
            .Sequence(0x3006, 0x0040, r.Contours.Select(c =>
            {
                var lps = c.Points.SelectMany(p => { var (x, y, z) = series.Lps(p.I, p.J, c.Slice); return new[] { x, y, z }; }).ToArray();
                var item = new DicomDataSet()
                    .Text(0x3006, 0x0042, "CS", "CLOSED_PLANAR")
                    .Integer(0x3006, 0x0046, c.Points.Count)
                    .Decimals(0x3006, 0x0050, lps);
                if (c.Slice >= 0 && c.Slice < series.SopInstanceUids.Count) item.Sequence(0x3006, 0x0016, Reference(series.SopInstanceUids[c.Slice]));
                return item;
            }).ToArray())).ToArray());
        d.WriteFile(path);
    }

    /// <summary>
    /// A segmentation: one frame per (segment, slice) holding any voxel of the segment, on the series' grid; BINARY (1 bit),
    /// or FRACTIONAL (8 bits, maximum 200) with inside voxels at 200 and the voxels of <paramref name="faint"/> at 99 (under half).
    /// </summary>
    public static void WriteSegmentation(string path, ReferencedSeries series, IReadOnlyList<SegmentVoxels> segments, string seed, bool fractional = false, bool[]? faint = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(segments);
        var shape = series.Shape;
        var frameSize = shape.Ni * shape.Nj;
        var frames = new List<(int Segment, int Slice)>();
        foreach (var s in segments)
            for (var k = 0; k < shape.Nk; k++)
                if (s.Inside.AsSpan(k * frameSize, frameSize).Contains(true)) frames.Add((s.Number, k));
        var bits = new byte[fractional ? (long)frameSize * frames.Count : ((long)frameSize * frames.Count + 7) / 8];
        for (var f = 0; f < frames.Count; f++)
        {
            var inside = segments.Single(s => s.Number == frames[f].Segment).Inside;
            for (var n = 0; n < frameSize; n++)
            {
                var at = (long)f * frameSize + n;
                var voxel = frames[f].Slice * frameSize + n;
                if (fractional) bits[at] = inside[voxel] ? (byte)200 : faint?[voxel] == true ? (byte)99 : (byte)0;
                else if (inside[voxel]) bits[at >> 3] |= (byte)(1 << (int)(at & 7));
            }
        }
        var a = series.Affine;
        // Row direction = +i, column direction = +j, in LPS.
        double ci = Math.Sqrt(a[0, 0] * a[0, 0] + a[1, 0] * a[1, 0] + a[2, 0] * a[2, 0]), cj = Math.Sqrt(a[0, 1] * a[0, 1] + a[1, 1] * a[1, 1] + a[2, 1] * a[2, 1]);
        var d = Common(series, StructureObjects.SegmentationStorage, "SEG", seed)
            .Text(0x0008, 0x0008, "CS", "DERIVED\\PRIMARY")
            .Text(0x0020, 0x0052, "UI", series.FrameOfReferenceUid)
            .UShort(0x0028, 0x0002, 1)
            .Text(0x0028, 0x0004, "CS", "MONOCHROME2")
            .Integer(0x0028, 0x0008, frames.Count)
            .UShort(0x0028, 0x0010, (ushort)shape.Nj)
            .UShort(0x0028, 0x0011, (ushort)shape.Ni)
            .UShort(0x0028, 0x0100, (ushort)(fractional ? 8 : 1)).UShort(0x0028, 0x0101, (ushort)(fractional ? 8 : 1))
            .UShort(0x0028, 0x0102, (ushort)(fractional ? 7 : 0)).UShort(0x0028, 0x0103, 0)
            .Text(0x0062, 0x0001, "CS", fractional ? "FRACTIONAL" : "BINARY")
            .Sequence(0x0008, 0x1115, new DicomDataSet()
                .Text(0x0020, 0x000E, "UI", series.SeriesInstanceUid)
                .Sequence(0x0008, 0x114A, series.SopInstanceUids.Select(Reference).ToArray()))
            .Sequence(0x0062, 0x0002, segments.Select(SegmentItem).ToArray())
            .Sequence(0x5200, 0x9229, new DicomDataSet()
                .Sequence(0x0020, 0x9116, new DicomDataSet().Decimals(0x0020, 0x0037, -a[0, 0] / ci, -a[1, 0] / ci, a[2, 0] / ci, -a[0, 1] / cj, -a[1, 1] / cj, a[2, 1] / cj))
                .Sequence(0x0028, 0x9110, new DicomDataSet().Decimals(0x0028, 0x0030, cj, ci).Decimals(0x0018, 0x0050, a.ColumnLength(2))))
            .Sequence(0x5200, 0x9230, frames.Select(f =>
            {
                var (x, y, z) = series.Lps(0, 0, f.Slice);
                return new DicomDataSet()
                    .Sequence(0x0062, 0x000A, new DicomDataSet().UShort(0x0062, 0x000B, (ushort)f.Segment))
                    .Sequence(0x0020, 0x9113, new DicomDataSet().Decimals(0x0020, 0x0032, x, y, z));
            }).ToArray())
            .Binary(0x7FE0, 0x0010, "OB", bits, 1);
        if (fractional) d.Text(0x0062, 0x0010, "CS", "PROBABILITY").UShort(0x0062, 0x000E, 200);
        d.WriteFile(path);
    }

    /// <summary>A Segment Sequence item: number, label, algorithm type and, when known, its coded concept.</summary>
    private static DicomDataSet SegmentItem(SegmentVoxels s)
    {
        var item = new DicomDataSet()
            .UShort(0x0062, 0x0004, (ushort)s.Number)
            .Text(0x0062, 0x0005, "LO", s.Label)
            .Text(0x0062, 0x0008, "CS", "MANUAL");
        if (s.CodeMeaning is { } meaning)
            item.Sequence(0x0062, 0x000F, new DicomDataSet().Text(0x0008, 0x0100, "SH", "GMAI" + s.Number.ToString(CultureInfo.InvariantCulture))
                .Text(0x0008, 0x0102, "SH", "99GMAI").Text(0x0008, 0x0104, "LO", meaning));
        return item;
    }

    /// <summary>
    /// A BINARY segmentation of an image without patient geometry: one frame per segment, placed only by its Derivation
    /// Image Sequence (the image's SOP Instance and, for a multi-frame image, the Referenced Frame Number
    /// <c>Frame</c>; 0 writes none). <see cref="SegmentVoxels.Inside"/> is Columns x Rows, row by row.
    /// </summary>
    public static void WriteImageSegmentation(string path, ReferencedImage image, IReadOnlyList<(SegmentVoxels Segment, int Frame)> segments, string seed)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(segments);
        var frameSize = image.Columns * image.Rows;
        var bits = new byte[((long)frameSize * segments.Count + 7) / 8];
        for (var f = 0; f < segments.Count; f++)
        for (var n = 0; n < frameSize; n++)
        {
            var at = (long)f * frameSize + n;
            if (segments[f].Segment.Inside[n]) bits[at >> 3] |= (byte)(1 << (int)(at & 7));
        }
        var reference = new ReferencedSeries(image.PatientId, image.StudyInstanceUid, image.SeriesInstanceUid, "", [image.SopInstanceUid],
            new GridShape(image.Columns, image.Rows, 1), Affine.Identity);
        DicomDataSet Source(int frame)
        {
            var item = new DicomDataSet().Text(0x0008, 0x1150, "UI", image.SopClassUid).Text(0x0008, 0x1155, "UI", image.SopInstanceUid);
            if (frame > 0) item.Integer(0x0008, 0x1160, frame);
            return item.Sequence(0x0040, 0xA170, new DicomDataSet().Text(0x0008, 0x0100, "SH", "121322").Text(0x0008, 0x0102, "SH", "DCM")
                .Text(0x0008, 0x0104, "LO", "Source image for image processing operation"));
        }
        var d = Common(reference, StructureObjects.SegmentationStorage, "SEG", seed)
            .Text(0x0008, 0x0008, "CS", "DERIVED\\PRIMARY")
            .UShort(0x0028, 0x0002, 1)
            .Text(0x0028, 0x0004, "CS", "MONOCHROME2")
            .Integer(0x0028, 0x0008, segments.Count)
            .UShort(0x0028, 0x0010, (ushort)image.Rows)
            .UShort(0x0028, 0x0011, (ushort)image.Columns)
            .UShort(0x0028, 0x0100, 1).UShort(0x0028, 0x0101, 1).UShort(0x0028, 0x0102, 0).UShort(0x0028, 0x0103, 0)
            .Text(0x0062, 0x0001, "CS", "BINARY")
            .Sequence(0x0008, 0x1115, new DicomDataSet()
                .Text(0x0020, 0x000E, "UI", image.SeriesInstanceUid)
                .Sequence(0x0008, 0x114A, new DicomDataSet().Text(0x0008, 0x1150, "UI", image.SopClassUid).Text(0x0008, 0x1155, "UI", image.SopInstanceUid)))
            .Sequence(0x0062, 0x0002, segments.Select(x => x.Segment).DistinctBy(s => s.Number).Select(SegmentItem).ToArray())
            .Sequence(0x5200, 0x9230, segments.Select(x => new DicomDataSet()
                .Sequence(0x0008, 0x9124, new DicomDataSet().Sequence(0x0008, 0x2112, Source(x.Frame)))
                .Sequence(0x0062, 0x000A, new DicomDataSet().UShort(0x0062, 0x000B, (ushort)x.Segment.Number))).ToArray())
            .Binary(0x7FE0, 0x0010, "OB", bits, 1);
        d.WriteFile(path);
    }

    private static DicomDataSet Reference(string sopInstanceUid) => new DicomDataSet()
        .Text(0x0008, 0x1150, "UI", CtImageStorage)
        .Text(0x0008, 0x1155, "UI", sopInstanceUid);

    private static DicomDataSet Common(ReferencedSeries series, string sopClass, string modality, string seed) => new DicomDataSet()
        .Text(0x0008, 0x0016, "UI", sopClass)
        .Text(0x0008, 0x0018, "UI", DicomUid.FromSeed(seed + "/instance"))
        .Text(0x0008, 0x0020, "DA", "20000101")
        .Text(0x0008, 0x0030, "TM", "000000")
        .Text(0x0008, 0x0060, "CS", modality)
        .Text(0x0010, 0x0020, "LO", series.PatientId)
        .Text(0x0020, 0x000D, "UI", series.StudyInstanceUid)
        .Text(0x0020, 0x000E, "UI", DicomUid.FromSeed(seed + "/series"))
        .Integer(0x0020, 0x0013, 1);
}

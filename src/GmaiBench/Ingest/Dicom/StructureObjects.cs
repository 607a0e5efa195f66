using System.Globalization;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>A region an RT Structure Set or a Segmentation defines: its number in the object and its name (the raw label).</summary>
public sealed record StructureRegion(int Number, string Name);

/// <summary>
/// What a structure set or segmentation says about itself, read without its pixels (for discovery and inspect);
/// <see cref="ReferencedFrames"/> are the frame numbers (1-based) of a multi-frame image a segmentation's frames derive from.
/// </summary>
public sealed record StructureSummary(string Kind, string? FrameOfReferenceUid, IReadOnlyList<string> ReferencedSeriesUids, IReadOnlyList<StructureRegion> Regions)
{
    public IReadOnlyList<int> ReferencedFrames { get; init; } = [];
}

/// <summary>A structure object read with the series it is drawn on: the series, the object's summary and every region's mask.</summary>
public sealed record StructurePairing(DicomVolume Series, StructureSummary Summary, IReadOnlyList<StructureMask> Masks);

/// <summary>One region as a label map (1 inside, 0 outside) on the referenced series' grid as stored.</summary>
public sealed record StructureMask(StructureRegion Region, LabelMap Map);

/// <summary>
/// RT Structure Sets (PS3.3 C.8.8.5, C.8.8.6) and Segmentations (PS3.3 C.8.20) as label maps on the image series they
/// reference. Structure sets: each ROI's closed planar contours are matched to slices through their referenced SOP
/// Instance UIDs and positions, and filled by the even-odd rule at voxel centres (holes drawn as inner contours stay
/// holes). Segmentations: each frame is placed by its per-frame Plane Position and Segment Identification; binary
/// frames are read bit by bit, fractional ones thresholded at half the Maximum Fractional Value. The referenced series
/// must share the Frame of Reference, and every contour point and frame must lie on its grid: anything else is a
/// named reject, never a region drawn elsewhere.
/// </summary>
public static class StructureObjects
{
    public const string RtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

    /// <summary>A reject reason: the object references an image the series does not hold.</summary>
    public const string MissingImage = "contour-references-missing-image";
    public const string OutsideGrid = "contour-outside-grid";
    public const string SelfIntersecting = "self-intersecting-contour";
    public const string OffSlice = "contour-off-slice";
    public const string FrameOfReferenceMismatch = "frame-of-reference-mismatch";
    public const string NotStructure = "not-a-structure-object";
    public const string ReferencedSeriesMissing = "referenced-series-missing";
    public const string NoPatientGeometry = "no-patient-geometry";

    // Contour points are decimal text of ~0.01 mm precision; a point within 0.05 of a voxel's index lies on it.
    private const double IndexTolerance = 0.05;

    /// <summary>RTSTRUCT or SEG by SOP Class; anything else is refused.</summary>
    public static StructureSummary Summarise(string path) => Read(path, (top, name) =>
    {
        var (kind, _) = KindOf(top, name);
        return kind == "RTSTRUCT" ? RtSummary(top) : SegSummary(top, name);
    });

    /// <summary>
    /// The object at <paramref name="objectPath"/> with the image files beside it: summarised, the series read (a colour
    /// cine at one of the frames the segmentation annotates), checked to be the series the object references, and every
    /// region rasterised onto it. GDCM parses all three, so a build calls this in the decoder child
    /// (<see cref="DicomWorker.ReadStructures"/>), where an abort costs this item only.
    /// </summary>
    public static StructurePairing Pair(string objectPath, IReadOnlyList<string> seriesFiles, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(seriesFiles);
        options ??= new DicomReadOptions();
        var summary = Summarise(objectPath);
        if (summary.ReferencedFrames.Count > 0) options = options with { ColourFrames = summary.ReferencedFrames };
        var series = DicomReader.ReadSeries(seriesFiles, options);
        if (summary.ReferencedSeriesUids.Count > 0 && series.SeriesInstanceUid is { } uid && !summary.ReferencedSeriesUids.Contains(uid))
        {
            throw new ItemRejectedException(ReferencedSeriesMissing,
                $"{Path.GetFileName(objectPath)} references series {string.Join(", ", summary.ReferencedSeriesUids)}; the images beside it are series {uid}");
        }
        return new StructurePairing(series, summary, Rasterise(objectPath, series));
    }

    /// <summary>Every region of the object as a label map on <paramref name="series"/>'s grid.</summary>
    public static IReadOnlyList<StructureMask> Rasterise(string path, DicomVolume series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var sopToSlice = SliceUids(series);
        return Read(path, (top, name) =>
        {
            var (kind, _) = KindOf(top, name);
            var summary = kind == "RTSTRUCT" ? RtSummary(top) : SegSummary(top, name);
            if (summary.FrameOfReferenceUid is { Length: > 0 } own && series.FrameOfReferenceUid is { Length: > 0 } theirs && own != theirs)
            {
                throw new ItemRejectedException(FrameOfReferenceMismatch,
                    $"{name} is drawn in Frame of Reference {own}, the series it is paired with is in {theirs}: its coordinates do not apply to these images");
            }
            if (kind == "RTSTRUCT" && !series.HasPatientGeometry)
            {
                throw new ItemRejectedException(NoPatientGeometry,
                    $"{name}'s contours are in patient coordinates (mm), and the image it is paired with has no Image Position/Orientation (Patient) to place them by");
            }
            return kind == "RTSTRUCT" ? Contours(top, name, summary, series, sopToSlice) : Segments(path, top, name, summary, series, sopToSlice);
        });
    }

    private static T Read<T>(string path, Func<DicomHeader.Attributes, string, T> parse)
    {
        var name = Path.GetFileName(path);
        // The element walk first, as for images: GDCM never sees a file whose structure has not been checked.
        _ = DicomElementWalk.Read(path, DicomReadOptions.DefaultMaxVoxelBytes);
        GdcmRuntime.EnsureInitialised();
        return DicomHeader.ReadObject(path, top => parse(top, name));
    }

    private static (string Kind, string SopClass) KindOf(DicomHeader.Attributes top, string name)
    {
        var sopClass = top.Text(0x0008, 0x0016) ?? "";
        return sopClass switch
        {
            RtStructureSetStorage => ("RTSTRUCT", sopClass),
            SegmentationStorage => ("SEG", sopClass),
            _ => throw new ItemRejectedException(NotStructure, $"{name} is not an RT Structure Set or a Segmentation (SOP Class {(sopClass.Length > 0 ? sopClass : "missing")})"),
        };
    }

    private static StructureSummary RtSummary(DicomHeader.Attributes top)
    {
        var frames = top.Items(0x3006, 0x0010);
        var frameOfReference = frames.Select(f => f.Text(0x0020, 0x0052)).FirstOrDefault(u => u is { Length: > 0 });
        var series = frames.SelectMany(f => f.Items(0x3006, 0x0012)).SelectMany(s => s.Items(0x3006, 0x0014))
            .Select(s => s.Text(0x0020, 0x000E)).Where(u => u is { Length: > 0 }).Select(u => u!).Distinct().ToList();
        var regions = top.Items(0x3006, 0x0020)
            .Select(r => new StructureRegion(r.Integer(0x3006, 0x0022) ?? 0, (r.Text(0x3006, 0x0026) ?? "").Trim()))
            .OrderBy(r => r.Number).ToList();
        return new StructureSummary("RTSTRUCT", frameOfReference, series, regions);
    }

    private static StructureSummary SegSummary(DicomHeader.Attributes top, string name)
    {
        var series = top.Items(0x0008, 0x1115).Select(s => s.Text(0x0020, 0x000E)).Where(u => u is { Length: > 0 }).Select(u => u!).Distinct().ToList();
        var regions = top.Items(0x0062, 0x0002).Select(s =>
        {
            // The coded concept names the structure in a controlled vocabulary; a tool's free-text label comes next.
            var coded = s.Items(0x0062, 0x000F).Select(c => c.Text(0x0008, 0x0104)).FirstOrDefault(m => m is { Length: > 0 });
            var label = coded ?? s.Text(0x0062, 0x0005) ?? s.Text(0x0062, 0x0006) ?? "";
            return new StructureRegion(s.UShort(0x0062, 0x0004) ?? 0, label.Trim());
        }).OrderBy(r => r.Number).ToList();
        var frames = top.Items(0x5200, 0x9230).Select((f, n) => DerivedFrom(f, $"{name} frame {n + 1}").Frames).SelectMany(f => f).Distinct().Order().ToList();
        return new StructureSummary("SEG", top.Text(0x0020, 0x0052), series, regions) { ReferencedFrames = frames };
    }

    /// <summary>
    /// The image a segmentation frame derives from (PS3.3 C.7.6.16.2.6): Derivation Image Sequence > Source Image
    /// Sequence > Referenced SOP Instance UID, and the Referenced Frame Numbers (1-based) of a multi-frame image.
    /// </summary>
    private static (string? Uid, IReadOnlyList<int> Frames) DerivedFrom(DicomHeader.Attributes frame, string where)
    {
        foreach (var source in frame.Items(0x0008, 0x9124).SelectMany(d => d.Items(0x0008, 0x2112)))
        {
            var uid = source.Text(0x0008, 0x1155);
            if (uid is not { Length: > 0 }) continue;
            var numbers = new List<int>();
            foreach (var part in (source.Text(0x0008, 0x1160) ?? "").Split('\\', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                    throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{where}: Referenced Frame Number '{part}' is not a frame number");
                numbers.Add(n);
            }
            return (uid, numbers);
        }
        return (null, []);
    }

    /// <summary>SOP Instance UID of each slice of the series, in slice order; empty for a multi-frame series (placed by position alone).</summary>
    private static Dictionary<string, int> SliceUids(DicomVolume series)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        if (series.SourceFiles.Count != series.Volume.Shape.Nk) return map;
        for (var k = 0; k < series.SourceFiles.Count; k++)
        {
            var layout = DicomElementWalk.Read(series.SourceFiles[k], DicomReadOptions.DefaultMaxVoxelBytes);
            map[DicomHeader.Read(series.SourceFiles[k], layout).SopInstanceUid] = k;
        }
        return map;
    }

    private static IReadOnlyList<StructureMask> Contours(DicomHeader.Attributes top, string name, StructureSummary summary, DicomVolume series, Dictionary<string, int> sopToSlice)
    {
        var shape = series.Volume.Shape;
        var affine = series.Volume.Affine;
        var byNumber = summary.Regions.ToDictionary(r => r.Number);
        var masks = new List<StructureMask>();
        foreach (var roiContours in top.Items(0x3006, 0x0039))
        {
            var number = roiContours.Integer(0x3006, 0x0084) ?? 0;
            if (!byNumber.TryGetValue(number, out var region) || region.Name.Length == 0) continue;
            var inside = new bool[shape.VoxelCount];
            var contours = roiContours.Items(0x3006, 0x0040);
            for (var c = 0; c < contours.Count; c++)
            {
                var contour = contours[c];
                var where = $"{name}: ROI '{region.Name}' contour {c + 1}";
                var type = (contour.Text(0x3006, 0x0042) ?? "CLOSED_PLANAR").ToUpperInvariant();
                if (type != "CLOSED_PLANAR") continue;   // points and open lines mark, they enclose nothing
                var data = contour.Decimals(0x3006, 0x0050, where, DicomRejects.CorruptHeader) ?? [];
                if (data.Length < 9 || data.Length % 3 != 0)
                    throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{where} has {data.Length} coordinates; a closed contour needs at least 3 points of 3");
                int? referencedSlice = null;
                var referenced = contour.Items(0x3006, 0x0016).Select(i => i.Text(0x0008, 0x1155)).FirstOrDefault(u => u is { Length: > 0 });
                if (referenced is not null && sopToSlice.Count > 0)
                {
                    if (!sopToSlice.TryGetValue(referenced, out var k))
                        throw new ItemRejectedException(MissingImage, $"{where} is drawn on image {referenced}, which is not in the series ({sopToSlice.Count} images)");
                    referencedSlice = k;
                }
                var points = ToIndices(data, affine, where);
                var slice = SliceOf(points, shape, referencedSlice, where);
                CheckSimple(points, where);
                Fill(points, shape, slice, inside);
            }
            masks.Add(new StructureMask(region, Map(inside, series)));
        }
        return masks;
    }

    /// <summary>LPS millimetres to (column, row, slice) indices of the series' grid.</summary>
    private static (double I, double J, double K)[] ToIndices(double[] lps, Affine affine, string where)
    {
        var points = new (double, double, double)[lps.Length / 3];
        for (var n = 0; n < points.Length; n++)
        {
            // The affine maps to RAS: LPS with x and y negated.
            var (i, j, k) = affine.Untransform(-lps[3 * n], -lps[3 * n + 1], lps[3 * n + 2])
                            ?? throw new ItemRejectedException(DicomRejects.InvalidGeometry, $"{where}: the series' grid is degenerate");
            points[n] = (Snap(i), Snap(j), Snap(k));
        }
        return points;
    }

    /// <summary>
    /// A coordinate within a micro-voxel of a voxel centre is on it: decimal text rounds 4.0 to 3.9999999999, and a
    /// contour traced along voxel centres must include or exclude them the way it was drawn, not by rounding noise.
    /// </summary>
    private static double Snap(double v)
    {
        var r = Math.Round(v);
        return Math.Abs(v - r) < 1e-6 ? r : v;
    }

    private static int SliceOf((double I, double J, double K)[] points, GridShape shape, int? referenced, string where)
    {
        var k = referenced ?? (int)Math.Round(points[0].K);
        foreach (var (i, j, pk) in points)
        {
            if (i < -0.5 - IndexTolerance || i > shape.Ni - 0.5 + IndexTolerance || j < -0.5 - IndexTolerance || j > shape.Nj - 0.5 + IndexTolerance
                || pk < -0.5 || pk > shape.Nk - 0.5)
            {
                throw new ItemRejectedException(OutsideGrid, string.Create(CultureInfo.InvariantCulture,
                    $"{where} leaves the series' {shape} grid (a point at column {i:0.##}, row {j:0.##}, slice {pk:0.##})"));
            }
            if (Math.Abs(pk - k) > IndexTolerance)
            {
                throw new ItemRejectedException(OffSlice, string.Create(CultureInfo.InvariantCulture,
                    $"{where} is not on slice {k} of the series: a point lies at slice position {pk:0.###}"));
            }
        }
        return k;
    }

    /// <summary>A closed contour must not cross itself (PS3.3 C.8.8.6.1 asks for simple polygons); crossing edges have no inside.</summary>
    private static void CheckSimple((double I, double J, double K)[] p, string where)
    {
        var n = p.Length;
        for (var a = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++)
            {
                if (b == a + 1 || (a == 0 && b == n - 1)) continue;   // neighbours share a corner
                if (Cross(p[a], p[(a + 1) % n], p[b], p[(b + 1) % n]))
                    throw new ItemRejectedException(SelfIntersecting, $"{where} crosses itself (edges {a + 1} and {b + 1})");
            }
        }
    }

    private static bool Cross((double I, double J, double K) a, (double I, double J, double K) b, (double I, double J, double K) c, (double I, double J, double K) d)
    {
        static double Side((double I, double J, double K) o, (double I, double J, double K) p, (double I, double J, double K) q) =>
            (p.I - o.I) * (q.J - o.J) - (p.J - o.J) * (q.I - o.I);
        double d1 = Side(c, d, a), d2 = Side(c, d, b), d3 = Side(a, b, c), d4 = Side(a, b, d);
        return (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0);
    }

    /// <summary>Toggles the voxel centres inside the polygon (even-odd, so a contour inside another cuts a hole).</summary>
    private static void Fill((double I, double J, double K)[] p, GridShape shape, int k, bool[] inside)
    {
        var n = p.Length;
        var crossings = new List<double>();
        for (var j = 0; j < shape.Nj; j++)
        {
            crossings.Clear();
            for (var e = 0; e < n; e++)
            {
                var (a, b) = (p[e], p[(e + 1) % n]);
                // Half-open rule: an edge counts when the row lies in [min, max) of its ends, so shared vertices count once.
                if ((a.J <= j && b.J > j) || (b.J <= j && a.J > j))
                    crossings.Add(a.I + (j - a.J) * (b.I - a.I) / (b.J - a.J));
            }
            crossings.Sort();
            for (var c = 0; c + 1 < crossings.Count; c += 2)
            {
                var from = Math.Max(0, (int)Math.Ceiling(crossings[c]));
                var to = Math.Min(shape.Ni - 1, (int)Math.Ceiling(crossings[c + 1]) - 1);
                for (var i = from; i <= to; i++)
                {
                    var at = i + (long)shape.Ni * (j + (long)shape.Nj * k);
                    inside[at] = !inside[at];
                }
            }
        }
    }

    private static LabelMap Map(bool[] inside, DicomVolume series)
    {
        var voxels = new byte[inside.Length];
        for (var n = 0; n < inside.Length; n++) voxels[n] = inside[n] ? (byte)1 : (byte)0;
        return LabelMap.From(new Volume<byte>(voxels, series.Volume.Shape, series.Volume.Affine));
    }

    private static IReadOnlyList<StructureMask> Segments(string path, DicomHeader.Attributes top, string name, StructureSummary summary, DicomVolume series,
        Dictionary<string, int> sopToSlice)
    {
        var shape = series.Volume.Shape;
        int rows = top.UShort(0x0028, 0x0010) ?? 0, columns = top.UShort(0x0028, 0x0011) ?? 0, bits = top.UShort(0x0028, 0x0100) ?? 0;
        var frames = top.Integer(0x0028, 0x0008) ?? 1;
        var type = (top.Text(0x0062, 0x0001) ?? "").ToUpperInvariant();
        if (columns != shape.Ni || rows != shape.Nj)
        {
            throw new ItemRejectedException("geometry-mismatch",
                $"{name} has {columns}x{rows} frames, the series' slices are {shape.Ni}x{shape.Nj}: it is not drawn on this series' grid");
        }
        if (!(type == "BINARY" && bits == 1 || type == "FRACTIONAL" && bits == 8))
            throw new ItemRejectedException(DicomRejects.UnsupportedPixelFormat, $"{name}: a {type} segmentation with {bits} bits allocated (read: BINARY of 1 bit, FRACTIONAL of 8)");
        var maxFraction = top.UShort(0x0062, 0x000E) is { } m && m > 0 ? m : 255;
        var shared = top.Items(0x5200, 0x9229).FirstOrDefault();
        var perFrame = top.Items(0x5200, 0x9230);
        if (perFrame.Count != frames)
            throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{name}: {perFrame.Count} per-frame functional groups for {frames} frames");

        var layout = DicomElementWalk.Read(path, DicomReadOptions.DefaultMaxVoxelBytes);
        var frameSize = (long)rows * columns;
        var needed = bits == 1 ? (frameSize * frames + 7) / 8 : frameSize * frames;
        if (layout.PixelDataOffset < 0 || layout.PixelDataLength < needed)
            throw new ItemRejectedException(DicomRejects.CorruptPixelData, $"{name}: the segmentation's pixel data is compressed or shorter than its {frames} frames ({needed} bytes)");
        var pixels = new byte[needed];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            file.Position = layout.PixelDataOffset;
            file.ReadExactly(pixels);
        }

        var masks = summary.Regions.ToDictionary(r => r.Number, _ => new bool[shape.VoxelCount]);
        for (var f = 0; f < frames; f++)
        {
            var where = $"{name} frame {f + 1}";
            DicomHeader.Attributes? Macro(ushort g, ushort e) => perFrame[f].Items(g, e).FirstOrDefault() ?? shared?.Items(g, e).FirstOrDefault();
            var segment = Macro(0x0062, 0x000A)?.UShort(0x0062, 0x000B)
                          ?? throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{where} names no segment (Segment Identification Sequence)");
            if (!masks.TryGetValue(segment, out var mask))
                throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{where} belongs to segment {segment}, which the Segment Sequence does not define");
            if (series.Colour is { } colour && ColourFrameTarget(perFrame[f], where, series, colour, sopToSlice) is { } placed)
            {
                // A colour image is one frame: the segmentation frame lies on it, or annotates another frame of the cine.
                if (placed) Set(pixels, f, frameSize, bits, maxFraction, mask, 0);
                continue;
            }
            var position = Macro(0x0020, 0x9113)?.Decimals(0x0020, 0x0032, where)
                           ?? throw new ItemRejectedException(DicomRejects.MissingSlicePosition, $"{where} has no Plane Position (Patient)");
            var at = series.Volume.Affine.Untransform(-position[0], -position[1], position[2])
                     ?? throw new ItemRejectedException(DicomRejects.InvalidGeometry, $"{where}: the series' grid is degenerate");
            var k = (int)Math.Round(at.K);
            if (Math.Abs(at.I) > IndexTolerance || Math.Abs(at.J) > IndexTolerance || Math.Abs(at.K - k) > IndexTolerance || k < 0 || k >= shape.Nk)
            {
                throw new ItemRejectedException("geometry-mismatch", string.Create(CultureInfo.InvariantCulture,
                    $"{where} at ({position[0]}, {position[1]}, {position[2]}) mm is not on a slice of the series ({series.Volume.Grid.Describe()})"));
            }
            Set(pixels, f, frameSize, bits, maxFraction, mask, k);
        }
        return summary.Regions.Where(r => r.Name.Length > 0).Select(r => new StructureMask(r, Map(masks[r.Number], series))).ToList();
    }

    /// <summary>Marks slice <paramref name="k"/> of <paramref name="mask"/> where segmentation frame <paramref name="f"/> is set.</summary>
    private static void Set(byte[] pixels, int f, long frameSize, int bits, int maxFraction, bool[] mask, int k)
    {
        for (var n = 0L; n < frameSize; n++)
        {
            var bit = f * frameSize + n;
            // Binary segmentations pack frames end to end, least significant bit first (PS3.5 8.1.1, PS3.3 C.8.20.2).
            var set = bits == 1 ? (pixels[bit >> 3] >> (int)(bit & 7) & 1) == 1 : pixels[bit] * 2 >= maxFraction;
            if (set) mask[n + frameSize * k] = true;
        }
    }

    /// <summary>
    /// Where a segmentation frame goes on a colour image (a photograph, an endoscopy or ultrasound frame: often no patient
    /// geometry, and a cine's frames share one position): by the image it derives from. True: on the shown frame; false:
    /// on another frame of the cine; null: it names no source image, so a single-frame image with patient geometry
    /// places it by Plane Position. A reference to another image, or a multi-frame reference without frame numbers,
    /// is a named reject.
    /// </summary>
    private static bool? ColourFrameTarget(DicomHeader.Attributes frame, string where, DicomVolume series, RgbFrame colour, Dictionary<string, int> sopToSlice)
    {
        var (uid, frames) = DerivedFrom(frame, where);
        if (uid is null)
        {
            if (colour.FrameCount == 1 && series.HasPatientGeometry) return null;
            throw new ItemRejectedException(MissingImage,
                $"{where} names no source image (Derivation Image Sequence), and the colour image has {(colour.FrameCount > 1 ? $"{colour.FrameCount} frames" : "no patient geometry")} to place it by");
        }
        if (!sopToSlice.ContainsKey(uid))
            throw new ItemRejectedException(MissingImage, $"{where} is drawn on image {uid}, which is not the colour image it is paired with");
        if (colour.FrameCount == 1) return frames.Count == 0 || frames.Contains(1)
            ? true
            : throw new ItemRejectedException(MissingImage, $"{where} is drawn on frame {string.Join(", ", frames)} of a single-frame image");
        if (frames.Count == 0)
            throw new ItemRejectedException(MissingImage, $"{where} names the {colour.FrameCount}-frame image but not which frame (Referenced Frame Number)");
        return frames.Contains(colour.Frame + 1);
    }
}

using GmaiBench.Imaging.Colour;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Demo;

/// <summary>
/// The demo's clinical DICOM objects: colour endoscopy frames stored in each colour encoding DICOM has (labelled by a
/// table), endoscopy frames with DICOM-SEG polyp segmentations, CT series with RT Structure Sets drawn as contours, and
/// CT series with binary Segmentations.
/// </summary>
public static partial class DemoCorpus
{
    /// <summary>Endoscopy findings of the colour demo, as the table writes them.</summary>
    private static readonly string[] EndoscopyFindings = ["polyp", "ulcerative colitis", "normal z-line"];

    /// <summary>
    /// Twelve synthetic endoscopy frames (64 x 48) as colour DICOM: RGB by pixel and by plane, YBR_FULL, YBR_FULL_422,
    /// PALETTE COLOR, a three-frame cine, an RLE-compressed and a big endian file; labelled by a findings table.
    /// </summary>
    private static void WriteColourDicom(string dir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dir, "images")).FullName;
        var table = new StringBuilder("path,finding\n");
        for (var n = 0; n < 12; n++)
        {
            var finding = n % 3;
            var name = $"scope_{n:000}.dcm";
            var rgb = EndoscopyFrame(n, finding);
            var encoding = n == 7 ? DicomEncoding.ExplicitVrBigEndian : DicomEncoding.ExplicitVrLittleEndian;
            var (photometric, samples, planar, pixels, frames) = (n % 6) switch
            {
                0 => ("RGB", 3, 0, rgb, 1),
                1 => ("RGB", 3, 1, ColourSamples.ToPlanes(rgb), 1),
                2 => ("YBR_FULL", 3, 0, ToYbr(rgb), 1),
                3 => ("YBR_FULL_422", 3, 0, ToYbr422(rgb), 1),
                4 => ("PALETTE COLOR", 1, 0, Quantise(rgb), 1),
                _ => ("RGB", 3, 0, Cine(rgb), 3),
            };
            var d = new DicomDataSet()
                .Text(0x0008, 0x0016, "UI", frames > 1 ? "1.2.840.10008.5.1.4.1.1.77.1.1.1" : "1.2.840.10008.5.1.4.1.1.7")
                .Text(0x0008, 0x0018, "UI", DicomUid.FromSeed($"endoscopy/{n}/instance"))
                .Text(0x0008, 0x0020, "DA", "20000101")
                .Text(0x0008, 0x0030, "TM", "000000")
                .Text(0x0008, 0x0060, "CS", "ES")
                .Text(0x0010, 0x0020, "LO", $"DEMO-SCOPE-{n / 2:00}")
                .Text(0x0020, 0x000D, "UI", DicomUid.FromSeed($"endoscopy/{n / 2}/study"))
                .Text(0x0020, 0x000E, "UI", DicomUid.FromSeed($"endoscopy/{n}/series"))
                .UShort(0x0028, 0x0002, (ushort)samples)
                .Text(0x0028, 0x0004, "CS", photometric)
                .UShort(0x0028, 0x0010, 48)
                .UShort(0x0028, 0x0011, 64)
                .UShort(0x0028, 0x0100, 8).UShort(0x0028, 0x0101, 8).UShort(0x0028, 0x0102, 7).UShort(0x0028, 0x0103, 0)
                .Binary(0x7FE0, 0x0010, "OB", pixels, 1);
            if (samples == 3) d.UShort(0x0028, 0x0006, (ushort)planar);
            if (frames > 1) d.Integer(0x0028, 0x0008, frames);
            if (photometric == "PALETTE COLOR") AddPalette(d);
            var path = Path.Combine(images, name);
            d.WriteFile(path, encoding);
            if (n == 6)
            {
                // One compressed file: GDCM's RLE encoder, decoded back by GDCM.
                DicomWriter.Transcode(path, path + ".rle", DicomTransferSyntax.RleLossless);
                File.Move(path + ".rle", path, overwrite: true);
            }
            table.Append(CultureInfo.InvariantCulture, $"{name},{EndoscopyFindings[finding]}\n");
        }
        File.WriteAllText(Path.Combine(dir, "findings.csv"), table.ToString());
    }

    /// <summary>A pink mucosa with a vignette; a polyp is a raised bright dome, colitis red patches, the z-line a pale band.</summary>
    private static byte[] EndoscopyFrame(int n, int finding) => EndoscopyFrame(n, finding, out _, out _);

    /// <summary><see cref="EndoscopyFrame(int, int)"/>, with the centre of its finding (the polyp's dome: radius 9).</summary>
    private static byte[] EndoscopyFrame(int n, int finding, out double cx, out double cy)
    {
        const int w = 64, h = 48;
        var rng = Prng.For(Seed, $"scope/{n}", "colour");
        cx = 20 + rng.NextInt(24);
        cy = 14 + rng.NextInt(20);
        var rgb = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            double dx = (x - w / 2.0) / (w / 2.0), dy = (y - h / 2.0) / (h / 2.0);
            var light = Math.Max(0, 1 - 0.6 * (dx * dx + dy * dy));
            double r = 200 * light, g = 110 * light, b = 100 * light;
            var d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
            switch (finding)
            {
                case 0 when d < 9: r += 40 * (1 - d / 9); g += 50 * (1 - d / 9); b += 30 * (1 - d / 9); break;
                case 1 when (x * 7 + y * 13 + n) % 11 < 3: r = Math.Min(255, r + 45); g *= 0.6; b *= 0.6; break;
                case 2 when Math.Abs(y - cy) < 3: r += 30; g += 60; b += 60; break;
            }
            var at = (y * w + x) * 3;
            rgb[at] = (byte)Math.Clamp(r + rng.NextInt(6), 0, 255);
            rgb[at + 1] = (byte)Math.Clamp(g + rng.NextInt(6), 0, 255);
            rgb[at + 2] = (byte)Math.Clamp(b + rng.NextInt(6), 0, 255);
        }
        return rgb;
    }

    /// <summary>Full-range BT.601 YCbCr (PS3.3 C.7.6.3.1.2), the inverse of the reader's conversion.</summary>
    private static (byte Y, byte Cb, byte Cr) Ybr(byte r, byte g, byte b) =>
        (Byte(0.299 * r + 0.587 * g + 0.114 * b), Byte(-0.168736 * r - 0.331264 * g + 0.5 * b + 128), Byte(0.5 * r - 0.418688 * g - 0.081312 * b + 128));

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, 255);

    private static byte[] ToYbr(byte[] rgb)
    {
        var ybr = new byte[rgb.Length];
        for (var n = 0; n < rgb.Length; n += 3) (ybr[n], ybr[n + 1], ybr[n + 2]) = Ybr(rgb[n], rgb[n + 1], rgb[n + 2]);
        return ybr;
    }

    /// <summary>YBR_FULL_422 as stored: Y1 Y2 Cb Cr per pair of pixels, the chroma averaged over the pair.</summary>
    private static byte[] ToYbr422(byte[] rgb)
    {
        var ybr = ToYbr(rgb);
        var stored = new byte[rgb.Length / 3 * 2];
        for (var pair = 0; pair < rgb.Length / 6; pair++)
        {
            stored[pair * 4] = ybr[pair * 6];
            stored[pair * 4 + 1] = ybr[pair * 6 + 3];
            stored[pair * 4 + 2] = (byte)((ybr[pair * 6 + 1] + ybr[pair * 6 + 4] + 1) / 2);
            stored[pair * 4 + 3] = (byte)((ybr[pair * 6 + 2] + ybr[pair * 6 + 5] + 1) / 2);
        }
        return stored;
    }

    /// <summary>
    /// Three endoscopy frames with a polyp and an inflamed red patch, each with a binary DICOM-SEG of the polyp's dome
    /// (the pixels within 8 of its centre) and of the patch (colitis), referencing the image by SOP Instance, as colour
    /// images have no patient geometry: an RGB frame, a YBR_FULL frame, and a three-frame cine segmented on its first
    /// frame (shown there, not at its middle frame).
    /// </summary>
    private static void WriteColourSegmentations(string dir)
    {
        const int w = 64, h = 48;
        var series = Directory.CreateDirectory(Path.Combine(dir, "series")).FullName;
        for (var n = 0; n < 3; n++)
        {
            var name = $"polyp_{n:000}";
            var folder = Directory.CreateDirectory(Path.Combine(series, name)).FullName;
            var rgb = EndoscopyFrame(100 + n, 0, out var cx, out var cy);
            // The patch: an ellipse 7 x 4 on the side away from the polyp, reddened.
            double px = cx < w / 2.0 ? 50 : 14, py = cy < h / 2.0 ? 36 : 12;
            var patch = new bool[w * h];
            for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                if ((x - px) * (x - px) / 49 + (y - py) * (y - py) / 16 > 1) continue;
                patch[y * w + x] = true;
                var at = (y * w + x) * 3;
                rgb[at] = (byte)Math.Min(255, rgb[at] + 50);
                rgb[at + 1] = (byte)(rgb[at + 1] / 2);
                rgb[at + 2] = (byte)(rgb[at + 2] / 2);
            }
            var frames = n == 2 ? 3 : 1;
            // The cine's first frame is the polyp frame; the others are darker and brighter copies.
            var pixels = n switch { 0 => rgb, 1 => ToYbr(rgb), _ => [.. rgb, .. rgb.Select(v => (byte)(v / 2)), .. rgb.Select(v => (byte)Math.Min(255, v + 40))] };
            var sopClass = frames > 1 ? "1.2.840.10008.5.1.4.1.1.77.1.1.1" : "1.2.840.10008.5.1.4.1.1.7";
            var image = new ReferencedImage($"DEMO-POLYP-{n:00}", DicomUid.FromSeed($"polyp/{n}/study"), DicomUid.FromSeed($"polyp/{n}/series"), sopClass,
                DicomUid.FromSeed($"polyp/{n}/instance"), w, h, frames);
            var d = new DicomDataSet()
                .Text(0x0008, 0x0016, "UI", sopClass)
                .Text(0x0008, 0x0018, "UI", image.SopInstanceUid)
                .Text(0x0008, 0x0020, "DA", "20000101")
                .Text(0x0008, 0x0030, "TM", "000000")
                .Text(0x0008, 0x0060, "CS", "ES")
                .Text(0x0010, 0x0020, "LO", image.PatientId)
                .Text(0x0020, 0x000D, "UI", image.StudyInstanceUid)
                .Text(0x0020, 0x000E, "UI", image.SeriesInstanceUid)
                .UShort(0x0028, 0x0002, 3)
                .Text(0x0028, 0x0004, "CS", n == 1 ? "YBR_FULL" : "RGB")
                .UShort(0x0028, 0x0006, 0)
                .UShort(0x0028, 0x0010, h)
                .UShort(0x0028, 0x0011, w)
                .UShort(0x0028, 0x0100, 8).UShort(0x0028, 0x0101, 8).UShort(0x0028, 0x0102, 7).UShort(0x0028, 0x0103, 0)
                .Binary(0x7FE0, 0x0010, "OB", pixels, 1);
            if (frames > 1) d.Integer(0x0028, 0x0008, frames);
            d.WriteFile(Path.Combine(folder, "frame.dcm"));
            var dome = new bool[w * h];
            for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                dome[y * w + x] = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 64;
            StructureWriter.WriteImageSegmentation(Path.Combine(folder, "SEG_polyp.dcm"), image,
                [(new SegmentVoxels(1, "Segment_1", "Polyp", dome), frames > 1 ? 1 : 0), (new SegmentVoxels(2, "Segment_2", "Ulcerative colitis", patch), frames > 1 ? 1 : 0)],
                $"polyp/{n}/segmentation");
        }
    }

    /// <summary>A 6 x 6 x 6 colour cube palette: each pixel's nearest entry.</summary>
    private static byte[] Quantise(byte[] rgb)
    {
        var indices = new byte[rgb.Length / 3];
        for (var n = 0; n < indices.Length; n++)
            indices[n] = (byte)(Level(rgb[n * 3]) * 36 + Level(rgb[n * 3 + 1]) * 6 + Level(rgb[n * 3 + 2]));
        return indices;
    }

    private static int Level(byte v) => (v * 5 + 127) / 255;

    private static void AddPalette(DicomDataSet d)
    {
        for (var c = 0; c < 3; c++)
        {
            var table = new byte[216 * 2];
            for (var i = 0; i < 216; i++)
            {
                var level = c switch { 0 => i / 36, 1 => i / 6 % 6, _ => i % 6 };
                var value = (ushort)(level * 51 * 257);
                table[i * 2] = (byte)value;
                table[i * 2 + 1] = (byte)(value >> 8);
            }
            d.Binary(0x0028, (ushort)(0x1101 + c), "US", [216, 0, 0, 0, 16, 0], 2);
            d.Binary(0x0028, (ushort)(0x1201 + c), "OW", table, 2);
        }
    }

    /// <summary>Three frames of a cine: darker, the frame itself (the middle one the reader shows), brighter.</summary>
    private static byte[] Cine(byte[] rgb) =>
        [.. rgb.Select(v => (byte)(v / 2)), .. rgb, .. rgb.Select(v => (byte)Math.Min(255, v + 40))];

    /// <summary>The organs a planner contours, with the phantom's organ parameters (CtOrgans) they follow.</summary>
    private static readonly (int Number, string Name, int Organ)[] PlannedRois = [(1, "Liver", 0), (2, "Spleen", 1), (3, "Kidney_R", 2), (4, "Kidney_L", 3)];

    /// <summary>
    /// CT series with RT Structure Sets: each organ contoured on every slice it crosses by a 24-point polygon around the
    /// phantom's ellipse there (as a planner draws, not voxel-exact). A third structure set has a contour leaving the
    /// grid: a named reject in the report.
    /// </summary>
    private static void WriteRtStructures(string dir)
    {
        var series = Directory.CreateDirectory(Path.Combine(dir, "series")).FullName;
        for (var n = 0; n < 3; n++)
        {
            var name = $"plan_{n:000}";
            var (image, _) = CtPhantom(name);
            var options = new DicomWriteOptions { PatientId = $"DEMO-PLAN-{n:00}", Seed = "rt/" + name };
            DicomWriter.WriteSeries(Path.Combine(series, name), image, options);
            var referenced = ReferencedSeries.Of(image, options);
            var rois = PlannedRois.Select(r => new RoiContours(r.Number, r.Name, OrganContours(name, image.Shape, r.Organ))).ToList();
            if (n == 2)
                rois[1] = rois[1] with { Contours = [new ContourPolygon(12, [(70, 10), (95, 10), (95, 30), (70, 30)]), .. rois[1].Contours] };
            StructureWriter.WriteRtStruct(Path.Combine(series, name, "RS_plan.dcm"), referenced, rois, "rt/" + name + "/structures");
        }
    }

    /// <summary>CT series with binary Segmentations of liver and spleen, voxel-exact from the phantom's label map, named by coded concepts.</summary>
    private static void WriteSegmentations(string dir)
    {
        var series = Directory.CreateDirectory(Path.Combine(dir, "series")).FullName;
        for (var n = 0; n < 3; n++)
        {
            var name = $"organs_{n:000}";
            var (image, labels) = CtPhantom(name);
            var options = new DicomWriteOptions { PatientId = $"DEMO-SEG-{n:00}", Seed = "seg/" + name, TransferSyntax = DicomTransferSyntax.RleLossless };
            DicomWriter.WriteSeries(Path.Combine(series, name), image, options);
            var values = labels.StoredVoxels.ToArray();
            SegmentVoxels Segment(int number, string label, string meaning, int value) => new(number, label, meaning, values.Select(v => v == value).ToArray());
            StructureWriter.WriteSegmentation(Path.Combine(series, name, "SEG_organs.dcm"), ReferencedSeries.Of(image, options),
                [Segment(1, "Segment_1", "Liver", 1), Segment(2, "Segment_2", "Spleen", 2)], "seg/" + name + "/segmentation");
        }
    }

    /// <summary>Polygons around organ <paramref name="organ"/>'s ellipse on each slice of the phantom it crosses (voxel indices).</summary>
    private static List<ContourPolygon> OrganContours(string name, GridShape shape, int organ)
    {
        // The phantom's jitter, drawn in the same order as CtPhantom draws it.
        var rng = Prng.For(Seed, name, "ct3d");
        double gx = (rng.NextInt(9) - 4) / 100.0, gy = (rng.NextInt(9) - 4) / 100.0, gs = 0.9 + rng.NextInt(21) / 100.0;
        var o = CtOrgans[organ];
        var contours = new List<ContourPolygon>();
        for (var k = 0; k < shape.Nk; k++)
        {
            var dz = ((double)k / shape.Nk - o.Z) / o.Rz;
            if (dz * dz >= 0.8) continue;
            var scale = Math.Sqrt(1 - dz * dz);
            double cx = (0.5 + (o.X - 0.5) * gs + gx) * shape.Ni, cy = (0.5 + (o.Y - 0.5) * gs + gy) * shape.Nj;
            double rx = o.Rx * gs * shape.Ni * scale, ry = o.Ry * gs * shape.Nj * scale;
            var points = Enumerable.Range(0, 24).Select(p => (cx + rx * Math.Cos(p * Math.PI / 12), cy + ry * Math.Sin(p * Math.PI / 12)))
                .Select(p => (Math.Round(p.Item1, 2), Math.Round(p.Item2, 2))).ToList();
            contours.Add(new ContourPolygon(k, points));
        }
        return contours;
    }
}

using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Nifti;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Demo;

/// <summary>
/// The demo corpus: small synthetic, licence-clean classification sources made deterministically by this code
/// (fundus photographs in class folders, 16-bit chest radiographs and dermoscopy images with label tables), plus
/// deliberately broken files so a demo build shows every kind of reject.
/// </summary>
public static partial class DemoCorpus
{
    public const ulong Seed = 7;

    /// <summary>Files the demo breaks on purpose, relative to the corpus root, with the reject each must cause.</summary>
    public static readonly IReadOnlyDictionary<string, string> BrokenFiles = new Dictionary<string, string>
    {
        ["fundus/normal/p900_corrupt.png"] = "corrupt-image",
        ["fundus/glaucoma/p901_truncated.jpg"] = "truncated-image",
        ["fundus/AMD/p902_empty.png"] = "empty-file",
        ["fundus/normal/p903_huge.png"] = "image-too-large",
        ["fundus/Diabetic_Retinopathy/p904_not_an_image.png"] = "unknown-format",
    };

    public static void Write(string root)
    {
        Directory.CreateDirectory(root);
        WriteFundus(Path.Combine(root, "fundus"));
        WriteChestXray(Path.Combine(root, "chest-xray"));
        WriteDermoscopy(Path.Combine(root, "dermoscopy"));
        WriteAbdomenSlices(Path.Combine(root, "abdomen-ct-2d"));
        WriteBloodSmears(Path.Combine(root, "blood-smear"));
        WriteCtVolumes(Path.Combine(root, "ct-3d"));
        WriteDicomSeries(Path.Combine(root, "ct-dicom"));
        WriteDicomClassified(Path.Combine(root, "ct-dicom-findings"));
        WriteColourDicom(Path.Combine(root, "endoscopy-dicom"));
        WriteColourSegmentations(Path.Combine(root, "endoscopy-seg"));
        WriteRtStructures(Path.Combine(root, "ct-rtstruct"));
        WriteSegmentations(Path.Combine(root, "ct-seg"));
        WriteBroken(root);
        // The demo's patient-key secret ships with the corpus (its data is synthetic), so every machine builds the same
        // splits; a real project keeps its secret outside the repository (pipelines: patient_key).
        File.WriteAllText(Path.Combine(root, PatientKeyFile), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("gmai-demo-corpus-patient-key"u8)) + "\n");
    }

    /// <summary>The demo's patient-key secret file, under the corpus root.</summary>
    public const string PatientKeyFile = "patient-key.demo";

    private static void WriteFundus(string dir)
    {
        string[] classes = ["normal", "Diabetic_Retinopathy", "glaucoma", "AMD"];
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(dir).FullName, "README.txt"), "Synthetic fundus photographs, one folder per class.\n");
        for (var c = 0; c < classes.Length; c++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir, classes[c])).FullName;
            for (var p = 0; p < 6; p++)
            {
                foreach (var eye in new[] { "OD", "OS" })
                {
                    var name = $"p{c}{p:00}_{eye}";
                    var rng = Prng.For(Seed, name, "fundus");
                    var canvas = Fundus(rng, c, eye == "OD", 224);
                    var i = p * 2 + (eye == "OD" ? 0 : 1);
                    if (i % 4 == 1) Save(canvas, Path.Combine(folder, name + ".jpg"), new JpegEncoder { Quality = 92 });
                    else if (i % 6 == 2) SaveRgba(canvas, Path.Combine(folder, name + ".png"));
                    else Save(canvas, Path.Combine(folder, name + ".png"), new PngEncoder());
                }
            }
        }
    }

    private static Canvas Fundus(Prng rng, int cls, bool rightEye, int size)
    {
        var c = new Canvas(size, size);
        c.Fill(0.02f, 0.01f, 0.01f);
        // Each photograph framed a little differently (position, field size, exposure), as real ones are.
        double cx = size / 2.0 + rng.NextInt(41) - 20, cy = size / 2.0 + rng.NextInt(41) - 20, r = size * (0.30 + rng.NextInt(15) / 100.0);
        var exposure = 0.75f + rng.NextInt(50) / 100f;
        c.Ellipse(cx, cy, r, r, 0.78f * exposure, 0.33f * exposure, 0.12f * exposure, 1, 0.04, 0.2 + rng.NextInt(30) / 100.0);
        var discX = cx + (rightEye ? 1 : -1) * r * 0.45;
        var discY = cy - r * 0.05 + (rng.NextInt(11) - 5);
        for (var v = 0; v < 8; v++)
        {
            var angle = v * Math.PI / 4 + rng.NextInt(100) / 250.0;
            var len = r * (0.6 + rng.NextInt(30) / 100.0);
            c.Line(discX, discY, discX + Math.Cos(angle) * len, discY + Math.Sin(angle) * len * 0.8, 2.2, 0.45f, 0.08f, 0.05f, 0.8);
        }
        var discR = r * 0.13;
        c.Ellipse(discX, discY, discR, discR, 0.98f, 0.85f, 0.55f, 1, 0.3);
        var cup = cls == 2 ? 0.8 : 0.35;
        c.Ellipse(discX, discY, discR * cup, discR * cup, 1f, 0.96f, 0.85f, 1, 0.4);
        c.Ellipse(cx - (rightEye ? 1 : -1) * r * 0.1, cy, r * 0.1, r * 0.1, 0.45f, 0.15f, 0.06f, 0.6, 0.8);
        if (cls == 1)
        {
            for (var k = 0; k < 25; k++)
            {
                double a = rng.NextInt(628) / 100.0, d = r * rng.NextInt(80) / 100.0;
                c.Ellipse(cx + Math.Cos(a) * d, cy + Math.Sin(a) * d, 1.8, 1.8, 0.5f, 0.02f, 0.02f, 1, 0.3);
            }
            for (var k = 0; k < 8; k++)
            {
                double a = rng.NextInt(628) / 100.0, d = r * rng.NextInt(60) / 100.0;
                c.Ellipse(cx + Math.Cos(a) * d, cy + Math.Sin(a) * d, 3, 2.2, 0.98f, 0.9f, 0.4f, 0.9, 0.5);
            }
        }
        if (cls == 3)
        {
            var mx = cx - (rightEye ? 1 : -1) * r * 0.1;
            for (var k = 0; k < 18; k++)
                c.Ellipse(mx + rng.NextInt(41) - 20, cy + rng.NextInt(41) - 20, 2.8, 2.8, 0.95f, 0.88f, 0.45f, 0.9, 0.6);
        }
        c.Noise(rng, 0.03f);
        return c;
    }

    private static void WriteChestXray(string dir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dir, "images")).FullName;
        // The last class holds two findings: a multi-label row, so the demo has multi-choice items.
        string[] raw = ["Normal", "Pneumonia", "PNEUMOTHORAX", "enlarged heart", "enlarged heart;Pneumonia"];
        var table = new StringBuilder("file,finding,patient_id\n");
        var n = 0;
        for (var c = 0; c < raw.Length; c++)
        {
            for (var k = 0; k < (c == 4 ? 8 : 12); k++, n++)
            {
                var patient = $"CXR{c}{k / 2:00}";
                var name = $"cxr_{n:000}";
                var rng = Prng.For(Seed, name, "xray");
                var pixels = ChestXray(rng, c, 288);
                string file;
                if (k == 5) { file = name + ".bmp"; SaveGray8(pixels, 288, Path.Combine(images, file)); }
                else if (k == 9) { file = name + ".tif"; SaveGray16(pixels, 288, Path.Combine(images, file), tiff: true); }
                else { file = name + ".png"; SaveGray16(pixels, 288, Path.Combine(images, file), tiff: false); }
                table.Append(CultureInfo.InvariantCulture, $"{file},{raw[c]},{patient}\n");
            }
        }
        // One row whose file is missing, and one with a finding the taxonomy does not know.
        table.Append("cxr_999.png,Pneumonia,CXR999\n");
        var extra = "cxr_998.png";
        SaveGray16(ChestXray(Prng.For(Seed, extra, "xray"), 0, 288), 288, Path.Combine(images, extra), tiff: false);
        table.Append(CultureInfo.InvariantCulture, $"{extra},ground-glass halo sign,CXR998\n");
        File.WriteAllText(Path.Combine(dir, "labels.csv"), table.ToString());
    }

    /// <summary>A radiograph-like 12-bit image stored in 16 bits with an offset (so the percentile window matters).</summary>
    private static ushort[] ChestXray(Prng rng, int cls, int size)
    {
        var c = new Canvas(size, size);
        c.Fill(0.05f, 0.05f, 0.05f);
        // Patients differ in size and position on the detector.
        var scale = 0.8 + rng.NextInt(31) / 100.0;
        double cx = size / 2.0 + rng.NextInt(49) - 24, cy = size * 0.52 + rng.NextInt(41) - 20;
        var u = size * scale;
        c.Ellipse(cx, cy, u * 0.44, u * 0.48, 0.55f, 0.55f, 0.55f, 1, 0.1);
        var lungL = (x: cx - u * 0.18, y: cy - u * 0.04);
        var lungR = (x: cx + u * 0.18, y: cy - u * 0.04);
        c.Ellipse(lungL.x, lungL.y, u * 0.14, u * 0.3, 0.12f, 0.12f, 0.12f, 1, 0.3);
        c.Ellipse(lungR.x, lungR.y, u * 0.14, u * 0.3, 0.12f, 0.12f, 0.12f, 1, 0.3);
        for (var i = 0; i < 7; i++)
        {
            var y = cy - u * 0.28 + i * u * 0.075;
            c.Line(cx - u * 0.02, y, cx - u * 0.33, y + u * 0.05, 3, 0.7f, 0.7f, 0.7f, 0.5);
            c.Line(cx + u * 0.02, y, cx + u * 0.33, y + u * 0.05, 3, 0.7f, 0.7f, 0.7f, 0.5);
        }
        c.Line(cx, cy - u * 0.47, cx, cy + u * 0.43, u * 0.05, 0.85f, 0.85f, 0.85f, 0.9);
        var heart = cls is 3 or 4 ? 0.2 : 0.12;
        c.Ellipse(cx + u * 0.04, cy + u * 0.12, u * heart, u * heart * 0.85, 0.75f, 0.75f, 0.75f, 0.95, 0.4);
        if (cls is 1 or 4)
            c.Ellipse(lungR.x + rng.NextInt(11) - 5, lungR.y + u * 0.12, u * 0.09, u * 0.1, 0.6f, 0.6f, 0.6f, 0.8, 0.9);
        if (cls == 2)
            c.Ellipse(lungL.x - u * 0.03, lungL.y - u * 0.16, u * 0.1, u * 0.12, 0.0f, 0.0f, 0.0f, 1, 0.15);
        c.Noise(rng, 0.04f);
        var result = new ushort[size * size];
        var gain = 6 + rng.NextInt(5);
        for (var i = 0; i < result.Length; i++)
            result[i] = (ushort)(8000 + Math.Clamp(c.R[i], 0f, 1f) * 4095 * gain);
        return result;
    }

    private static void WriteDermoscopy(string dir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dir, "images")).FullName;
        string[] dx = ["mel", "nv", "bkl", "bcc"];
        var table = new StringBuilder("lesion_id,image_id,dx\n");
        var n = 0;
        for (var c = 0; c < dx.Length; c++)
        {
            for (var k = 0; k < 10; k++, n++)
            {
                var id = $"ISIC_{9000 + n:0000000}";
                var lesion = $"HAM_{c}{k / 2:000}";
                var rng = Prng.For(Seed, id, "derm");
                var canvas = Lesion(rng, c, 240, 180);
                if (k % 3 == 2) Save(canvas, Path.Combine(images, id + ".tif"), new TiffEncoder());
                else Save(canvas, Path.Combine(images, id + ".jpg"), new JpegEncoder { Quality = 90 });
                table.Append(CultureInfo.InvariantCulture, $"{lesion},{id}.{(k % 3 == 2 ? "tif" : "jpg")},{dx[c]}\n");
            }
        }
        // The same image filed twice under two ids: exact-duplicate removal must keep one.
        var first = Directory.GetFiles(images, "*.jpg").Order(StringComparer.Ordinal).First();
        File.Copy(first, Path.Combine(images, "ISIC_0009999.jpg"), overwrite: true);
        table.Append("HAM_0000,ISIC_0009999.jpg,mel\n");
        File.WriteAllText(Path.Combine(dir, "metadata.csv"), table.ToString());
    }

    private static Canvas Lesion(Prng rng, int cls, int w, int h)
    {
        var c = new Canvas(w, h);
        // Skin tone, lighting and where the lesion sits differ between photographs.
        var tone = 0.8f + rng.NextInt(25) / 100f;
        c.Fill(0.88f * tone, 0.68f * tone, 0.58f * tone);
        c.Ellipse(rng.NextInt(w), rng.NextInt(h), w * 0.6, h * 0.6, 0.95f * tone, 0.8f * tone, 0.7f * tone, 0.5, 1.0);
        double cx = w / 2.0 + rng.NextInt(81) - 40, cy = h / 2.0 + rng.NextInt(51) - 25;
        switch (cls)
        {
            case 0:
                for (var k = 0; k < 7; k++)
                    c.Ellipse(cx + rng.NextInt(41) - 20, cy + rng.NextInt(31) - 15, 18 + rng.NextInt(20), 14 + rng.NextInt(16),
                        k % 2 == 0 ? 0.2f : 0.35f, k % 3 == 0 ? 0.12f : 0.2f, k % 3 == 0 ? 0.25f : 0.12f, 0.9, 0.3);
                break;
            case 1:
                c.Ellipse(cx, cy, 34, 30, 0.45f, 0.28f, 0.18f, 0.95, 0.25);
                break;
            case 2:
                c.Ellipse(cx, cy, 40, 28, 0.62f, 0.48f, 0.32f, 0.9, 0.1);
                for (var k = 0; k < 12; k++) c.Ellipse(cx + rng.NextInt(51) - 25, cy + rng.NextInt(31) - 15, 2.5, 2.5, 0.95f, 0.92f, 0.8f, 0.8, 0.5);
                break;
            default:
                c.Ellipse(cx, cy, 36, 30, 0.86f, 0.5f, 0.55f, 0.9, 0.4);
                for (var k = 0; k < 6; k++) c.Line(cx - 25 + rng.NextInt(20), cy - 20 + rng.NextInt(40), cx + rng.NextInt(30), cy - 15 + rng.NextInt(30), 1.5, 0.7f, 0.1f, 0.15f, 0.8);
                break;
        }
        c.Noise(rng, 0.04f);
        return c;
    }

    /// <summary>Organs of a synthetic axial CT slice: (label colour in the mask, centre, radii, grey level), in image coordinates.</summary>
    private static readonly (string Colour, double Cx, double Cy, double Rx, double Ry, float Grey)[] Organs =
    [
        ("#c86432", 0.34, 0.45, 0.20, 0.17, 0.62f),   // liver (patient's right, image left)
        ("#6432c8", 0.70, 0.42, 0.09, 0.10, 0.58f),   // spleen
        ("#32c832", 0.36, 0.66, 0.06, 0.08, 0.70f),   // right kidney
        ("#3232c8", 0.66, 0.66, 0.06, 0.08, 0.70f),   // left kidney
        ("#c8c832", 0.56, 0.36, 0.10, 0.07, 0.45f),   // stomach
        ("#c83296", 0.52, 0.55, 0.09, 0.03, 0.55f),   // pancreas
    ];

    /// <summary>Colour -> raw label of the demo abdomen masks (sources.yaml maps them).</summary>
    public static readonly IReadOnlyDictionary<string, string> AbdomenColours = new Dictionary<string, string>
    {
        ["#c86432"] = "Liver", ["#6432c8"] = "Spleen", ["#32c832"] = "Kidney_R", ["#3232c8"] = "Kidney_L",
        ["#c8c832"] = "stomach", ["#c83296"] = "pancreas",
    };

    private static void WriteAbdomenSlices(string dir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dir, "images")).FullName;
        var masks = Directory.CreateDirectory(Path.Combine(dir, "masks")).FullName;
        const int size = 256;
        for (var n = 0; n < 12; n++)
        {
            var name = $"case{n / 2:00}_slice{n % 2}";
            var rng = Prng.For(Seed, name, "abdomen");
            var c = new Canvas(size, size);
            c.Fill(0.02f, 0.02f, 0.02f);
            // Body habitus and table position vary between patients.
            double gs = 0.8 + rng.NextInt(31) / 100.0, gx = (rng.NextInt(21) - 10) / 100.0, gy = (rng.NextInt(17) - 8) / 100.0;
            double X(double f) => (0.5 + (f - 0.5) * gs + gx) * size;
            double Y(double f) => (0.5 + (f - 0.5) * gs + gy) * size;
            c.Ellipse(X(0.5), Y(0.52), size * 0.44 * gs, size * 0.36 * gs, 0.35f, 0.35f, 0.35f, 1, 0.05);
            c.Ellipse(X(0.5), Y(0.78), size * 0.05 * gs, size * 0.05 * gs, 0.95f, 0.95f, 0.95f, 1, 0.2);
            var shapes = Organs.Select(o => (o.Colour, Cx: X(o.Cx + (rng.NextInt(11) - 5) / 200.0), Cy: Y(o.Cy + (rng.NextInt(11) - 5) / 200.0),
                Rx: o.Rx * size * gs * (0.85 + rng.NextInt(31) / 100.0), Ry: o.Ry * size * gs * (0.85 + rng.NextInt(31) / 100.0), o.Grey)).ToList();
            // The pancreas is left out of some slices: a label map need not hold every label.
            if (n % 3 == 2) shapes.RemoveAt(shapes.Count - 1);
            foreach (var o in shapes) c.Ellipse(o.Cx, o.Cy, o.Rx, o.Ry, o.Grey, o.Grey, o.Grey, 1, 0.0);
            c.Noise(rng, 0.05f);
            using (var img = new Image<L8>(size, size))
            {
                for (var i = 0; i < size * size; i++) img[i % size, i / size] = new L8(Canvas.ToByte(c.R[i]));
                img.Save(Path.Combine(images, name + ".png"), new PngEncoder());
            }
            using var mask = new Image<Rgb24>(size, size, new Rgb24(0, 0, 0));
            foreach (var o in shapes)
            {
                var colour = GmaiBench.Imaging.HexColour.Parse(o.Colour);
                for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    double dx = (x - o.Cx) / o.Rx, dy = (y - o.Cy) / o.Ry;
                    if (dx * dx + dy * dy <= 1) mask[x, y] = colour;
                }
            }
            mask.Save(Path.Combine(masks, name + ".png"), new PngEncoder { ColorType = PngColorType.Rgb });
        }
        // An image whose label map has the wrong size: rejected, never drawn misaligned.
        using (var odd = new Image<Rgb24>(128, 128)) odd.Save(Path.Combine(masks, "case99_slice0.png"), new PngEncoder());
        File.Copy(Path.Combine(images, "case00_slice0.png"), Path.Combine(images, "case99_slice0.png"), overwrite: true);
    }

    private static readonly (string Name, float R, float G, float B, double Radius)[] Cells =
    [
        ("lymphocyte", 0.35f, 0.2f, 0.55f, 7),
        ("neutrophil", 0.55f, 0.35f, 0.65f, 10),
        ("eosinophil", 0.85f, 0.35f, 0.3f, 10),
        ("monocyte", 0.5f, 0.4f, 0.7f, 13),
    ];

    private static void WriteBloodSmears(string dir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dir, "images")).FullName;
        var imagesJson = new List<string>();
        var annotations = new List<string>();
        var id = 1;
        for (var n = 0; n < 10; n++)
        {
            var name = $"smear_{n:000}.jpg";
            var rng = Prng.For(Seed, name, "smear");
            const int w = 320, h = 240;
            var c = new Canvas(w, h);
            c.Fill(0.93f, 0.85f, 0.85f);
            for (var k = 0; k < 40; k++) c.Ellipse(rng.NextInt(w), rng.NextInt(h), 9, 9, 0.9f, 0.6f, 0.6f, 0.8, 0.5);
            for (var k = 0; k < 4; k++)
            {
                var cell = Cells[(n + k) % Cells.Length];
                double cx = 40 + k * 75 + rng.NextInt(21), cy = 50 + rng.NextInt(140);
                c.Ellipse(cx, cy, cell.Radius, cell.Radius, cell.R, cell.G, cell.B, 1, 0.3);
                var r = cell.Radius;
                annotations.Add(string.Create(CultureInfo.InvariantCulture,
                    $$"""{"id": {{id++}}, "image_id": {{n + 1}}, "category_id": {{Array.IndexOf(Cells, cell) + 1}}, "bbox": [{{cx - r:0.0}}, {{cy - r:0.0}}, {{2 * r:0.0}}, {{2 * r:0.0}}]}"""));
            }
            c.Noise(rng, 0.03f);
            Save(c, Path.Combine(images, name), new JpegEncoder { Quality = 90 });
            imagesJson.Add($$"""{"id": {{n + 1}}, "file_name": "{{name}}", "width": {{w}}, "height": {{h}}}""");
        }
        // Broken annotations: an unknown image, an unknown category, a negative size, a box outside the image.
        annotations.Add("""{"id": 901, "image_id": 77, "category_id": 1, "bbox": [10, 10, 20, 20]}""");
        annotations.Add("""{"id": 902, "image_id": 1, "category_id": 9, "bbox": [10, 10, 20, 20]}""");
        annotations.Add("""{"id": 903, "image_id": 1, "category_id": 1, "bbox": [10, 10, -5, 20]}""");
        annotations.Add("""{"id": 904, "image_id": 1, "category_id": 1, "bbox": [400, 300, 20, 20]}""");
        var categories = Cells.Select((cell, i) => $$"""{"id": {{i + 1}}, "name": "{{cell.Name}}"}""");
        var json = "{\n\"images\": [\n" + string.Join(",\n", imagesJson) + "\n],\n\"annotations\": [\n" + string.Join(",\n", annotations)
                   + "\n],\n\"categories\": [\n" + string.Join(",\n", categories) + "\n]\n}\n";
        File.WriteAllText(Path.Combine(dir, "annotations.json"), json);
    }

    private static void WriteBroken(string root)
    {
        var jpeg = File.ReadAllBytes(Directory.GetFiles(Path.Combine(root, "fundus", "glaucoma"), "*.jpg").Order(StringComparer.Ordinal).First());
        var corrupt = PngFile(32, 32, [0x78, 0x9C, .. Enumerable.Range(0, 200).Select(i => (byte)(i * 37 % 251))]);
        File.WriteAllBytes(Path.Combine(root, "fundus/normal/p900_corrupt.png"), corrupt);
        File.WriteAllBytes(Path.Combine(root, "fundus/glaucoma/p901_truncated.jpg"), jpeg[..(jpeg.Length * 3 / 5)]);
        File.WriteAllBytes(Path.Combine(root, "fundus/AMD/p902_empty.png"), []);
        File.WriteAllBytes(Path.Combine(root, "fundus/normal/p903_huge.png"), PngFile(100_000, 100_000, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
        File.WriteAllText(Path.Combine(root, "fundus/Diabetic_Retinopathy/p904_not_an_image.png"), "This file only pretends to be a PNG.\n");
    }

    /// <summary>A PNG file with an 8-bit RGB IHDR of the given size and one IDAT holding <paramref name="idat"/>.</summary>
    public static byte[] PngFile(int width, int height, byte[] idat)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2;
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", idat);
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typed));
        s.Write(len);
    }

    /// <summary>CRC-32 (ISO-HDLC polynomial 0xEDB88320), as PNG chunks use.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    private static Image<Rgb24> ToImage(Canvas c)
    {
        var img = new Image<Rgb24>(c.Width, c.Height);
        for (var y = 0; y < c.Height; y++)
        for (var x = 0; x < c.Width; x++)
        {
            var i = y * c.Width + x;
            img[x, y] = new Rgb24(Canvas.ToByte(c.R[i]), Canvas.ToByte(c.G[i]), Canvas.ToByte(c.B[i]));
        }
        return img;
    }

    private static void Save(Canvas c, string path, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var img = ToImage(c);
        img.Save(path, encoder);
    }

    private static void SaveRgba(Canvas c, string path)
    {
        using var rgb = ToImage(c);
        using var rgba = rgb.CloneAs<Rgba32>();
        rgba.Save(path, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
    }

    private static void SaveGray16(ushort[] pixels, int size, string path, bool tiff)
    {
        using var img = new Image<L16>(size, size);
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++) img[x, y] = new L16(pixels[y * size + x]);
        if (tiff) img.Save(path, new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit16 });
        else img.Save(path, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
    }

    private static void SaveGray8(ushort[] pixels, int size, string path)
    {
        using var img = new Image<L8>(size, size);
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++) img[x, y] = new L8((byte)((pixels[y * size + x] - 8000) / 128));
        img.Save(path, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
    }
}

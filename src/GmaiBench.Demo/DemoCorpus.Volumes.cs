using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Model;

namespace GmaiBench.Demo;

/// <summary>The demo's volume sources: CT NIfTI volumes with label maps, and DICOM series labelled by maps or a findings table.</summary>
public static partial class DemoCorpus
{
    /// <summary>Label values of the demo CT volumes, as dataset.json names them.</summary>
    public static readonly (int Value, string Name, double X, double Y, double Z, double Rx, double Ry, double Rz, short Hu)[] CtOrgans =
    [
        (1, "liver", 0.66, 0.55, 0.55, 0.22, 0.20, 0.30, 60),       // patient's right: high x in RAS+
        (2, "spleen", 0.30, 0.50, 0.60, 0.09, 0.10, 0.20, 45),
        (3, "kidney_right", 0.64, 0.30, 0.40, 0.07, 0.08, 0.18, 150),
        (4, "kidney_left", 0.36, 0.30, 0.42, 0.07, 0.08, 0.18, 150),
    ];

    /// <summary>
    /// CT-like volumes in the Medical Segmentation Decathlon layout (int16 Hounsfield units, uint8 label maps), one
    /// stored left-posterior (flipped axes, matching affine) to exercise reorientation, one whose label map sits on
    /// another grid, and one truncated file.
    /// </summary>
    private static void WriteCtVolumes(string dir)
    {
        var images = Directory.CreateDirectory(Path.Combine(dir, "imagesTr")).FullName;
        var labels = Directory.CreateDirectory(Path.Combine(dir, "labelsTr")).FullName;
        var training = new List<string>();
        for (var n = 0; n < 5; n++)
        {
            var name = $"ct_{n:000}";
            var (image, labelMap) = CtPhantom(name);
            var lab = labelMap.StoredVoxels.ToArray();
            var (nx, ny, nz) = (image.Shape[0], image.Shape[1], image.Shape[2]);
            if (n == 1)
            {
                // Stored left-posterior: x and y reversed on disk, with the affine that says so.
                image = FlipXY(image);
                labelMap = FlipXY(labelMap);
            }
            if (n == 4)
            {
                // A label map 5 mm off the image's grid: must be rejected, never drawn misaligned.
                labelMap = new Volume<byte>(lab, new GridShape(nx, ny, nz), Affine.Diagonal(0.8, 0.8, 2.5, -27, -32, -30));
            }
            NiftiWriter.Write(Path.Combine(images, $"{name}_0000.nii.gz"), image);
            NiftiWriter.Write(Path.Combine(labels, $"{name}.nii.gz"), labelMap);
            training.Add($$"""{"image": "./imagesTr/{{name}}_0000.nii.gz", "label": "./labelsTr/{{name}}.nii.gz"}""");
        }
        var truncated = File.ReadAllBytes(Path.Combine(images, "ct_000_0000.nii.gz"));
        File.WriteAllBytes(Path.Combine(images, "ct_005_0000.nii.gz"), truncated[..(truncated.Length / 2)]);
        File.Copy(Path.Combine(labels, "ct_000.nii.gz"), Path.Combine(labels, "ct_005.nii.gz"), overwrite: true);
        training.Add("""{"image": "./imagesTr/ct_005_0000.nii.gz", "label": "./labelsTr/ct_005.nii.gz"}""");
        // A NIfTI-2 header declaring 65535 x 65535 x 65535 voxels: refused from its header, before any allocation.
        var huge = Path.Combine(images, "ct_006_0000.nii");
        NiftiWriter.Write(huge, CtPhantom("ct_006").Image, new NiftiWriteOptions { Version = NiftiVersion.Nifti2, Compression = System.IO.Compression.CompressionLevel.NoCompression });
        var header = File.ReadAllBytes(huge);
        for (var axis = 1; axis <= 3; axis++) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16 + 8 * axis), 65535);
        File.WriteAllBytes(huge, header);
        File.Copy(Path.Combine(labels, "ct_000.nii.gz"), Path.Combine(labels, "ct_006.nii.gz"), overwrite: true);
        training.Add("""{"image": "./imagesTr/ct_006_0000.nii", "label": "./labelsTr/ct_006.nii.gz"}""");
        var labelsJson = string.Join(", ", CtOrgans.Select(o => $"\"{o.Value}\": \"{o.Name}\"").Prepend("\"0\": \"background\""));
        File.WriteAllText(Path.Combine(dir, "dataset.json"),
            "{\n  \"name\": \"DemoCT\",\n  \"modality\": {\"0\": \"CT\"},\n  \"labels\": {" + labelsJson + "},\n  \"training\": [\n    " + string.Join(",\n    ", training) + "\n  ]\n}\n");
    }

    /// <summary>
    /// DICOM series of CT phantoms (RLE and lossless JPEG), one folder per series with a NIfTI label map in the same
    /// patient geometry; plus a series with a duplicated slice position and a folder whose ".dcm" is not DICOM.
    /// </summary>
    private static void WriteDicomSeries(string dir)
    {
        var series = Directory.CreateDirectory(Path.Combine(dir, "series")).FullName;
        var labels = Directory.CreateDirectory(Path.Combine(dir, "labels")).FullName;
        var syntaxes = new[] { DicomTransferSyntax.RleLossless, DicomTransferSyntax.JpegLossless, DicomTransferSyntax.ExplicitVrLittleEndian };
        for (var n = 0; n < 3; n++)
        {
            var name = $"dcm_{n:000}";
            var (image, labelMap) = CtPhantom(name);
            DicomWriter.WriteSeries(Path.Combine(series, name), image, new DicomWriteOptions { TransferSyntax = syntaxes[n], PatientId = $"DEMO-PATIENT-{n / 2}", Seed = name });
            NiftiWriter.Write(Path.Combine(labels, $"{name}.nii.gz"), labelMap);
        }
        var dup = Path.Combine(series, "dcm_dup");
        TestCopy(Path.Combine(series, "dcm_000"), dup);
        File.Copy(Path.Combine(dup, "slice-0005.dcm"), Path.Combine(dup, "slice-0005-copy.dcm"), overwrite: true);
        File.Copy(Path.Combine(labels, "dcm_000.nii.gz"), Path.Combine(labels, "dcm_dup.nii.gz"), overwrite: true);
        var fake = Directory.CreateDirectory(Path.Combine(series, "dcm_fake")).FullName;
        File.WriteAllText(Path.Combine(fake, "slice-0000.dcm"), "This is a text file with a .dcm name.\n");
        File.Copy(Path.Combine(labels, "dcm_000.nii.gz"), Path.Combine(labels, "dcm_fake.nii.gz"), overwrite: true);
    }

    /// <summary>
    /// DICOM series labelled by a table rather than label maps: abdominal CT phantoms that are normal, carry a
    /// hypodense liver lesion or a right renal cyst (both crossing the middle slice). Most rows name a series folder
    /// (series-level labels); two name one file of a series (slice-level labels); one names a series that is missing.
    /// Raw labels are written as a hospital export might, so they go through the taxonomy's synonyms.
    /// </summary>
    private static void WriteDicomClassified(string dir)
    {
        var series = Directory.CreateDirectory(Path.Combine(dir, "series")).FullName;
        string[] findings = ["Normal", "hepatic lesion", "renal cyst"];
        var table = new StringBuilder("path,finding\n");
        for (var n = 0; n < 12; n++)
        {
            var finding = n % 3;
            var name = $"study_{n:000}";
            var (image, _) = CtPhantom(name);
            var hu = image.StoredVoxels.ToArray();
            var (nx, ny, nz) = (image.Shape[0], image.Shape[1], image.Shape[2]);
            if (finding > 0)
            {
                // Liver lesion: 30 HU in the liver; renal cyst: 0 HU in the right kidney; both centred on the middle slice.
                var organ = CtOrgans[finding == 1 ? 0 : 2];
                var radius = finding == 1 ? 0.07 : 0.035;
                for (var k = 0; k < nz; k++)
                for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                {
                    double x = (double)i / nx - organ.X, y = (double)j / ny - organ.Y, z = ((double)k / nz - 0.5) * 0.3;
                    if (x * x + y * y + z * z <= radius * radius) hu[(k * ny + j) * nx + i] = (short)(finding == 1 ? 30 : 0);
                }
            }
            var volume = new Volume<short>(hu, image.Shape, image.Affine);
            // Two patients have two studies each, so their series share a split group.
            DicomWriter.WriteSeries(Path.Combine(series, name), volume,
                new DicomWriteOptions { PatientId = $"DEMO-FINDINGS-{(n == 4 ? 3 : n == 7 ? 6 : n):00}", Seed = "findings/" + name });
            if (n >= 10) table.Append(CultureInfo.InvariantCulture, $"{name}/slice-{nz / 2:0000}.dcm,{findings[finding]}\n");
            else table.Append(CultureInfo.InvariantCulture, $"{name},{findings[finding]}\n");
        }
        table.Append("study_099,Normal\n");
        File.WriteAllText(Path.Combine(dir, "findings.csv"), table.ToString());
    }

    private static void TestCopy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
    }

    /// <summary>A CT-like phantom: int16 Hounsfield units and a uint8 organ label map on one RAS+ grid (0.8 x 0.8 x 2.5 mm).</summary>
    private static (Volume<short> Image, Volume<byte> Labels) CtPhantom(string name)
    {
        const int nx = 80, ny = 80, nz = 24;
        var rng = Prng.For(Seed, name, "ct3d");
        var hu = new short[nx * ny * nz];
        var lab = new byte[nx * ny * nz];
        double gx = (rng.NextInt(9) - 4) / 100.0, gy = (rng.NextInt(9) - 4) / 100.0, gs = 0.9 + rng.NextInt(21) / 100.0;
        for (var k = 0; k < nz; k++)
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
        {
            double x = (double)i / nx, y = (double)j / ny, z = (double)k / nz;
            var at = (k * ny + j) * nx + i;
            var body = Math.Pow((x - 0.5 - gx) / (0.45 * gs), 2) + Math.Pow((y - 0.5 - gy) / (0.38 * gs), 2) <= 1;
            hu[at] = (short)(body ? -60 + rng.NextInt(40) : -1000 + rng.NextInt(20));
            foreach (var o in CtOrgans)
            {
                var d = Math.Pow((x - (0.5 + (o.X - 0.5) * gs + gx)) / (o.Rx * gs), 2) + Math.Pow((y - (0.5 + (o.Y - 0.5) * gs + gy)) / (o.Ry * gs), 2) + Math.Pow((z - o.Z) / o.Rz, 2);
                if (d <= 1) { hu[at] = (short)(o.Hu + rng.NextInt(20) - 10); lab[at] = (byte)o.Value; }
            }
        }
        var affine = Affine.Diagonal(0.8, 0.8, 2.5, -32, -32, -30);
        return (new Volume<short>(hu, new GridShape(nx, ny, nz), affine), new Volume<byte>(lab, new GridShape(nx, ny, nz), affine));
    }

    /// <summary>The same volume with its first two axes stored reversed, and the affine adjusted so world positions stay put.</summary>
    private static Volume<T> FlipXY<T>(Volume<T> v) where T : unmanaged, System.Numerics.INumber<T>
    {
        var (nx, ny, nz) = (v.Shape[0], v.Shape[1], v.Shape[2]);
        var src = v.StoredVoxels;
        var data = new T[src.Length];
        for (var k = 0; k < nz; k++)
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
            data[(k * ny + (ny - 1 - j)) * nx + (nx - 1 - i)] = src[(k * ny + j) * nx + i];
        var a = v.Affine;
        var flipped = Affine.Diagonal(-a.ColumnLength(0), -a.ColumnLength(1), a.ColumnLength(2),
            a[0, 3] + a[0, 0] * (nx - 1), a[1, 3] + a[1, 1] * (ny - 1), a[2, 3]);
        return new Volume<T>(data, v.Shape, flipped);
    }
}

using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Catalogue;

/// <summary>
/// Writes a miniature of a public dataset under a root: tiny synthetic images, masks, volumes, tables and annotation
/// files, at the paths and in the formats the dataset ships. Pixels are seeded noise from the file's path, so no two
/// images are alike (nothing collapses as a duplicate) and none is blank.
/// </summary>
public sealed class MiniatureWriter(string root)
{
    /// <summary>Side of every 2D miniature image, pixels.</summary>
    public const int Side = 48;

    public string Root { get; } = root;

    private string Full(string rel)
    {
        var full = Path.Combine(Root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    private static Prng Noise(string rel) => Prng.For(20241130, rel, "miniature");

    /// <summary>An RGB noise image in the format its extension names (.png, .jpg/.jpeg, .tif, .bmp).</summary>
    public void Image(string rel, int side = Side)
    {
        var rng = Noise(rel);
        using var image = new Image<Rgb24>(side, side);
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                image[x, y] = new Rgb24((byte)(40 + rng.NextInt(180)), (byte)(40 + rng.NextInt(180)), (byte)(40 + rng.NextInt(180)));
        image.Save(Full(rel), Encoder(rel));
    }

    /// <summary>A grey label map of <see cref="Side"/> pixels holding a square of each value (0 elsewhere).</summary>
    public void Mask(string rel, params int[] values)
    {
        using var image = new Image<L8>(Side, Side);
        for (var i = 0; i < values.Length; i++)
        {
            var (x0, y0) = (4 + i % 3 * 14, 4 + i / 3 * 14);
            for (var y = y0; y < y0 + 10; y++)
                for (var x = x0; x < x0 + 10; x++)
                    image[x, y] = new L8((byte)values[i]);
        }
        image.Save(Full(rel), Encoder(rel));
    }

    public void Text(string rel, string text) => File.WriteAllText(Full(rel), text.ReplaceLineEndings("\n"), new UTF8Encoding(false));

    /// <summary>A Pascal VOC annotation naming <paramref name="image"/> with one 12-pixel box per object name.</summary>
    public void Voc(string rel, string image, params string[] objects)
    {
        var sb = new StringBuilder($"<annotation>\n  <folder>JPEGImages</folder>\n  <filename>{image}</filename>\n  <size><width>{Side}</width><height>{Side}</height><depth>3</depth></size>\n");
        for (var i = 0; i < objects.Length; i++)
        {
            var (x0, y0) = (3 + i % 3 * 15, 3 + i / 3 * 15);
            sb.Append(CultureInfo.InvariantCulture,
                $"  <object><name>{objects[i]}</name><difficult>0</difficult><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x0 + 11}</xmax><ymax>{y0 + 11}</ymax></bndbox></object>\n");
        }
        Text(rel, sb.Append("</annotation>\n").ToString());
    }

    /// <summary>
    /// An image volume (int16 noise, <paramref name="volumes"/> volumes for 4D) and its label map holding a 5x5x3 block of
    /// each value, NIfTI-1, gzipped unless the name ends in <c>.nii</c>.
    /// </summary>
    public void VolumePair(string imageRel, string labelRel, int[] values, int volumes = 1)
    {
        const int nx = 24, ny = 24, nz = 6;
        var affine = Affine.Diagonal(1, 1, 2);
        var rng = Noise(imageRel);
        var images = Enumerable.Range(0, volumes).Select(_ =>
        {
            var hu = new short[nx * ny * nz];
            for (var i = 0; i < hu.Length; i++) hu[i] = (short)(-100 + rng.NextInt(300));
            return new Volume<short>(hu, new GridShape(nx, ny, nz), affine);
        }).ToList();
        var lab = new byte[nx * ny * nz];
        for (var v = 0; v < values.Length; v++)
        {
            var (x0, y0) = (1 + v % 4 * 6, 1 + v / 4 * 6);
            for (var z = 1; z < 4; z++)
                for (var y = y0; y < y0 + 5; y++)
                    for (var x = x0; x < x0 + 5; x++)
                        lab[x + nx * (y + ny * z)] = (byte)values[v];
        }
        NiftiWriter.Write(Full(imageRel), images, Options(imageRel));
        NiftiWriter.Write(Full(labelRel), new Volume<byte>(lab, new GridShape(nx, ny, nz), affine), Options(labelRel));
    }

    /// <summary>A Decathlon task folder: dataset.json (labels, training pairs) with imagesTr/ and labelsTr/.</summary>
    public void Decathlon(IReadOnlyList<string> labels, IReadOnlyList<string> cases, int volumes = 1)
    {
        var values = Enumerable.Range(1, labels.Count).ToArray();
        foreach (var c in cases) VolumePair($"imagesTr/{c}.nii.gz", $"labelsTr/{c}.nii.gz", values, volumes);
        var labelJson = string.Join(", ", new[] { "\"0\": \"background\"" }.Concat(labels.Select((l, i) => $"\"{i + 1}\": \"{l}\"")));
        var training = string.Join(", ", cases.Select(c => $"{{\"image\": \"./imagesTr/{c}.nii.gz\", \"label\": \"./labelsTr/{c}.nii.gz\"}}"));
        Text("dataset.json", $"{{\n  \"name\": \"miniature\",\n  \"labels\": {{{labelJson}}},\n  \"numTraining\": {cases.Count},\n  \"training\": [{training}],\n  \"test\": []\n}}\n");
    }

    private static NiftiWriteOptions Options(string rel) => rel.EndsWith(".nii", StringComparison.Ordinal)
        ? new NiftiWriteOptions { Compression = System.IO.Compression.CompressionLevel.NoCompression }
        : new NiftiWriteOptions();

    private static IImageEncoder Encoder(string rel) => Path.GetExtension(rel).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => new JpegEncoder { Quality = 95 },
        ".tif" or ".tiff" => new TiffEncoder(),
        ".bmp" => new BmpEncoder(),
        _ => new PngEncoder(),
    };
}

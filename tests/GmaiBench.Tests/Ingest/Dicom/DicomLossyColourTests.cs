using System.Diagnostics;
using GmaiBench.Ingest.Dicom;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>
/// Compressed colour whose codestream was made outside GDCM, encapsulated byte by byte (<see cref="DicomDataSet.Encapsulated"/>)
/// with the photometric interpretation PS3.5 8.2 requires for it: JPEG baseline from ImageSharp (YBR_FULL_422, chroma
/// subsampled 4:2:0 or 4:2:2), JPEG 2000 from OpenJPEG's opj_compress (YBR_RCT for the reversible 5/3 wavelet with its
/// colour transform, YBR_ICT for the irreversible 9/7 one). The decoded RGB is held against the picture the test made.
/// </summary>
public class DicomLossyColourTests
{
    private const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    private const string Jpeg2000Lossless = "1.2.840.10008.1.2.4.90";
    private const string Jpeg2000 = "1.2.840.10008.1.2.4.91";

    /// <summary>
    /// A smooth 32 x 16 picture (lossy codecs are judged on what they are for: photographs, not noise): red rises along
    /// x, green falls along y, blue along both, with a dark square for an edge.
    /// </summary>
    private static byte[] Picture(int width = 32, int height = 16)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var n = (y * width + x) * 3;
            var dark = x is >= 8 and < 16 && y is >= 4 and < 12;
            rgb[n] = (byte)(dark ? 30 : 40 + 5 * x);
            rgb[n + 1] = (byte)(dark ? 20 : 200 - 6 * y);
            rgb[n + 2] = (byte)(dark ? 25 : 100 + 3 * (x + y));
        }
        return rgb;
    }

    private static DicomDataSet Header(string photometric, int width, int height) =>
        HandBuiltDicom.Image(HandBuiltDicom.SecondaryCapture, "XC", width, height, 1, photometric, 3, 8, 8, 0);

    private static string WriteEncapsulated(DicomDataSet d, string syntax, string name)
    {
        var path = Path.Combine(TestData.TempDir("lossy-colour"), name);
        d.WriteFile(path, syntax);
        return path;
    }

    private static (int Max, double Mean) Error(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0;
        long sum = 0;
        for (var n = 0; n < expected.Length; n++)
        {
            var d = Math.Abs(expected[n] - actual[n]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (max, (double)sum / expected.Length);
    }

    private static byte[] Rgb(Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }

    /// <summary>
    /// JPEG baseline, quality 90, made by ImageSharp 2.1.13 in YCbCr. 4:2:0 (chroma halved both ways) is YBR_FULL_422
    /// (PS3.5 8.2.1: subsampled lossy JPEG); 4:4:4 is YBR_FULL. (ImageSharp 2.1.13 writes 4:2:0 when asked for 4:2:2,
    /// so 4:2:2 has no encoder here; its decoding is the same code path.) Tolerances, per 8-bit sample:
    /// <list type="bullet">
    /// <item>4:4:4 against the picture: max 8, mean 1.5; against ImageSharp's decode of the same JPEG: max 2, mean 0.05
    /// (inverse DCT and colour-conversion rounding only).</item>
    /// <item>4:2:0 against the picture: max 32 (DCT ringing at the dark square's edges), mean 2.5, and no further from it
    /// than ImageSharp's decode is. Against ImageSharp's decode: mean 3, max 6 in columns 4 or more from the square's
    /// sides, max 24 at them, because GDCM's libjpeg upsamples chroma with a triangle filter and ImageSharp by
    /// replication. A colour-space, chroma-order or chroma-siting mistake moves the smooth parts by tens.</item>
    /// </list>
    /// </summary>
    [Theory]
    [InlineData(JpegColorType.YCbCrRatio420, "YBR_FULL_422")]
    [InlineData(JpegColorType.YCbCrRatio444, "YBR_FULL")]
    public void JPEG_baseline_YCbCr_decodes_to_the_picture_within_the_lossy_tolerance(JpegColorType subsampling, string photometric)
    {
        var picture = Picture();
        using var source = Image.LoadPixelData<Rgb24>(picture, 32, 16);
        using var jpeg = new MemoryStream();
        source.SaveAsJpeg(jpeg, new JpegEncoder { Quality = 90, ColorType = subsampling });
        var codestream = jpeg.ToArray();
        using var imageSharp = Image.Load<Rgb24>(codestream);
        Assert.Equal(subsampling, imageSharp.Metadata.GetJpegMetadata().ColorType);   // the encoder subsampled as asked
        var reference = Rgb(imageSharp);

        var path = WriteEncapsulated(Header(photometric, 32, 16).Encapsulated(codestream), JpegBaseline, $"jpeg-{subsampling}.dcm");
        var read = DicomReader.ReadFile(path).Colour!;
        Assert.Equal((32, 16, photometric), (read.Width, read.Height, read.Photometric));

        var (max, mean) = Error(picture, read.Rgb);
        var (maxIs, meanIs) = Error(reference, read.Rgb);
        var what = $"against the picture: max {max}, mean {mean:0.###}; against ImageSharp's decode: max {maxIs}, mean {meanIs:0.###}";
        if (subsampling == JpegColorType.YCbCrRatio444)
        {
            Assert.True(max <= 8 && mean <= 1.5 && maxIs <= 2 && meanIs <= 0.05, what);
            return;
        }
        Assert.True(max <= 32 && mean <= 2.5 && mean <= Error(picture, reference).Mean && maxIs <= 24 && meanIs <= 3, what);
        var away = 0;
        for (var y = 0; y < 16; y++)
        for (var x = 0; x < 32; x++)
        {
            if (x is >= 4 and < 20) continue;   // within 4 columns of the square (columns 8..15); the picture is 16 rows tall
            for (var c = 0; c < 3; c++) away = Math.Max(away, Math.Abs(reference[(y * 32 + x) * 3 + c] - read.Rgb[(y * 32 + x) * 3 + c]));
        }
        Assert.True(away <= 6, $"{what}; away from the square's edges: max {away}");
    }

    /// <summary>OpenJPEG's encoder, as a fresh machine gets it from scripts/setup (Debian's libopenjp2-tools).</summary>
    private static byte[] OpenJpeg(byte[] rgb, int width, int height, bool irreversible)
    {
        var dir = TestData.TempDir("opj");
        var ppm = Path.Combine(dir, "in.ppm");
        File.WriteAllBytes(ppm, [.. System.Text.Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n"), .. rgb]);
        var j2k = Path.Combine(dir, "out.j2k");
        var start = new ProcessStartInfo("opj_compress") { RedirectStandardOutput = true, RedirectStandardError = true };
        // Three resolution levels: OpenJPEG's default of six needs at least 32 samples on each side.
        foreach (var a in (string[])["-i", ppm, "-o", j2k, "-n", "3", .. irreversible ? new[] { "-I" } : []]) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"opj_compress failed: {stderr.Result}");
        var codestream = File.ReadAllBytes(j2k);
        // COD marker (FF52): Scod, progression, layers (2 bytes), then the multiple component transform flag (PS: ITU-T T.800 A.6.1).
        var cod = codestream.AsSpan().IndexOf([(byte)0xFF, (byte)0x52]);
        Assert.True(cod > 0, "no COD marker in the codestream");
        Assert.Equal(1, codestream[cod + 4 + 4]);   // the colour transform is on: RCT with 5/3, ICT with 9/7
        Assert.Equal(irreversible ? 0 : 1, codestream[cod + 4 + 9]);   // wavelet: 0 = 9/7 irreversible, 1 = 5/3 reversible
        return codestream;
    }

    [Fact]
    public void JPEG_2000_YBR_RCT_is_lossless_and_decodes_to_the_exact_picture()
    {
        var picture = Picture();
        var path = WriteEncapsulated(Header("YBR_RCT", 32, 16).Encapsulated(OpenJpeg(picture, 32, 16, irreversible: false)), Jpeg2000Lossless, "rct.dcm");
        var read = DicomReader.ReadFile(path).Colour!;
        Assert.Equal("YBR_RCT", read.Photometric);
        Assert.Equal(picture, read.Rgb);
    }

    /// <summary>
    /// The 9/7 wavelet with ICT at OpenJPEG's default rate (every layer kept): only quantisation and the float colour
    /// transform lose; max 3 per sample, mean 0.5.
    /// </summary>
    [Fact]
    public void JPEG_2000_YBR_ICT_decodes_to_the_picture_within_the_lossy_tolerance()
    {
        var picture = Picture();
        var path = WriteEncapsulated(Header("YBR_ICT", 32, 16).Encapsulated(OpenJpeg(picture, 32, 16, irreversible: true)), Jpeg2000, "ict.dcm");
        var read = DicomReader.ReadFile(path).Colour!;
        Assert.Equal("YBR_ICT", read.Photometric);
        var (max, mean) = Error(picture, read.Rgb);
        Assert.True(max <= 3 && mean <= 0.5, $"max {max}, mean {mean:0.###}");
    }

    [Fact]
    public void The_same_compressed_colour_comes_back_from_the_child_process()
    {
        var picture = Picture();
        var path = WriteEncapsulated(Header("YBR_RCT", 32, 16).Encapsulated(OpenJpeg(picture, 32, 16, irreversible: false)), Jpeg2000Lossless, "rct-child.dcm");
        Assert.Equal(picture, DicomWorker.ReadSeries([path], TimeSpan.FromMinutes(1)).Colour!.Rgb);
    }
}

using GmaiBench.Demo;
using GmaiBench.Imaging.Intensity;
using GmaiBench.Ingest.Raster;
using GmaiBench.Pipeline;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;
using GmaiBench.Ingest;

namespace GmaiBench.Tests.Ingest;

public class RasterDecoderTests
{
    private static readonly ImageSettings Settings = new() { MaxSide = 64 };

    private static byte[] Encode<T>(Image<T> image, SixLabors.ImageSharp.Formats.IImageEncoder encoder) where T : unmanaged, IPixel<T>
    {
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        return ms.ToArray();
    }

    private static Image<Rgb24> Decoded(RasterImage r) => Image.Load<Rgb24>(r.Png);

    [Fact]
    public void Eight_bit_grayscale_is_kept_as_is_in_rgb()
    {
        using var img = new Image<L8>(4, 2);
        for (var x = 0; x < 4; x++) { img[x, 0] = new L8((byte)(x * 60)); img[x, 1] = new L8(255); }
        var r = RasterDecoder.Decode(Encode(img, new PngEncoder()), Settings);
        using var back = Decoded(r);
        Assert.Equal((4, 2), (r.Width, r.Height));
        Assert.Equal(new Rgb24(120, 120, 120), back[2, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), back[3, 1]);
    }

    [Fact]
    public void Sixteen_bit_grayscale_is_scaled_by_its_percentiles()
    {
        // 200 pixels: values 1000..1199. 0.5th percentile (nearest rank 1) = 1000, 99.5th (rank 199) = 1198.
        using var img = new Image<L16>(20, 10);
        for (var i = 0; i < 200; i++) img[i % 20, i / 20] = new L16((ushort)(1000 + i));
        var bytes = Encode(img, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale });
        var r = RasterDecoder.Decode(bytes, Settings);
        using var back = Decoded(r);
        Assert.Equal(0, back[0, 0].R);
        Assert.Equal(255, back[19, 9].R);
        var window = new PercentileWindow(1000, 1198);
        Assert.Equal(window.Apply(1099), back[19, 4].R);
        Assert.Equal((byte)Math.Round(99.0 / 198 * 255, MidpointRounding.AwayFromZero), back[19, 4].R);
    }

    [Fact]
    public void Percentile_window_uses_nearest_rank()
    {
        ushort[] values = [5, 1, 3, 2, 4, 6, 7, 8, 9, 10];
        var w = PercentileWindow.FromUInt16(values, 10, 90);
        Assert.Equal(new PercentileWindow(1, 9), w);
        Assert.Equal(0, w.Apply(0));
        Assert.Equal(255, w.Apply(100));
        Assert.Equal(128, w.Apply(5.0 + 0.016));
        Assert.Equal(0, new PercentileWindow(3, 3).Apply(3));
    }

    [Fact]
    public void Rgba_is_composited_over_black()
    {
        using var img = new Image<Rgba32>(2, 1);
        img[0, 0] = new Rgba32(200, 100, 50, 255);
        img[1, 0] = new Rgba32(200, 100, 50, 0);
        using var back = Decoded(RasterDecoder.Decode(Encode(img, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }), Settings));
        Assert.Equal(new Rgb24(200, 100, 50), back[0, 0]);
        Assert.Equal(new Rgb24(0, 0, 0), back[1, 0]);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("bmp")]
    [InlineData("tiff")]
    [InlineData("tiff16")]
    public void Other_formats_decode_to_rgb_png(string kind)
    {
        using var img = new Image<Rgb24>(16, 12, new Rgb24(90, 140, 200));
        byte[] bytes = kind switch
        {
            "jpeg" => Encode(img, new JpegEncoder { Quality = 100 }),
            "bmp" => Encode(img, new BmpEncoder()),
            "tiff" => Encode(img, new TiffEncoder()),
            _ => Encode(img.CloneAs<L16>(), new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit16 }),
        };
        var r = RasterDecoder.Decode(bytes, Settings);
        Assert.Equal((16, 12), (r.Width, r.Height));
        using var back = Decoded(r);
        if (kind != "tiff16") Assert.InRange(back[5, 5].B, 195, 205);
        Assert.Equal(0x89, r.Png[0]);
    }

    [Fact]
    public void The_longer_side_is_capped_keeping_the_aspect_ratio()
    {
        using var img = new Image<Rgb24>(200, 100);
        var r = RasterDecoder.Decode(Encode(img, new PngEncoder()), Settings);
        Assert.Equal((64, 32), (r.Width, r.Height));
        Assert.Equal((200, 100), (r.SourceWidth, r.SourceHeight));
        Assert.Equal((1024, 1), RasterDecoder.CappedSize(4096, 3, 1024));
    }

    [Fact]
    public void Output_png_has_no_metadata_and_equal_pixels_give_equal_bytes()
    {
        using var a = new Image<Rgb24>(8, 8, new Rgb24(1, 2, 3));
        a.Metadata.HorizontalResolution = 300;
        using var b = new Image<Rgb24>(8, 8, new Rgb24(1, 2, 3));
        var pa = RasterDecoder.Decode(Encode(a, new PngEncoder()), Settings).Png;
        var pb = RasterDecoder.Decode(Encode(b, new JpegEncoder { Quality = 100 }), Settings).Png;
        Assert.Equal(RasterDecoder.Decode(Encode(a, new BmpEncoder()), Settings).Png, pa);
        var chunks = System.Text.Encoding.ASCII.GetString(pa);
        Assert.DoesNotContain("pHYs", chunks);
        Assert.DoesNotContain("tEXt", chunks);
        Assert.NotNull(pb);
    }

    [Fact]
    public void Broken_inputs_are_rejected_with_a_reason()
    {
        using var img = new Image<Rgb24>(32, 32, new Rgb24(10, 20, 30));
        var jpeg = Encode(img, new JpegEncoder());
        var cases = new Dictionary<string, byte[]>
        {
            ["empty-file"] = [],
            ["unknown-format"] = "hello, world"u8.ToArray(),
            ["truncated-image"] = jpeg[..(jpeg.Length / 2)],
            ["image-too-large"] = DemoCorpus.PngFile(100_000, 100_000, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
            ["corrupt-image"] = DemoCorpus.PngFile(32, 32, [0x78, 0x9C, .. Enumerable.Range(0, 100).Select(i => (byte)(i * 37))]),
        };
        foreach (var (reason, bytes) in cases)
        {
            var e = Assert.Throws<ItemRejectedException>(() => RasterDecoder.Decode(bytes, Settings));
            Assert.Equal(reason, e.Reason);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    [Fact]
    public void The_decoder_memory_cap_stops_an_image_that_fits_the_pixel_limit()
    {
        using var img = new Image<Rgb24>(3000, 3000);
        var bytes = Encode(img, new PngEncoder());
        var e = Assert.Throws<ItemRejectedException>(() => RasterDecoder.Decode(bytes, new ImageSettings { MemoryLimitMegabytes = 16, MaxSide = 64 }));
        Assert.True(e.Reason == "decoder-memory-limit", e.Message);
    }
}

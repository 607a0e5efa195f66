using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GmaiBench.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Imaging;

public class PngWriterTests
{
    private static byte[] RandomRgb(int width, int height, int seed)
    {
        var rgb = new byte[width * height * 3];
        new Random(seed).NextBytes(rgb);
        return rgb;
    }

    /// <summary>The chunks of a PNG file, each checked against a bit-by-bit CRC-32 written here, not the writer's table.</summary>
    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = new List<(string, byte[])>();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length).ToArray();
            var crc = 0xFFFFFFFFu;
            foreach (var b in png.AsSpan(at + 4, 4 + length))
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            Assert.Equal(crc ^ 0xFFFFFFFFu, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            chunks.Add((type, data));
            at += 12 + length;
        }
        return chunks;
    }

    /// <summary>Undoes the five PNG filters by the specification's formulas, to check the writer independently of any decoder.</summary>
    private static byte[] Unfilter(byte[] raw, int width, int height)
    {
        var stride = width * 3;
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= 3 ? pixels[y * stride + x - 3] : 0, b = y > 0 ? pixels[(y - 1) * stride + x] : 0, c = x >= 3 && y > 0 ? pixels[(y - 1) * stride + x - 3] : 0;
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                var predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
                    _ => throw new InvalidDataException($"filter type {filter}"),
                };
                pixels[y * stride + x] = (byte)(raw[y * (stride + 1) + 1 + x] + predictor);
            }
        }
        return pixels;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 3)]
    [InlineData(6, 7)]     // 18-byte rows: one vector and a tail
    [InlineData(517, 33)]
    [InlineData(64, 64)]
    public void Writes_only_IHDR_IDAT_IEND_with_valid_CRCs_and_the_exact_pixels(int width, int height)
    {
        var rgb = RandomRgb(width, height, width * 31 + height);
        using var source = Image.LoadPixelData<Rgb24>(rgb, width, height);
        var png = PngWriter.Encode(source);

        var chunks = Chunks(png);
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
        var ihdr = chunks[0].Data;
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(ihdr));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal(new byte[] { 8, 2, 0, 0, 0 }, ihdr[8..]);   // 8-bit RGB, deflate, per-row filters, no interlace
        Assert.Empty(chunks[2].Data);

        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress)) zlib.CopyTo(inflated);
        Assert.Equal((width * 3 + 1) * height, inflated.Length);
        Assert.Equal(rgb, Unfilter(inflated.ToArray(), width, height));

        // And an independent decoder agrees.
        using var decoded = Image.Load<Rgb24>(png);
        var back = new byte[rgb.Length];
        decoded.CopyPixelDataTo(back);
        Assert.Equal(rgb, back);
    }

    [Fact]
    public void Encoding_repeats_byte_for_byte()
    {
        var rgb = RandomRgb(300, 40, 7);
        for (var i = 3; i < rgb.Length; i++) rgb[i] = (byte)((rgb[i] + rgb[i - 3] * 3) / 4);
        using var image = Image.LoadPixelData<Rgb24>(rgb, 300, 40);
        var fromImage = PngWriter.Encode(image);
        using (var copy = Image.LoadPixelData<Rgb24>(rgb, 300, 40)) Assert.Equal(fromImage, PngWriter.Encode(copy));
        Assert.Equal(fromImage, PngWriter.Encode(image));
    }

    [Fact]
    public void The_bytes_of_a_fixed_image_never_change()
    {
        // Item identities and release checksums hash these bytes: a change here changes every release. If it is meant,
        // bump the stage code versions and update this digest.
        using var image = new Image<Rgb24>(64, 48);
        for (var y = 0; y < 48; y++)
        for (var x = 0; x < 64; x++)
            image[x, y] = new Rgb24((byte)(x * 4), (byte)(y * 5), (byte)((x ^ y) * 3));
        Assert.Equal("f4ceabf2db1efdfa4b850a6a97765bb24a33a4751b40e92b67a749fd94b1569d", GmaiBench.Catalog.ObjectStore.Sha256(PngWriter.Encode(image)));
    }

    [Fact]
    public void A_grey_slice_compresses_far_below_its_raw_size()
    {
        // A disc with a smooth ramp, grey in R=G=B like every windowed slice.
        const int size = 256;
        using var image = new Image<Rgb24>(size, size);
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var inside = (x - 128) * (x - 128) + (y - 128) * (y - 128) < 100 * 100;
            var v = (byte)(inside ? 60 + (x + y) / 4 : 0);
            image[x, y] = new Rgb24(v, v, v);
        }
        var png = PngWriter.Encode(image);
        Assert.True(png.Length < size * size * 3 / 20, $"{png.Length} bytes for {size * size * 3} raw");
    }
}

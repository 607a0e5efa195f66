using GmaiBench.Imaging;
using System.Buffers.Binary;
using System.Globalization;
using GmaiBench.Ingest.Raster;
using GmaiBench.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Regions;

/// <summary>A 2D label map: per pixel a code into <see cref="Labels"/> (0 is background).</summary>
public sealed record LabelImage(int Width, int Height, int[] Codes, IReadOnlyList<string> Labels)
{
    /// <summary>Nearest-neighbour resize with pixel-centre mapping, the mapping the image resize uses, so marks stay aligned.</summary>
    public LabelImage Resize(int width, int height)
    {
        if (width == Width && height == Height) return this;
        var codes = new int[width * height];
        for (var y = 0; y < height; y++)
        {
            var sy = Math.Min(Height - 1, (int)Math.Floor((y + 0.5) * Height / height));
            for (var x = 0; x < width; x++)
            {
                var sx = Math.Min(Width - 1, (int)Math.Floor((x + 0.5) * Width / width));
                codes[y * width + x] = Codes[sy * Width + sx];
            }
        }
        return this with { Width = width, Height = height, Codes = codes };
    }
}

/// <summary>
/// Reads a label-map image: by value (8- or 16-bit grayscale, or a palette PNG's index, recovered through its PLTE
/// chunk) with a value -> label map, or by colour with a "#rrggbb" -> label map. Never interpolated.
/// </summary>
public static class LabelImageDecoder
{
    public static LabelImage Decode(byte[] bytes, MaskAnnotation annotation, ImageSettings settings)
    {
        var (info, format) = RasterDecoder.Inspect(bytes, settings);
        var config = RasterDecoder.ConfigurationFor(settings.MemoryLimitMegabytes);
        return RasterDecoder.Guard(format, settings, () =>
        {
            var png = format.Name == "PNG" ? info.Metadata.GetPngMetadata() : null;
            var palette = png?.ColorType == PngColorType.Palette ? Palette(bytes) : null;
            if (annotation.Colours.Count > 0) return ByColour(bytes, config, annotation.Colours);
            if (palette is not null) return ByPaletteIndex(bytes, config, palette, annotation.Values);
            using var gray = Image.Load<L16>(config, bytes);
            var wide = png?.BitDepth == PngBitDepth.Bit16 || info.PixelType.BitsPerPixel == 16;
            var values = RasterDecoder.Pixels(gray).ToArray().Select(p => wide ? p.PackedValue : (p.PackedValue + 128) / 257).ToArray();
            return ByValue(gray.Width, gray.Height, values, annotation.Values);
        });
    }

    private static LabelImage ByValue(int width, int height, int[] values, IReadOnlyDictionary<int, string> map)
    {
        var labels = map.OrderBy(kv => kv.Key).Select(kv => kv.Value).Distinct().ToList();
        var codeOf = map.ToDictionary(kv => kv.Key, kv => labels.IndexOf(kv.Value) + 1);
        var codes = values.Select(v => codeOf.GetValueOrDefault(v)).ToArray();
        return new LabelImage(width, height, codes, labels);
    }

    private static LabelImage ByPaletteIndex(byte[] bytes, SixLabors.ImageSharp.Configuration config, List<Rgb24> palette, IReadOnlyDictionary<int, string> map)
    {
        using var rgb = Image.Load<Rgb24>(config, bytes);
        var indexOf = new Dictionary<Rgb24, int>();
        for (var i = 0; i < palette.Count; i++)
        {
            if (!indexOf.TryAdd(palette[i], i) && map.ContainsKey(i))
                throw new ItemRejectedException("ambiguous-palette", $"palette entries {indexOf[palette[i]]} and {i} share one colour, so the label value cannot be recovered");
        }
        var values = RasterDecoder.Pixels(rgb).ToArray().Select(p => indexOf.GetValueOrDefault(p)).ToArray();
        return ByValue(rgb.Width, rgb.Height, values, map);
    }

    private static LabelImage ByColour(byte[] bytes, SixLabors.ImageSharp.Configuration config, IReadOnlyDictionary<string, string> colours)
    {
        using var rgb = Image.Load<Rgb24>(config, bytes);
        var labels = colours.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).Distinct().ToList();
        var codeOf = colours.ToDictionary(kv => HexColour.Parse(kv.Key), kv => labels.IndexOf(kv.Value) + 1);
        var codes = RasterDecoder.Pixels(rgb).ToArray().Select(p => codeOf.GetValueOrDefault(p)).ToArray();
        return new LabelImage(rgb.Width, rgb.Height, codes, labels);
    }

    /// <summary>The PLTE chunk's colours (PNG specification, 11.2.3), or null when the file has none.</summary>
    public static List<Rgb24>? Palette(byte[] png)
    {
        var offset = 8;
        while (offset + 8 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (length < 0 || offset + 12 + (long)length > png.Length) return null;
            if (png.AsSpan(offset + 4, 4).SequenceEqual("PLTE"u8))
            {
                var list = new List<Rgb24>(length / 3);
                for (var i = 0; i + 2 < length; i += 3)
                    list.Add(new Rgb24(png[offset + 8 + i], png[offset + 9 + i], png[offset + 10 + i]));
                return list;
            }
            if (png.AsSpan(offset + 4, 4).SequenceEqual("IDAT"u8)) return null;
            offset += 12 + length;
        }
        return null;
    }
}

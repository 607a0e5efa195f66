using System.Buffers.Binary;
using GmaiBench.Imaging;
using GmaiBench.Imaging.Intensity;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using ImageSharpConfiguration = SixLabors.ImageSharp.Configuration;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Raster;

/// <summary>A decoded, normalised image with the size and format of the file it came from; dispose it.</summary>
public sealed record DecodedImage(Image<Rgb24> Image, int SourceWidth, int SourceHeight, string Format, int BitsPerPixel) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>What the pixel stage made of one raster file: an 8-bit RGB PNG and what it came from.</summary>
public sealed record RasterImage(byte[] Png, int Width, int Height, int SourceWidth, int SourceHeight, string SourceFormat, int SourceBitsPerPixel);

/// <summary>
/// Reads PNG, JPEG, BMP and TIFF through ImageSharp (8- and 16-bit, grayscale, RGB, RGBA) into a normalised
/// RGB PNG. Untrusted input: the header is identified and its pixel count checked before any pixel is
/// decoded, the decoder's allocations are capped, and a file whose end marker is missing is refused.
/// </summary>
public static class RasterDecoder
{
    public static readonly string[] SupportedExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"];

    private static readonly Dictionary<int, ImageSharpConfiguration> Configurations = new();

    /// <summary>An ImageSharp configuration whose allocator refuses more than <paramref name="limitMegabytes"/>.</summary>
    public static ImageSharpConfiguration ConfigurationFor(int limitMegabytes)
    {
        lock (Configurations)
        {
            if (!Configurations.TryGetValue(limitMegabytes, out var config))
            {
                config = ImageSharpConfiguration.Default.Clone();
                config.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = limitMegabytes });
                config.PreferContiguousImageBuffers = true;
                Configurations[limitMegabytes] = config;
            }
            return config;
        }
    }

    public static RasterImage Decode(string path, ImageSettings settings)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new ItemRejectedException("unreadable-file", e.Message); }
        catch (UnauthorizedAccessException e) { throw new ItemRejectedException("unreadable-file", e.Message); }
        return Decode(bytes, settings);
    }

    public static RasterImage Decode(byte[] bytes, ImageSettings settings)
    {
        using var decoded = DecodeImage(bytes, settings);
        return new RasterImage(EncodePng(decoded.Image), decoded.Image.Width, decoded.Image.Height, decoded.SourceWidth, decoded.SourceHeight, decoded.Format, decoded.BitsPerPixel);
    }

    /// <summary>
    /// Checks the header before any pixel is decoded: not empty, ends with its end marker, a known format, positive
    /// dimensions within <see cref="ImageSettings.MaxPixels"/>. Throws <see cref="ItemRejectedException"/> otherwise.
    /// </summary>
    public static (IImageInfo Info, IImageFormat Format) Inspect(byte[] bytes, ImageSettings settings)
    {
        if (bytes.Length == 0) throw new ItemRejectedException("empty-file", "the file is empty (0 bytes)");
        CheckEndMarker(bytes);
        IImageInfo? info;
        IImageFormat? format;
        try { info = Image.Identify(ConfigurationFor(settings.MemoryLimitMegabytes), bytes, out format); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (e.Message.Contains("CRC", StringComparison.OrdinalIgnoreCase))
                throw new ItemRejectedException("corrupt-image", "a PNG chunk fails its CRC check: the file is damaged");
            throw new ItemRejectedException("corrupt-header", $"the image header cannot be read{Explain(e)}");
        }
        if (info is null || format is null)
            throw new ItemRejectedException("unknown-format", "not a PNG, JPEG, BMP or TIFF image (no known signature)");
        if (info.Width <= 0 || info.Height <= 0)
            throw new ItemRejectedException("corrupt-header", "the header declares an impossible size (a width or height of zero, or over 2,147,483,647 pixels)");
        var pixels = (long)info.Width * info.Height;
        if (pixels > settings.MaxPixels)
            throw new ItemRejectedException("image-too-large",
                $"the header declares {info.Width}x{info.Height} pixels ({pixels / 1e6:0.#} megapixels), over the limit of {settings.MaxPixels / 1e6:0.#}; not decoded");
        return (info, format);
    }

    /// <summary>Runs <paramref name="decode"/> under the decoder rules: a memory-cap refusal or any decoder failure becomes a reject.</summary>
    public static T Guard<T>(IImageFormat format, ImageSettings settings, Func<T> decode)
    {
        try { return decode(); }
        catch (Exception e) when (e is InvalidMemoryOperationException || e.InnerException is InvalidMemoryOperationException)
        {
            // ImageSharp wraps the allocator's refusal in InvalidImageContentException.
            throw new ItemRejectedException("decoder-memory-limit", $"decoding needs more than the {settings.MemoryLimitMegabytes} MB allowed (image.memory_limit_mb)");
        }
        catch (Exception e) when (e is not (ItemRejectedException or OutOfMemoryException))
        {
            // Any decoder failure (bad zlib stream, bad Huffman table, ...) costs this item only.
            if (e.Message.Contains("CRC", StringComparison.OrdinalIgnoreCase))
                throw new ItemRejectedException("corrupt-image", $"a {format.Name} chunk fails its CRC check: the file is damaged");
            throw new ItemRejectedException("corrupt-image", $"the {format.Name} pixel data is damaged or truncated and cannot be decoded{Explain(e)}");
        }
    }

    /// <summary>
    /// ImageSharp's own words for a bad image (its format exceptions), which name the fault; never the runtime's text of
    /// other exceptions ("Index was outside the bounds of the array"), which would tell a person nothing.
    /// </summary>
    private static string Explain(Exception e) =>
        e is ImageFormatException && !string.IsNullOrWhiteSpace(e.Message) && !e.Message.Contains("Exception", StringComparison.Ordinal)
            ? $" ({e.Message.TrimEnd('.')})" : "";

    /// <summary>The normalised image (RGB, longer side capped) before encoding, for stages that draw on it.</summary>
    public static DecodedImage DecodeImage(byte[] bytes, ImageSettings settings)
    {
        var (info, format) = Inspect(bytes, settings);
        var config = ConfigurationFor(settings.MemoryLimitMegabytes);
        var wide = IsSixteenBit(info, format);
        var rgb = Guard(format, settings, () =>
        {
            var image = wide ? DecodeWide(bytes, config, settings, info, format) : DecodeNarrow(bytes, config);
            Cap(image, settings.MaxSide);
            return image;
        });
        return new DecodedImage(rgb, info.Width, info.Height, format.Name, info.PixelType.BitsPerPixel);
    }

    /// <summary>Shrinks <paramref name="image"/> in place to <see cref="CappedSize"/> (bicubic), the one resize every raster image gets.</summary>
    public static void Cap(Image<Rgb24> image, int maxSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (w, h) = CappedSize(image.Width, image.Height, maxSide);
        if (w != image.Width || h != image.Height)
            image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(w, h), Sampler = KnownResamplers.Bicubic, Mode = ResizeMode.Stretch }));
    }

    /// <summary>Output size with the longer side capped, aspect ratio kept (rounded to whole pixels, at least 1).</summary>
    public static (int Width, int Height) CappedSize(int width, int height, int maxSide)
    {
        var longer = Math.Max(width, height);
        if (longer <= maxSide) return (width, height);
        var scale = (double)maxSide / longer;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>Encodes 8-bit RGB PNG with fixed settings and no ancillary chunks, so equal pixels give equal bytes.</summary>
    /// <summary>The stored form of every image: 8-bit RGB PNG without metadata (see <see cref="PngWriter"/>).</summary>
    public static byte[] EncodePng(Image<Rgb24> image) => PngWriter.Encode(image);

    /// <summary>
    /// ImageSharp fills a truncated JPEG or PNG with grey instead of failing, so a file whose signature says
    /// JPEG (FF D8 FF) or PNG must also end with its end marker (JPEG EOI FF D9, PNG IEND chunk).
    /// </summary>
    private static void CheckEndMarker(byte[] bytes)
    {
        var tail = bytes.AsSpan(Math.Max(0, bytes.Length - 256));
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) && tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) < 0)
            throw new ItemRejectedException("truncated-image", "the JPEG has no end-of-image marker (FFD9): the file is truncated");
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) && tail.IndexOf("IEND"u8) < 0)
            throw new ItemRejectedException("truncated-image", "the PNG has no IEND chunk: the file is truncated");
        if (bytes.AsSpan().StartsWith("BM"u8) && BmpShortBy(bytes) is > 0 and var missing)
            throw new ItemRejectedException("truncated-image", $"the BMP is {missing:N0} bytes shorter than its header's pixel data needs: the file is truncated");
    }

    /// <summary>
    /// How many bytes a BMP lacks: ImageSharp fills a short BMP with black instead of failing. Uncompressed (BI_RGB,
    /// BI_BITFIELDS) pixel data is rows of ((bits x width + 31) / 32) x 4 bytes from bfOffBits; compressed data is
    /// biSizeImage bytes (BITMAPINFOHEADER, Microsoft "Bitmap Storage").
    /// </summary>
    private static long BmpShortBy(byte[] b)
    {
        if (b.Length < 34) return b.Length < 14 ? 0 : 1;
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(10));
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(14));
        if (headerSize < 40) return 0;   // OS/2 core headers: left to the decoder
        long width = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(18));
        long height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22)));
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(28));
        var compression = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(30));
        long needed = compression is 0 or 3 or 6
            ? (bits * width + 31) / 32 * 4 * height
            : b.Length >= 38 ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(34)) : 0;
        return Math.Max(0, offset + needed - b.Length);
    }

    private static bool IsSixteenBit(IImageInfo info, IImageFormat format)
    {
        if (format.Name == "PNG") return info.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16;
        if (format.Name == "TIFF")
        {
            // 2.1's identify reports only bits per pixel; for TIFF 16, 48 and 64 mean 16 bits per sample.
            return info.PixelType.BitsPerPixel is 16 or 48 or 64;
        }
        return false;
    }

    private static Image<Rgb24> DecodeNarrow(byte[] bytes, ImageSharpConfiguration config)
    {
        using var rgba = Image.Load<Rgba32>(config, bytes);
        var rgb = new Image<Rgb24>(config, rgba.Width, rgba.Height);
        var src = Pixels(rgba);
        var dst = Pixels(rgb);
        {
            for (var x = 0; x < src.Length; x++)
            {
                var p = src[x];
                // Composite over black: a transparent pixel carries no image content.
                dst[x] = p.A == 255 ? new Rgb24(p.R, p.G, p.B)
                    : new Rgb24((byte)((p.R * p.A + 127) / 255), (byte)((p.G * p.A + 127) / 255), (byte)((p.B * p.A + 127) / 255));
            }
        }
        return rgb;
    }

    /// <summary>16-bit sources: one percentile window over every colour sample (grayscale keeps R=G=B).</summary>
    /// <summary>
    /// A 16-bit image, windowed at the percentiles of its (alpha-premultiplied) channel values into 8-bit RGB. It is decoded
    /// into the narrowest pixel type that holds it (L16 for grey, Rgb48 for colour, Rgba64 only with alpha) and the window
    /// comes from a histogram, so a 64-megapixel 16-bit image needs its decoded pixels plus the 8-bit result, nothing more.
    /// </summary>
    private static Image<Rgb24> DecodeWide(byte[] bytes, ImageSharpConfiguration config, ImageSettings settings, IImageInfo info, IImageFormat format)
    {
        var hasAlpha = info.PixelType.AlphaRepresentation is not (null or PixelAlphaRepresentation.None);
        var grey = format.Name == "PNG" && info.Metadata.GetPngMetadata().ColorType is PngColorType.Grayscale;
        if (grey && !hasAlpha) return Window(Image.Load<L16>(config, bytes), p => (p.PackedValue, p.PackedValue, p.PackedValue), config, settings);
        if (!hasAlpha) return Window(Image.Load<Rgb48>(config, bytes), p => (p.R, p.G, p.B), config, settings);
        return Window(Image.Load<Rgba64>(config, bytes), p => (Premultiply(p.R, p.A), Premultiply(p.G, p.A), Premultiply(p.B, p.A)), config, settings);
    }

    private static Image<Rgb24> Window<TPixel>(Image<TPixel> wide, Func<TPixel, (ushort R, ushort G, ushort B)> channels, ImageSharpConfiguration config, ImageSettings settings)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using (wide)
        {
            var histogram = new long[65536];
            foreach (var p in Pixels(wide))
            {
                var (r, g, b) = channels(p);
                histogram[r]++;
                histogram[g]++;
                histogram[b]++;
            }
            var window = PercentileWindow.FromHistogram(histogram, 3L * wide.Width * wide.Height, settings.LowPercentile, settings.HighPercentile);
            var rgb = new Image<Rgb24>(config, wide.Width, wide.Height);
            var src = Pixels(wide);
            var dst = Pixels(rgb);
            for (var x = 0; x < dst.Length; x++)
            {
                var (r, g, b) = channels(src[x]);
                dst[x] = new Rgb24(window.Apply(r), window.Apply(g), window.Apply(b));
            }
            return rgb;
        }
    }

    /// <summary>All pixels of an image as one span; the configuration asks for contiguous buffers.</summary>
    public static Span<TPixel> Pixels<TPixel>(Image<TPixel> image) where TPixel : unmanaged, IPixel<TPixel> =>
        image.DangerousTryGetSinglePixelMemory(out var memory)
            ? memory.Span
            : throw new InvalidOperationException("image buffer is not contiguous");

    private static ushort Premultiply(ushort value, ushort alpha) =>
        alpha == ushort.MaxValue ? value : (ushort)((value * (long)alpha + 32767) / 65535);
}

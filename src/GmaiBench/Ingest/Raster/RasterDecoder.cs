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
            throw new ItemRejectedException("corrupt-header", $"the image header cannot be read: {e.Message}");
        }
        if (info is null || format is null)
            throw new ItemRejectedException("unknown-format", "not a PNG, JPEG, BMP or TIFF image (no known signature)");
        if (info.Width <= 0 || info.Height <= 0)
            throw new ItemRejectedException("corrupt-header", $"the header declares {info.Width}x{info.Height} pixels");
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
            throw new ItemRejectedException("decoder-memory-limit", $"decoding needs more than the {settings.MemoryLimitMegabytes} MB allowed: {e.Message}");
        }
        catch (Exception e) when (e is not (ItemRejectedException or OutOfMemoryException))
        {
            // Any decoder failure (bad zlib stream, bad Huffman table, ...) costs this item only.
            throw new ItemRejectedException("corrupt-image", $"the {format.Name} data cannot be decoded: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The normalised image (RGB, longer side capped) before encoding, for stages that draw on it.</summary>
    public static DecodedImage DecodeImage(byte[] bytes, ImageSettings settings)
    {
        var (info, format) = Inspect(bytes, settings);
        var config = ConfigurationFor(settings.MemoryLimitMegabytes);
        var wide = IsSixteenBit(info, format);
        var rgb = Guard(format, settings, () =>
        {
            var image = wide ? DecodeWide(bytes, config, settings) : DecodeNarrow(bytes, config);
            var (w, h) = CappedSize(image.Width, image.Height, settings.MaxSide);
            if (w != image.Width || h != image.Height)
                image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(w, h), Sampler = KnownResamplers.Bicubic, Mode = ResizeMode.Stretch }));
            return image;
        });
        return new DecodedImage(rgb, info.Width, info.Height, format.Name, info.PixelType.BitsPerPixel);
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
    private static Image<Rgb24> DecodeWide(byte[] bytes, ImageSharpConfiguration config, ImageSettings settings)
    {
        using var wide = Image.Load<Rgba64>(config, bytes);
        var n = wide.Width * wide.Height;
        var samples = new ushort[n * 3];
        var i = 0;
        {
            foreach (var p in Pixels(wide))
            {
                samples[i++] = Premultiply(p.R, p.A);
                samples[i++] = Premultiply(p.G, p.A);
                samples[i++] = Premultiply(p.B, p.A);
            }
        }
        var window = PercentileWindow.FromUInt16(samples, settings.LowPercentile, settings.HighPercentile);
        var rgb = new Image<Rgb24>(config, wide.Width, wide.Height);
        var dst = Pixels(rgb);
        for (int x = 0, j = 0; x < dst.Length; x++, j += 3)
            dst[x] = new Rgb24(window.Apply(samples[j]), window.Apply(samples[j + 1]), window.Apply(samples[j + 2]));
        return rgb;
    }

    /// <summary>All pixels of an image as one span; the configuration asks for contiguous buffers.</summary>
    public static Span<TPixel> Pixels<TPixel>(Image<TPixel> image) where TPixel : unmanaged, IPixel<TPixel> =>
        image.DangerousTryGetSinglePixelMemory(out var memory)
            ? memory.Span
            : throw new InvalidOperationException("image buffer is not contiguous");

    private static ushort Premultiply(ushort value, ushort alpha) =>
        alpha == ushort.MaxValue ? value : (ushort)((value * (long)alpha + 32767) / 65535);
}

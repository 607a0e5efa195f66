using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace GmaiBench.Imaging;

/// <summary>
/// A 64-bit DCT perceptual hash: the image reduced to 32x32 luminance, its 2D DCT-II, the 8x8 lowest
/// frequencies compared with their median. Re-encoded, rescaled or slightly re-windowed copies of an image land
/// within a few bits of each other; different images are ~32 bits apart. Also the luminance standard deviation,
/// for the blank-image check.
/// </summary>
public static class PerceptualHash
{
    private const int Size = 32;

    public static (ulong Hash, double Contrast) Of(Image<Rgb24> image)
    {
        using var small = image.Clone(x => x.Resize(new ResizeOptions { Size = new Size(Size, Size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle }));
        var lum = new double[Size * Size];
        for (var y = 0; y < Size; y++)
        for (var x = 0; x < Size; x++)
        {
            var p = small[x, y];
            lum[y * Size + x] = 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;   // ITU-R BT.601 luma
        }
        return (FromLuminance(lum), Contrast(image));
    }

    /// <summary>The hash of a 32x32 luminance grid (row-major).</summary>
    public static ulong FromLuminance(ReadOnlySpan<double> lum)
    {
        if (lum.Length != Size * Size) throw new ArgumentException($"expected {Size * Size} values");
        var coefficients = new double[64];
        for (var v = 0; v < 8; v++)
        for (var u = 0; u < 8; u++)
        {
            double sum = 0;
            for (var y = 0; y < Size; y++)
            {
                var cy = Math.Cos((2 * y + 1) * v * Math.PI / (2 * Size));
                for (var x = 0; x < Size; x++) sum += lum[y * Size + x] * Math.Cos((2 * x + 1) * u * Math.PI / (2 * Size)) * cy;
            }
            coefficients[v * 8 + u] = sum;
        }
        var sorted = coefficients.Skip(1).Order().ToArray();   // the DC term sets the overall brightness; leave it out of the median
        var median = (sorted[31] + sorted[32]) / 2;
        ulong hash = 0;
        for (var i = 0; i < 64; i++)
            if (coefficients[i] > median) hash |= 1UL << i;
        return hash;
    }

    public static int Distance(ulong a, ulong b) => System.Numerics.BitOperations.PopCount(a ^ b);

    /// <summary>Standard deviation of luminance over all pixels, 0..255 units.</summary>
    public static double Contrast(Image<Rgb24> image)
    {
        double sum = 0, sumSq = 0;
        long n = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                {
                    var l = 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;
                    sum += l;
                    sumSq += l * l;
                    n++;
                }
        });
        var mean = sum / n;
        return Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));
    }
}

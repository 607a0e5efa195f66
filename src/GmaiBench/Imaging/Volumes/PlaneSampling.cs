namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// The square-pixel output grid of one slice, shared by its image (linear) and its labels (nearest) so overlays align
/// exactly. Pixel size is the smaller in-plane spacing, or larger when the longer side must be capped; the output
/// covers the same field of view as the source.
/// </summary>
public sealed class PlaneSampling
{
    private PlaneSampling(int sourceWidth, int sourceHeight, int width, int height, double pixelWidth, double pixelHeight)
    {
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        Width = width;
        Height = height;
        PixelWidth = pixelWidth;
        PixelHeight = pixelHeight;
    }

    public int SourceWidth { get; }

    public int SourceHeight { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Output pixel size across columns, in millimetres (equal to <see cref="PixelHeight"/> up to whole-pixel rounding).</summary>
    public double PixelWidth { get; }

    /// <summary>Output pixel size down rows, in millimetres.</summary>
    public double PixelHeight { get; }

    /// <param name="columnSpacing">Source pixel size across columns, millimetres.</param>
    /// <param name="rowSpacing">Source pixel size down rows, millimetres.</param>
    /// <param name="maxSide">Cap on the longer output side in pixels; null for none.</param>
    public static PlaneSampling For(int sourceWidth, int sourceHeight, double columnSpacing, double rowSpacing, int? maxSide = null)
    {
        if (sourceWidth <= 0 || sourceHeight <= 0) throw new ArgumentOutOfRangeException(nameof(sourceWidth), $"the source plane must be non-empty, got {sourceWidth}x{sourceHeight}");
        if (!(columnSpacing > 0) || !(rowSpacing > 0) || !double.IsFinite(columnSpacing) || !double.IsFinite(rowSpacing))
            throw new ArgumentOutOfRangeException(nameof(columnSpacing), $"spacings must be positive and finite, got {columnSpacing} and {rowSpacing} mm");
        if (maxSide is < 1) throw new ArgumentOutOfRangeException(nameof(maxSide), $"the longest side must be at least 1 pixel, got {maxSide}");
        double extentX = sourceWidth * columnSpacing, extentY = sourceHeight * rowSpacing;
        var pixel = Math.Min(columnSpacing, rowSpacing);
        if (maxSide is { } cap) pixel = Math.Max(pixel, Math.Max(extentX, extentY) / cap);
        // A side whose spacing is the chosen pixel size keeps its count exactly (no rounding drift).
        var width = columnSpacing == pixel ? sourceWidth : Side(extentX / pixel, maxSide);
        var height = rowSpacing == pixel ? sourceHeight : Side(extentY / pixel, maxSide);
        return new PlaneSampling(sourceWidth, sourceHeight, width, height, extentX / width, extentY / height);
    }

    private static int Side(double pixels, int? maxSide)
    {
        var n = (int)Math.Max(1, Math.Round(pixels, MidpointRounding.AwayFromZero));
        return maxSide is { } cap ? Math.Min(n, cap) : n;
    }

    /// <summary>Source column (continuous, pixel centres at integers) sampled by output column <paramref name="x"/>.</summary>
    public double SourceColumn(int x) => Width == SourceWidth ? x : (x + 0.5) * SourceWidth / Width - 0.5;

    /// <summary>Source row sampled by output row <paramref name="y"/>.</summary>
    public double SourceRow(int y) => Height == SourceHeight ? y : (y + 0.5) * SourceHeight / Height - 0.5;

    /// <summary>Bilinear resampling of a row-major source plane; edges are clamped; an unchanged axis copies exactly.</summary>
    public void ResampleLinear(ReadOnlySpan<double> source, Span<double> destination)
    {
        Check(source.Length, destination.Length);
        var (x0, x1, tx) = Taps(Width, SourceWidth, SourceColumn);
        var (y0, y1, ty) = Taps(Height, SourceHeight, SourceRow);
        for (var y = 0; y < Height; y++)
        {
            var top = source.Slice(y0[y] * SourceWidth, SourceWidth);
            var bottom = source.Slice(y1[y] * SourceWidth, SourceWidth);
            var wy = ty[y];
            var row = destination.Slice(y * Width, Width);
            for (var x = 0; x < row.Length; x++)
            {
                var upper = Lerp(top[x0[x]], top[x1[x]], tx[x]);
                row[x] = wy == 0 ? upper : Lerp(upper, Lerp(bottom[x0[x]], bottom[x1[x]], tx[x]), wy);
            }
        }
    }

    /// <summary>Nearest-neighbour resampling (labels are never interpolated); position .5 goes to the higher pixel.</summary>
    public void ResampleNearest(ReadOnlySpan<int> source, Span<int> destination)
    {
        Check(source.Length, destination.Length);
        var columns = new int[Width];
        for (var x = 0; x < Width; x++) columns[x] = Nearest(SourceColumn(x), SourceWidth);
        for (var y = 0; y < Height; y++)
        {
            var sourceRow = source.Slice(Nearest(SourceRow(y), SourceHeight) * SourceWidth, SourceWidth);
            var row = destination.Slice(y * Width, Width);
            for (var x = 0; x < row.Length; x++) row[x] = sourceRow[columns[x]];
        }
    }

    private void Check(int sourceLength, int destinationLength)
    {
        if (sourceLength < SourceWidth * SourceHeight) throw new ArgumentException($"the source plane needs {SourceWidth}x{SourceHeight} values");
        if (destinationLength < Width * Height) throw new ArgumentException($"the output needs {Width}x{Height} values");
    }

    private static double Lerp(double a, double b, double t) => t == 0 ? a : a + (b - a) * t;

    private static int Nearest(double position, int length) => (int)Math.Clamp(Math.Floor(position + 0.5), 0, length - 1);

    private static (int[] Low, int[] High, double[] Weight) Taps(int count, int sourceLength, Func<int, double> position)
    {
        var low = new int[count];
        var high = new int[count];
        var weight = new double[count];
        for (var n = 0; n < count; n++)
        {
            var p = Math.Clamp(position(n), 0, sourceLength - 1);
            var i = (int)Math.Floor(p);
            low[n] = i;
            high[n] = Math.Min(i + 1, sourceLength - 1);
            weight[n] = p - i;
        }
        return (low, high, weight);
    }
}

using System.Buffers;
using GmaiBench.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Imaging.Volumes;

/// <summary>The label map of one rendered slice: row-major labels on exactly the image's pixel grid.</summary>
public sealed class LabelSlice
{
    private int[] _labels;
    private readonly bool _pooled;

    public LabelSlice(int width, int height, int[] labels) : this(width, height, labels, pooled: false)
    {
    }

    private LabelSlice(int width, int height, int[] labels, bool pooled)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (width <= 0 || height <= 0 || labels.Length < width * height || (!pooled && labels.Length != width * height))
            throw new ArgumentException($"{labels.Length} labels for a {width}x{height} slice", nameof(labels));
        Width = width;
        Height = height;
        _labels = labels;
        _pooled = pooled;
    }

    /// <summary>A slice over a rented array, handed back by <see cref="RenderedSlice.Dispose"/>.</summary>
    internal static LabelSlice Pooled(int width, int height, int[] labels) => new(width, height, labels, pooled: true);

    public int Width { get; }

    public int Height { get; }

    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, Width * Height);

    public int this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}x{Height} slice");
            return _labels[y * Width + x];
        }
    }

    internal void Release()
    {
        if (!_pooled || _labels.Length == 0) return;
        ScratchPool<int>.Shared.Return(_labels);
        _labels = [];
    }

    /// <summary>Pixels carrying <paramref name="label"/>.</summary>
    public long Area(int label) => Labels.Count(label);
}

/// <summary>
/// One slice ready for a visual prompt: the windowed RGB image (grey in R=G=B) and its label map. Dispose hands both
/// buffers back to their pools; neither may be used afterwards.
/// </summary>
public sealed class RenderedSlice(SlicePlane plane, Image<Rgb24> image, LabelSlice labels, PlaneSampling sampling) : IDisposable
{
    public SlicePlane Plane { get; } = plane;

    public Image<Rgb24> Image { get; } = image;

    public LabelSlice Labels { get; } = labels;

    public PlaneSampling Sampling { get; } = sampling;

    public void Dispose()
    {
        Image.Dispose();
        Labels.Release();
    }
}

/// <summary>
/// Extracts display planes from canonical RAS+ volumes (conventions in <see cref="SlicePlane"/>), resamples them to
/// square pixels (linear for the image, nearest for labels, one shared grid) and windows the image to 8 bits.
/// Physical values are formed per slice; the volume stays in its stored type.
/// </summary>
public static class SliceRenderer
{
    /// <summary>The output grid of <paramref name="plane"/> on a canonical grid.</summary>
    public static PlaneSampling Sampling(VolumeGrid canonicalGrid, SlicePlane plane, int? maxSide = null)
    {
        ArgumentNullException.ThrowIfNull(canonicalGrid);
        return PlaneSampling.For(
            canonicalGrid.Shape[plane.ColumnAxis], canonicalGrid.Shape[plane.RowAxis],
            canonicalGrid.Affine.ColumnLength(plane.ColumnAxis), canonicalGrid.Affine.ColumnLength(plane.RowAxis), maxSide);
    }

    /// <summary>Image and labels of one slice on the same pixel grid; the two volumes must be canonical and share their grid.</summary>
    public static RenderedSlice Render(Volume image, LabelMap labels, SlicePlane plane, DisplayWindow window, int? maxSide = null, double gridToleranceMm = 0.01)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        var comparison = VolumeGrid.Compare(image.Grid, labels.Grid, gridToleranceMm);
        if (!comparison.Matches) throw new ArgumentException($"the image and label map grids differ: {comparison.Description}", nameof(labels));
        var sampling = Sampling(image.Grid, plane, maxSide);
        var picture = RenderImage(image, plane, window, sampling);
        try
        {
            return new RenderedSlice(plane, picture, RenderLabels(labels, plane, sampling, pooled: true), sampling);
        }
        catch
        {
            picture.Dispose();
            throw;
        }
    }

    /// <summary>The windowed grey image of one slice of a canonical volume, on <paramref name="sampling"/>'s grid.</summary>
    public static Image<Rgb24> RenderImage(Volume image, SlicePlane plane, DisplayWindow window, PlaneSampling sampling)
    {
        RequireCanonical(image);
        ArgumentNullException.ThrowIfNull(sampling);
        CheckPlane(image.Shape, plane, sampling);
        int sourceCount = sampling.SourceWidth * sampling.SourceHeight, count = sampling.Width * sampling.Height;
        // Scratch planes come from the shared pool: fresh multi-megabyte arrays per slice cost page faults and garbage.
        var source = ScratchPool<double>.Shared.Rent(sourceCount);
        var resampled = sampling.Width == sampling.SourceWidth && sampling.Height == sampling.SourceHeight ? null : ScratchPool<double>.Shared.Rent(count);
        var grey = ScratchPool<byte>.Shared.Rent(count);
        var pixels = ScratchPool<Rgb24>.Shared.Rent(count);
        try
        {
            image.ReadPlane(plane, source.AsSpan(0, sourceCount));
            window = window.ForSlice(source.AsSpan(0, sourceCount), $"the {plane.Axis.ToString().ToLowerInvariant()} slice {plane.Index}");
            if (resampled is not null) sampling.ResampleLinear(source.AsSpan(0, sourceCount), resampled.AsSpan(0, count));
            window.Apply((resampled ?? source).AsSpan(0, count), grey.AsSpan(0, count));
            for (var n = 0; n < count; n++) pixels[n] = new Rgb24(grey[n], grey[n], grey[n]);
            return SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(pixels.AsSpan(0, count), sampling.Width, sampling.Height);
        }
        finally
        {
            ScratchPool<double>.Shared.Return(source);
            if (resampled is not null) ScratchPool<double>.Shared.Return(resampled);
            ScratchPool<byte>.Shared.Return(grey);
            ScratchPool<Rgb24>.Shared.Return(pixels);
        }
    }

    /// <summary>The labels of one slice of a canonical label map, on <paramref name="sampling"/>'s grid.</summary>
    public static LabelSlice RenderLabels(LabelMap labels, SlicePlane plane, PlaneSampling sampling) => RenderLabels(labels, plane, sampling, pooled: false);

    private static LabelSlice RenderLabels(LabelMap labels, SlicePlane plane, PlaneSampling sampling, bool pooled)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampling);
        labels.RequireCanonical();
        CheckPlane(labels.Shape, plane, sampling);
        int sourceCount = sampling.SourceWidth * sampling.SourceHeight, count = sampling.Width * sampling.Height;
        var output = pooled ? ScratchPool<int>.Shared.Rent(count) : new int[count];
        var result = pooled ? LabelSlice.Pooled(sampling.Width, sampling.Height, output) : new LabelSlice(sampling.Width, sampling.Height, output);
        if (sampling.Width == sampling.SourceWidth && sampling.Height == sampling.SourceHeight)
        {
            labels.ReadPlane(plane, output.AsSpan(0, count));
            return result;
        }
        var source = ScratchPool<int>.Shared.Rent(sourceCount);
        try
        {
            labels.ReadPlane(plane, source.AsSpan(0, sourceCount));
            sampling.ResampleNearest(source.AsSpan(0, sourceCount), output.AsSpan(0, count));
        }
        finally
        {
            ScratchPool<int>.Shared.Return(source);
        }
        return result;
    }

    private static void CheckPlane(GridShape shape, SlicePlane plane, PlaneSampling sampling)
    {
        if (shape[plane.ColumnAxis] != sampling.SourceWidth || shape[plane.RowAxis] != sampling.SourceHeight)
            throw new ArgumentException($"the sampling is for a {sampling.SourceWidth}x{sampling.SourceHeight} plane; the {plane.Axis} plane of this {shape} grid differs", nameof(sampling));
    }

    private static void RequireCanonical(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var codes = volume.OrientationCodes;
        if (codes != Orientation.Canonical)
            throw new InvalidOperationException($"slices are defined on canonical RAS+ grids; this volume is {codes}: call ToCanonical() first");
    }
}

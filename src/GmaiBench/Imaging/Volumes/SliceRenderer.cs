using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Imaging.Volumes;

/// <summary>The label map of one rendered slice: row-major labels on exactly the image's pixel grid.</summary>
public sealed class LabelSlice
{
    private readonly int[] _labels;

    public LabelSlice(int width, int height, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (width <= 0 || height <= 0 || labels.Length != width * height)
            throw new ArgumentException($"{labels.Length} labels for a {width}x{height} slice", nameof(labels));
        Width = width;
        Height = height;
        _labels = labels;
    }

    public int Width { get; }

    public int Height { get; }

    public ReadOnlySpan<int> Labels => _labels;

    public int this[int x, int y] => _labels[y * Width + x];

    /// <summary>Pixels carrying <paramref name="label"/>.</summary>
    public long Area(int label)
    {
        long n = 0;
        foreach (var v in _labels) if (v == label) n++;
        return n;
    }
}

/// <summary>One slice ready for a visual prompt: the windowed RGB image (grey in R=G=B) and its label map.</summary>
public sealed class RenderedSlice(SlicePlane plane, Image<Rgb24> image, LabelSlice labels, PlaneSampling sampling) : IDisposable
{
    public SlicePlane Plane { get; } = plane;

    public Image<Rgb24> Image { get; } = image;

    public LabelSlice Labels { get; } = labels;

    public PlaneSampling Sampling { get; } = sampling;

    public void Dispose() => Image.Dispose();
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
            return new RenderedSlice(plane, picture, RenderLabels(labels, plane, sampling), sampling);
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
        var plain = new double[sampling.SourceWidth * sampling.SourceHeight];
        CheckPlane(image.Shape, plane, sampling);
        image.ReadPlane(plane, plain);
        var resampled = sampling.Width == sampling.SourceWidth && sampling.Height == sampling.SourceHeight ? plain : new double[sampling.Width * sampling.Height];
        if (!ReferenceEquals(resampled, plain)) sampling.ResampleLinear(plain, resampled);
        var pixels = new Rgb24[resampled.Length];
        for (var n = 0; n < pixels.Length; n++)
        {
            var g = window.Apply(resampled[n]);
            pixels[n] = new Rgb24(g, g, g);
        }
        return SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(pixels, sampling.Width, sampling.Height);
    }

    /// <summary>The labels of one slice of a canonical label map, on <paramref name="sampling"/>'s grid.</summary>
    public static LabelSlice RenderLabels(LabelMap labels, SlicePlane plane, PlaneSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(labels);
        labels.RequireCanonical();
        CheckPlane(labels.Shape, plane, sampling);
        var plain = new int[sampling.SourceWidth * sampling.SourceHeight];
        labels.ReadPlane(plane, plain);
        if (sampling.Width == sampling.SourceWidth && sampling.Height == sampling.SourceHeight)
            return new LabelSlice(sampling.Width, sampling.Height, plain);
        var resampled = new int[sampling.Width * sampling.Height];
        sampling.ResampleNearest(plain, resampled);
        return new LabelSlice(sampling.Width, sampling.Height, resampled);
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

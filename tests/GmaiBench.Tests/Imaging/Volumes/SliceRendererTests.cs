using GmaiBench.Imaging.Intensity;
using GmaiBench.Imaging.Volumes;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Imaging.Volumes;

public class SliceRendererTests
{
    // Identity window on 0..255: grey = value.
    private static readonly DisplayWindow Grey = DisplayWindow.FromPercentile(new PercentileWindow(0, 255));

    // Canonical 3x2x2 grid, 1 mm, value 100k + 10j + i (as labels too).
    private static (Volume<short> Image, LabelMap Labels) Literal()
    {
        var image = VolumeFixtures.Make<short>(new GridShape(3, 2, 2), Affine.Identity, (i, j, k) => 100 * k + 10 * j + i);
        return (image, LabelMap.From(image));
    }

    private static int[,] Rows(LabelSlice s)
    {
        var r = new int[s.Height, s.Width];
        for (var y = 0; y < s.Height; y++)
            for (var x = 0; x < s.Width; x++)
                r[y, x] = s[x, y];
        return r;
    }

    [Fact]
    public void Axial_has_anterior_up_and_the_patients_right_on_the_left()
    {
        var (image, labels) = Literal();
        using var slice = SliceRenderer.Render(image, labels, new SlicePlane(SliceAxis.Axial, 1), Grey);
        // Columns: i = 2, 1, 0 (right to left of the patient); rows: j = 1 (anterior), 0.
        Assert.Equal(new[,] { { 112, 111, 110 }, { 102, 101, 100 } }, Rows(slice.Labels));
        Assert.Equal((3, 2), (slice.Image.Width, slice.Image.Height));
        Assert.Equal(new Rgb24(112, 112, 112), slice.Image[0, 0]);
        Assert.Equal(new Rgb24(100, 100, 100), slice.Image[2, 1]);
    }

    [Fact]
    public void Coronal_has_superior_up_and_the_patients_right_on_the_left()
    {
        var (image, labels) = Literal();
        using var slice = SliceRenderer.Render(image, labels, new SlicePlane(SliceAxis.Coronal, 0), Grey);
        // Columns: i = 2, 1, 0; rows: k = 1 (superior), 0.
        Assert.Equal(new[,] { { 102, 101, 100 }, { 2, 1, 0 } }, Rows(slice.Labels));
    }

    [Fact]
    public void Sagittal_has_superior_up_and_anterior_on_the_left()
    {
        var (image, labels) = Literal();
        using var slice = SliceRenderer.Render(image, labels, new SlicePlane(SliceAxis.Sagittal, 2), Grey);
        // Columns: j = 1 (anterior), 0; rows: k = 1, 0.
        Assert.Equal(new[,] { { 112, 102 }, { 12, 2 } }, Rows(slice.Labels));
        Assert.Equal(new Rgb24(12, 12, 12), slice.Image[0, 1]);
    }

    [Fact]
    public void Anisotropic_pixels_are_resampled_to_the_smaller_spacing_on_one_grid()
    {
        // Axial plane 2 x 2 voxels of 1 mm (i) by 2 mm (j): output 2 x 4 pixels of 1 mm.
        var affine = Affine.Diagonal(1, 2, 3);
        var image = VolumeFixtures.Make<short>(new GridShape(2, 2, 1), affine, (i, j, _) => j == 1 ? 40 + 80 * i : 200);
        var labels = LabelMap.From(VolumeFixtures.Make<byte>(new GridShape(2, 2, 1), affine, (i, j, _) => j == 1 ? 1 + i : 5));
        using var slice = SliceRenderer.Render(image, labels, new SlicePlane(SliceAxis.Axial, 0), Grey);
        Assert.Equal((2, 4), (slice.Image.Width, slice.Image.Height));
        Assert.Equal((2, 4), (slice.Labels.Width, slice.Labels.Height));
        Assert.Equal(1.0, slice.Sampling.PixelWidth);
        Assert.Equal(1.0, slice.Sampling.PixelHeight);
        // Display column 0 is i = 1. Rows sample source rows -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1);
        // source row 0 is j = 1 (value 120 at i = 1), row 1 is j = 0 (200).
        byte[] expectedColumn0 = [120, 140, 180, 200];
        for (var y = 0; y < 4; y++) Assert.Equal(expectedColumn0[y], slice.Image[0, y].R);
        // Nearest: source rows -0.25, 0.25, 0.75, 1.25 round to 0, 0, 1, 1.
        Assert.Equal(new[,] { { 2, 1 }, { 2, 1 }, { 5, 5 }, { 5, 5 } }, Rows(slice.Labels));
    }

    [Fact]
    public void Sampling_keeps_the_field_of_view_and_caps_the_longer_side()
    {
        var s = PlaneSampling.For(512, 200, 0.7, 2.5);
        Assert.Equal((512, 714), (s.Width, s.Height));
        Assert.Equal(0.7, s.PixelWidth);
        Assert.Equal(500.0 / 714, s.PixelHeight, 12);
        var capped = PlaneSampling.For(512, 200, 0.7, 2.5, maxSide: 256);
        Assert.Equal(256, Math.Max(capped.Width, capped.Height));
        Assert.Equal((184, 256), (capped.Width, capped.Height));
        var square = PlaneSampling.For(4, 3, 1.5, 1.5);
        Assert.Equal((4, 3), (square.Width, square.Height));
        Assert.Equal(2.0, square.SourceColumn(2));
    }

    [Fact]
    public void Linear_resampling_is_exact_on_an_unchanged_axis()
    {
        var s = PlaneSampling.For(3, 1, 1, 2);
        double[] source = [1.5, double.NaN, 7];
        var output = new double[s.Width * s.Height];
        s.ResampleLinear(source, output);
        Assert.Equal((3, 2), (s.Width, s.Height));
        Assert.Equal([1.5, double.NaN, 7, 1.5, double.NaN, 7], output);
    }

    [Fact]
    public void Mismatched_grids_are_refused_with_both_geometries()
    {
        var (image, _) = Literal();
        var other = LabelMap.From(VolumeFixtures.Make<byte>(new GridShape(3, 2, 2), Affine.Diagonal(1, 1, 1, 0, 0, 5), (_, _, _) => 0));
        var e = Assert.Throws<ArgumentException>(() => SliceRenderer.Render(image, other, new SlicePlane(SliceAxis.Axial, 0), Grey));
        Assert.Contains("image: shape 3x2x2", e.Message);
        Assert.Contains("labels: shape 3x2x2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SliceRenderer.Render(image, LabelMap.From(image), new SlicePlane(SliceAxis.Axial, 2), Grey));
    }
}

using GmaiBench.Imaging.Intensity;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;

namespace GmaiBench.Tests.Imaging.Volumes;

public class VolumeTests
{
    // 4x3x2, value 100k + 10j + i, stored LPS with 1 mm voxels.
    private static Volume<short> LpsLiteral() =>
        new([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 100, 101, 102, 103, 110, 111, 112, 113, 120, 121, 122, 123],
            new GridShape(4, 3, 2), Affine.Diagonal(-1, -1, 1, 5, 6, 7));

    [Fact]
    public void Stored_order_is_i_fastest()
    {
        var v = LpsLiteral();
        Assert.Equal(123, v.Stored(3, 2, 1));
        Assert.Equal(12, v.Stored(2, 1, 0));
        Assert.Equal(VoxelType.Int16, v.VoxelType);
        Assert.Equal(48, v.StoredBytes);
    }

    [Fact]
    public void Canonical_view_of_a_literal_lps_volume()
    {
        var v = LpsLiteral().ToCanonical();
        Assert.Equal("RAS", v.OrientationCodes);
        Assert.Equal(new GridShape(4, 3, 2), v.Shape);
        Assert.Equal(Affine.Diagonal(1, 1, 1, 2, 4, 7), v.Affine);
        // Canonical i = 3 - stored i, j = 2 - stored j.
        short[] row = new short[4];
        v.CopyRow(0, 0, row);
        Assert.Equal(new short[] { 23, 22, 21, 20 }, row);
        v.CopyRow(2, 1, row);
        Assert.Equal(new short[] { 103, 102, 101, 100 }, row);
        Assert.Equal(113, v.Stored(0, 1, 1));
        Assert.Equal(113.0, v[0, 1, 1]);
    }

    [Fact]
    public void Canonical_view_shares_the_voxels_and_a_canonical_volume_is_returned_as_is()
    {
        var stored = LpsLiteral();
        var canonical = stored.ToCanonical();
        Assert.True(stored.StoredVoxels == canonical.StoredVoxels);
        Assert.Same(canonical, canonical.ToCanonical());
    }

    [Fact]
    public void Physical_values_apply_the_scaling()
    {
        var v = new Volume<short>([1, 2, 3, 4], new GridShape(2, 2, 1), Affine.Identity, new VoxelScaling(0.5, -10));
        Assert.Equal(-8.5, v[0, 1, 0]);
        Assert.Equal(3.0, v.StoredAsDouble(0, 1, 0));
    }

    [Fact]
    public void Wrong_voxel_count_and_bad_scaling_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Volume<byte>(new byte[3], new GridShape(2, 2, 1), Affine.Identity));
        Assert.Throws<ArgumentException>(() => new Volume<byte>(new byte[4], new GridShape(2, 2, 1), Affine.Identity, new VoxelScaling(0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GridShape(2, 0, 1));
    }

    [Fact]
    public void A_longer_pooled_array_holds_the_volume_in_its_head()
    {
        var v = new Volume<byte>([1, 2, 3, 4, 99], new GridShape(2, 2, 1), Affine.Identity);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, v.StoredVoxels.ToArray());
    }

    [Fact]
    public void Buffer_pool_reuses_a_returned_array_that_is_large_enough()
    {
        var pool = new VoxelBufferPool();
        var first = pool.Rent<short>(24);
        pool.Return(new Volume<short>(first, new GridShape(4, 3, 2), Affine.Diagonal(-1, 1, 1)).ToCanonical());
        Assert.Equal(48, pool.RetainedBytes);
        Assert.Same(first, pool.Rent<short>(20));
        Assert.Equal(0, pool.RetainedBytes);
        pool.Return(new Volume<short>(first, new GridShape(4, 3, 2), Affine.Identity));
        var bigger = pool.Rent<short>(25);
        Assert.NotSame(first, bigger);
        Assert.Equal(25, bigger.Length);
        // The too-small array was let go rather than kept beside the new one.
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Empty(pool.Rent<byte>(0));
    }

    [Fact]
    public void Label_map_refuses_fractional_labels()
    {
        var fractional = new Volume<float>([0, 1, 2.5f, 3], new GridShape(2, 2, 1), Affine.Identity);
        var e = Assert.Throws<ArgumentException>(() => LabelMap.From(fractional));
        Assert.Contains("2.5", e.Message);
        var whole = LabelMap.From(new Volume<float>([0, 1, 2, 3], new GridShape(2, 2, 1), Affine.Identity));
        Assert.Equal(2, whole[0, 1, 0]);
        var scaled = LabelMap.From(new Volume<byte>([0, 1, 2, 3], new GridShape(2, 2, 1), Affine.Identity, new VoxelScaling(2, 1)));
        Assert.Equal(7, scaled[1, 1, 0]);
    }

    [Fact]
    public void Every_storage_order_gives_identical_slices_after_reorientation()
    {
        // An asymmetric 5x4x3 volume on an anisotropic grid (0.5 x 0.75 x 2 mm), so resampling is exercised too.
        var shape = new GridShape(5, 4, 3);
        var affine = Affine.Diagonal(0.5, 0.75, 2, -100.5, 20.25, 7);
        var image = VolumeFixtures.Make<short>(shape, affine, (i, j, k) => i * 37 - j * 11 + k * k * 13 - 40);
        var labels = VolumeFixtures.Make<byte>(shape, affine, (i, j, k) => (i + 2 * j + 3 * k) % 4);
        var window = DisplayWindow.FromPercentile(new PercentileWindow(-100, 200));
        var expected = RenderAll(image, labels, window);
        var orders = 0;
        foreach (var (axisOf, flip) in VolumeFixtures.AllStorageOrders())
        {
            var storedImage = VolumeFixtures.Restored(image, axisOf, flip);
            var storedLabels = VolumeFixtures.Restored(labels, axisOf, flip);
            var canonical = storedImage.ToCanonical();
            Assert.Equal(image.Affine, canonical.Affine);
            Assert.Equal(image.Shape, canonical.Shape);
            Assert.Equal(expected, RenderAll(canonical, storedLabels.ToCanonical(), window));
            orders++;
        }
        Assert.Equal(48, orders);
    }

    /// <summary>PNG bytes and labels of every slice along every axis, as comparable text.</summary>
    internal static List<string> RenderAll(Volume image, Volume labels, DisplayWindow window)
    {
        var labelMap = LabelMap.From(labels);
        var result = new List<string>();
        foreach (var axis in new[] { SliceAxis.Sagittal, SliceAxis.Coronal, SliceAxis.Axial })
        {
            for (var index = 0; index < image.Shape[(int)axis]; index++)
            {
                using var slice = SliceRenderer.Render(image, labelMap, new SlicePlane(axis, index), window);
                result.Add($"{axis} {index} {Convert.ToHexString(RasterDecoder.EncodePng(slice.Image))} {string.Join(",", slice.Labels.Labels.ToArray())}");
            }
        }
        return result;
    }
}

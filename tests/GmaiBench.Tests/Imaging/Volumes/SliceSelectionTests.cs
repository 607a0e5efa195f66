using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Tests.Imaging.Volumes;

public class SliceSelectionTests
{
    [Fact]
    public void Best_slice_is_the_largest_area_and_ties_go_to_the_lowest_index()
    {
        Assert.Equal([2], SliceSelection.Pick([0, 3, 5, 5, 1], 0, 1));
        Assert.Equal([1], SliceSelection.Pick([0, 4, 2, 4], 0, 1));
        Assert.Empty(SliceSelection.Pick([0, 0, 0], 2, 1));
    }

    [Fact]
    public void Extra_slices_are_spread_evenly_through_the_extent()
    {
        // Extent 2..10, best 4; two extras at 2 + 8/3 = 4.67 -> 5 and 2 + 16/3 = 7.33 -> 7.
        long[] areas = [0, 0, 1, 2, 9, 3, 3, 3, 3, 3, 1, 0];
        Assert.Equal([4, 5, 7], SliceSelection.Pick(areas, 2, 1));
        // Three extras: 4 (the best, dropped), 6, 8.
        Assert.Equal([4, 6, 8], SliceSelection.Pick(areas, 3, 1));
    }

    [Fact]
    public void Minimum_area_drops_small_labels_and_small_extra_slices()
    {
        long[] areas = [1, 6, 2, 8, 1];
        Assert.Empty(SliceSelection.Pick(areas, 0, 9));
        // Extent 0..4, extras at 1 (area 6, kept), 2 (area 2, dropped), 3 (the best).
        Assert.Equal([3, 1], SliceSelection.Pick(areas, 3, 5));
    }

    // A 3x3x4 canonical label map: label 1 covers 1, 3, 3, 2 voxels on axial slices 0..3; label 7 one voxel at
    // (2, 0, 3); label 300 fills row j = 2 of slice 1.
    private static LabelMap Literal()
    {
        var shape = new GridShape(3, 3, 4);
        var v = VolumeFixtures.Make<short>(shape, Affine.Identity, (i, j, k) =>
            (i, j, k) switch
            {
                (0, 0, 0) => 1,
                (_, 0, 1) or (_, 0, 2) => 1,
                (0, 0, 3) or (1, 0, 3) => 1,
                (2, 0, 3) => 7,
                (_, 2, 1) => 300,
                _ => 0,
            });
        return LabelMap.From(v);
    }

    [Fact]
    public void Areas_count_every_label_per_slice_along_each_axis()
    {
        var map = Literal();
        var axial = map.SliceAreas(SliceAxis.Axial);
        Assert.Equal([1, 7, 300], axial.Labels);
        Assert.Equal([1L, 3, 3, 2], axial.AreasOf(1).ToArray());
        Assert.Equal([0L, 0, 0, 1], axial.AreasOf(7).ToArray());
        Assert.Equal([0L, 3, 0, 0], axial.AreasOf(300).ToArray());
        Assert.Equal([0L, 0, 0, 0], axial.AreasOf(5).ToArray());
        var sagittal = map.SliceAreas(SliceAxis.Sagittal);
        Assert.Equal([4L, 3, 2], sagittal.AreasOf(1).ToArray());
        var coronal = map.SliceAreas(SliceAxis.Coronal);
        Assert.Equal([9L, 0, 0], coronal.AreasOf(1).ToArray());
        Assert.Equal([0L, 0, 3], coronal.AreasOf(300).ToArray());
    }

    [Fact]
    public void Choose_reports_label_axis_index_and_area()
    {
        var map = Literal();
        var choices = SliceSelection.Choose(map, 1, new SliceSelectionOptions { ExtraSlices = 1 });
        Assert.Equal(
            [new SliceChoice(1, SliceAxis.Axial, 1, 3, true), new SliceChoice(1, SliceAxis.Axial, 2, 3, false)],
            choices);
        var all = SliceSelection.ChooseAll(map.SliceAreas(SliceAxis.Axial), new SliceSelectionOptions { MinArea = 2 });
        Assert.Equal([new SliceChoice(1, SliceAxis.Axial, 1, 3, true), new SliceChoice(300, SliceAxis.Axial, 1, 3, true)], all);
    }

    [Fact]
    public void Counting_follows_the_canonical_view_of_a_flipped_map()
    {
        var map = Literal();
        var stored = VolumeFixtures.Restored((Volume<short>)map.Volume, [2, 0, 1], [true, false, true]);
        var canonical = LabelMap.From(stored).ToCanonical();
        foreach (var axis in new[] { SliceAxis.Sagittal, SliceAxis.Coronal, SliceAxis.Axial })
        {
            var expected = map.SliceAreas(axis);
            var actual = canonical.SliceAreas(axis);
            Assert.Equal(expected.Labels, actual.Labels);
            foreach (var label in expected.Labels) Assert.Equal(expected.AreasOf(label).ToArray(), actual.AreasOf(label).ToArray());
        }
    }

    [Fact]
    public void Scaled_and_float_label_maps_count_the_same_labels()
    {
        var map = Literal();
        var expected = map.SliceAreas(SliceAxis.Axial);
        // Stored (label - 1) / 0.5 with slope 0.5 and intercept 1: stored 0 is label 1, so zero runs cannot be skipped.
        var scaled = LabelMap.From(VolumeFixtures.Make<short>(map.Shape, Affine.Identity, (i, j, k) => (map[i, j, k] - 1) * 2, new VoxelScaling(0.5, 1)));
        var floats = LabelMap.From(VolumeFixtures.Make<float>(map.Shape, Affine.Identity, (i, j, k) => map[i, j, k] == 0 ? -0.0 : map[i, j, k]));
        foreach (var other in new[] { scaled, floats })
        {
            var actual = other.SliceAreas(SliceAxis.Axial);
            Assert.Equal(expected.Labels, actual.Labels);
            foreach (var label in expected.Labels) Assert.Equal(expected.AreasOf(label).ToArray(), actual.AreasOf(label).ToArray());
        }
    }

    [Fact]
    public void Non_canonical_maps_and_bad_options_are_refused()
    {
        var lps = LabelMap.From(new Volume<byte>(new byte[8], new GridShape(2, 2, 2), Affine.Diagonal(-1, -1, 1)));
        Assert.Throws<InvalidOperationException>(() => lps.SliceAreas(SliceAxis.Axial));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SliceSelectionOptions { MinArea = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SliceSelectionOptions { ExtraSlices = -1 }.Validate());
        var areas = lps.ToCanonical().SliceAreas(SliceAxis.Coronal);
        Assert.Throws<ArgumentException>(() => SliceSelection.Choose(areas, 1, new SliceSelectionOptions()));
    }
}

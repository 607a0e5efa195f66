using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Tests.Imaging.Volumes;

public class GeometryTests
{
    [Theory]
    [InlineData(1, 1, 1, "RAS")]
    [InlineData(-1, -1, 1, "LPS")]
    [InlineData(-1, 1, 1, "LAS")]
    [InlineData(1, -1, -1, "RPI")]
    public void Axis_codes_of_diagonal_affines(double sx, double sy, double sz, string expected)
    {
        Assert.Equal(expected, Orientation.Codes(Affine.Diagonal(sx * 0.7, sy * 0.7, sz * 2.5)));
    }

    [Fact]
    public void Axis_codes_of_a_permuted_affine()
    {
        // Voxel i runs towards S, j towards L, k towards P.
        var affine = Affine.FromRows([0, -1, 0, 0, 0, 0, -2, 0, 3, 0, 0, 0]);
        Assert.Equal("SLP", Orientation.Codes(affine));
    }

    [Fact]
    public void Oblique_axes_snap_to_the_nearest_world_axis()
    {
        // 20 degrees about z: i mostly R (cos 0.94), j mostly A.
        double c = Math.Cos(20 * Math.PI / 180), s = Math.Sin(20 * Math.PI / 180);
        var affine = Affine.FromRows([c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0]);
        Assert.Equal("RAS", Orientation.Codes(affine));
        var rotated = Affine.FromRows([-s, -c, 0, 0, c, -s, 0, 0, 0, 0, 1, 0]);
        // i = (-s, c, 0): mostly A; j = (-c, -s, 0): mostly L.
        Assert.Equal("ALS", Orientation.Codes(rotated));
    }

    [Fact]
    public void Degenerate_affine_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Orientation.Codes(Affine.Diagonal(1, 0, 1)));
        Assert.Throws<ArgumentException>(() => Orientation.Codes(Affine.FromRows([1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0])));
    }

    [Fact]
    public void Canonical_transform_of_an_lps_grid_flips_i_and_j_and_moves_the_origin()
    {
        // 4x3x2 LPS grid, 0.5 x 0.75 x 2 mm, voxel 0 at (10, 20, -30).
        var affine = Affine.Diagonal(-0.5, -0.75, 2, 10, 20, -30);
        var r = Orientation.ToCanonical(new GridShape(4, 3, 2), affine);
        Assert.Equal(new GridShape(4, 3, 2), r.Shape);
        Assert.Equal(Affine.Diagonal(0.5, 0.75, 2, 10 - 3 * 0.5, 20 - 2 * 0.75, -30), r.Affine);
        Assert.Equal((3, 2, 0), r.StoredIndex(0, 0, 0));
        Assert.Equal((0, 1, 1), r.StoredIndex(3, 1, 1));
    }

    [Fact]
    public void Canonical_transform_of_a_permuted_grid()
    {
        // Stored axes: i towards S (2 mm), j towards L (1 mm), k towards A (0.5 mm); shape 5x4x3.
        var affine = Affine.FromRows([0, -1, 0, 7, 0, 0, 0.5, 8, 2, 0, 0, 9]);
        var r = Orientation.ToCanonical(new GridShape(5, 4, 3), affine);
        Assert.Equal(new GridShape(4, 3, 5), r.Shape);
        Assert.Equal(1, r.SourceAxis(0));
        Assert.True(r.Flipped(0));
        Assert.Equal(2, r.SourceAxis(1));
        Assert.Equal(0, r.SourceAxis(2));
        Assert.Equal(Affine.FromRows([1, 0, 0, 7 - 3, 0, 0.5, 0, 8, 0, 0, 2, 9]), r.Affine);
        // Every canonical voxel lands on the same world point as its stored voxel.
        for (var i = 0; i < 4; i++)
        for (var j = 0; j < 3; j++)
        for (var k = 0; k < 5; k++)
        {
            var (si, sj, sk) = r.StoredIndex(i, j, k);
            Assert.Equal(affine.Transform(si, sj, sk), r.Affine.Transform(i, j, k));
        }
    }

    [Fact]
    public void Grid_comparison_passes_within_tolerance_and_describes_both_grids()
    {
        var a = new VolumeGrid(new GridShape(4, 3, 2), Affine.Diagonal(0.5, 0.5, 2, 1, 2, 3));
        var b = new VolumeGrid(new GridShape(4, 3, 2), Affine.Diagonal(0.5, 0.5, 2, 1.004, 2, 3));
        var same = VolumeGrid.Compare(a, b, toleranceMm: 0.01);
        Assert.True(same.Matches);
        Assert.InRange(same.MaxCornerDistanceMm, 0.0039, 0.0041);

        var shifted = VolumeGrid.Compare(a, new VolumeGrid(a.Shape, Affine.Diagonal(0.5, 0.5, 2, 1, 2, 4)));
        Assert.False(shifted.Matches);
        Assert.Equal(1.0, shifted.MaxCornerDistanceMm, 9);
        Assert.Contains("1 mm apart", shifted.Description);
        Assert.Contains("image: shape 4x3x2, spacing 0.5x0.5x2 mm, orientation RAS, affine [[0.5 0 0 1] [0 0.5 0 2] [0 0 2 3]]", shifted.Description);
        Assert.Contains("labels: shape 4x3x2, spacing 0.5x0.5x2 mm, orientation RAS, affine [[0.5 0 0 1] [0 0.5 0 2] [0 0 2 4]]", shifted.Description);

        var otherShape = VolumeGrid.Compare(a, new VolumeGrid(new GridShape(4, 3, 3), a.Affine));
        Assert.False(otherShape.Matches);
        Assert.StartsWith("shapes differ (4x3x2 vs 4x3x3)", otherShape.Description);
    }

    [Fact]
    public void Spacing_error_grows_towards_the_far_corner()
    {
        // 0.001 mm too large a voxel over 100 voxels puts the far corner 0.099 mm off.
        var a = new VolumeGrid(new GridShape(100, 1, 1), Affine.Diagonal(1, 1, 1));
        var b = new VolumeGrid(new GridShape(100, 1, 1), Affine.Diagonal(1.001, 1, 1));
        var result = VolumeGrid.Compare(a, b, 0.05);
        Assert.False(result.Matches);
        Assert.Equal(0.099, result.MaxCornerDistanceMm, 9);
    }
}

using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

public class SliceOrderingTests
{
    private static readonly DicomReadOptions Defaults = new();

    private static readonly PlaneOrientation AxialOrientation = PlaneOrientation.FromCosines([1, 0, 0, 0, 1, 0], "test");

    /// <summary>Axial planes at the given z (LPS, millimetres), named by their index in the list.</summary>
    private static List<DicomPlane> Axial(params double[] z) =>
        z.Select((value, n) => new DicomPlane($"p{n}", new PatientVector(-10, -20, value), AxialOrientation)).ToList();

    private static string Reject(Func<SliceStack> order) => DicomFixtures.Reject(() => order());

    [Fact]
    public void Planes_are_ordered_along_the_normal_whatever_the_input_order()
    {
        var stack = SliceOrdering.Order(Axial(35, 30, 40, 32.5, 37.5), Defaults);

        Assert.Equal([1, 3, 0, 4, 2], stack.Order);
        Assert.Equal(new PatientVector(-10, -20, 30), stack.Origin);
        Assert.Equal(new PatientVector(0, 0, 2.5), stack.Step);
        Assert.Equal(new SliceSpacingStats(2.5, 2.5, 2.5, 2.5, false), stack.Spacing);

        // The same planes in another order give the same stack, plane for plane.
        var planes = Axial(35, 30, 40, 32.5, 37.5);
        var reversed = planes.AsEnumerable().Reverse().ToList();
        var again = SliceOrdering.Order(reversed, Defaults);
        Assert.Equal(stack.Order.Select(n => planes[n].Name), again.Order.Select(n => reversed[n].Name));
        Assert.Equal(stack.Step, again.Step);
    }

    [Fact]
    public void The_normal_is_row_cross_column_so_a_flipped_column_direction_reverses_the_order()
    {
        // Column direction towards anterior (-y in LPS): the normal points inferior, so slices run from high z to low z.
        var orientation = PlaneOrientation.FromCosines([1, 0, 0, 0, -1, 0], "test");
        Assert.Equal(new PatientVector(0, 0, -1), orientation.Normal);
        var planes = new[] { 30.0, 35, 32.5 }.Select((z, n) => new DicomPlane($"p{n}", new PatientVector(0, 0, z), orientation)).ToList();

        var stack = SliceOrdering.Order(planes, Defaults);

        Assert.Equal([1, 2, 0], stack.Order);
        Assert.Equal(new PatientVector(0, 0, -2.5), stack.Step);
    }

    [Fact]
    public void Two_planes_at_one_position_are_rejected_as_duplicates()
    {
        Assert.Equal(DicomRejects.DuplicateSlicePosition, Reject(() => SliceOrdering.Order(Axial(30, 32.5, 35, 32.5), Defaults)));
        // Closer than the position tolerance counts as the same place.
        Assert.Equal(DicomRejects.DuplicateSlicePosition, Reject(() => SliceOrdering.Order(Axial(30, 32.5, 32.51), Defaults)));
    }

    [Fact]
    public void A_plane_with_another_orientation_is_rejected()
    {
        var planes = Axial(30, 32.5, 35);
        planes[1] = planes[1] with { Orientation = PlaneOrientation.FromCosines([1, 0, 0, 0, 0.9998, 0.02], "test") };

        Assert.Equal(DicomRejects.InconsistentOrientation, Reject(() => SliceOrdering.Order(planes, Defaults)));
    }

    [Fact]
    public void Positions_drifting_across_the_normal_are_gantry_tilt_but_rounding_is_not()
    {
        // A 1 degree tilt: each 2.5 mm step also moves 0.044 mm in y.
        var tilt = Math.Tan(Math.PI / 180) * 2.5;
        var tilted = Enumerable.Range(0, 5).Select(k => new DicomPlane($"p{k}", new PatientVector(-10, -20 + k * tilt, 30 + k * 2.5), AxialOrientation)).ToList();
        Assert.Equal(DicomRejects.GantryTilt, Reject(() => SliceOrdering.Order(tilted, Defaults)));

        // Positions written with two decimals wobble by up to 0.005 mm: still a straight stack.
        var rounded = Enumerable.Range(0, 5).Select(k => new DicomPlane($"p{k}", new PatientVector(-10 + (k % 2) * 0.005, -20, 30 + k * 2.5), AxialOrientation)).ToList();
        Assert.Equal(5, SliceOrdering.Order(rounded, Defaults).Order.Count);
    }

    [Fact]
    public void A_missing_slice_is_uneven_spacing_rejected_by_default_and_reported_when_accepted()
    {
        var planes = Axial(30, 32.5, 37.5, 40, 42.5);
        Assert.Equal(DicomRejects.UnevenSliceSpacing, Reject(() => SliceOrdering.Order(planes, Defaults)));

        var stack = SliceOrdering.Order(planes, Defaults with { AcceptUnevenSpacing = true });

        Assert.Equal(new SliceSpacingStats(2.5, 2.5, 5, 3.125, true), stack.Spacing);
        // The mean gap keeps the first and last slices in place.
        Assert.Equal(new PatientVector(0, 0, 3.125), stack.Step);
    }

    [Fact]
    public void Small_gap_differences_within_the_tolerance_are_even()
    {
        var stack = SliceOrdering.Order(Axial(30, 32.5, 35.04, 37.5), Defaults);

        Assert.False(stack.Spacing.Uneven);
    }

    [Fact]
    public void Orientation_must_be_two_perpendicular_unit_vectors()
    {
        Assert.Equal(DicomRejects.InvalidGeometry, DicomFixtures.Reject(() => PlaneOrientation.FromCosines([1, 0, 0, 1, 0, 0], "t")));
        Assert.Equal(DicomRejects.InvalidGeometry, DicomFixtures.Reject(() => PlaneOrientation.FromCosines([2, 0, 0, 0, 1, 0], "t")));
        Assert.Equal(DicomRejects.InvalidGeometry, DicomFixtures.Reject(() => PlaneOrientation.FromCosines([1, 0, 0, 0, 1], "t")));
        Assert.Equal(DicomRejects.InvalidGeometry, DicomFixtures.Reject(() => PixelSpacing.FromValues([0.5, 0], "t")));
    }

    [Fact]
    public void The_affine_puts_column_spacing_on_i_and_row_spacing_on_j_and_negates_x_and_y()
    {
        // Pixel Spacing [0.9, 0.7]: 0.9 mm between rows (along the column direction), 0.7 mm between columns.
        var spacing = PixelSpacing.FromValues([0.9, 0.7], "t");
        // A coronal plane: rows run to the patient's left, columns downwards (inferior).
        var coronal = PlaneOrientation.FromCosines([1, 0, 0, 0, 0, -1], "t");
        var origin = new PatientVector(-10, -20, 30);

        var affine = DicomAffine.ToRas(coronal, spacing, origin, coronal.Normal * 2.5);

        // Pixel (column i, row j) of slice k sits at origin + i * 0.7 * row + j * 0.9 * column + k * 2.5 * normal (LPS).
        var (x, y, z) = affine.Transform(3, 2, 1);
        var lps = origin + coronal.Row * (3 * 0.7) + coronal.Column * (2 * 0.9) + coronal.Normal * 2.5;
        Assert.Equal(-lps.X, x, 12);
        Assert.Equal(-lps.Y, y, 12);
        Assert.Equal(lps.Z, z, 12);
        Assert.Equal(0.7, affine.ColumnLength(0), 12);
        Assert.Equal(0.9, affine.ColumnLength(1), 12);
        Assert.Equal("LIP", GmaiBench.Imaging.Volumes.Orientation.Codes(affine));
    }
}

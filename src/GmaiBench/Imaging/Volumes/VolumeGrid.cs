using System.Globalization;

namespace GmaiBench.Imaging.Volumes;

/// <summary>A voxel grid in world space: its shape and its voxel-to-world affine (millimetres).</summary>
public sealed record VolumeGrid(GridShape Shape, Affine Affine)
{
    /// <summary>Voxel size along each voxel axis, in millimetres (lengths of the affine's columns).</summary>
    public (double I, double J, double K) Spacing => (Affine.ColumnLength(0), Affine.ColumnLength(1), Affine.ColumnLength(2));

    /// <summary>One line for messages: shape, spacing, orientation codes and affine.</summary>
    public string Describe()
    {
        var (si, sj, sk) = Spacing;
        string codes;
        try { codes = Orientation.Codes(Affine); }
        catch (ArgumentException) { codes = "degenerate"; }
        return string.Create(CultureInfo.InvariantCulture,
            $"shape {Shape}, spacing {si:0.####}x{sj:0.####}x{sk:0.####} mm, orientation {codes}, affine {Affine}");
    }

    /// <summary>
    /// Whether two grids hold the same voxels at the same places: equal shapes and every corner voxel centre
    /// within <paramref name="toleranceMm"/> millimetres (the affine being linear, corners bound every voxel).
    /// Compare canonical (RAS+) grids to ignore a difference in storage order.
    /// </summary>
    public static GridComparison Compare(VolumeGrid a, VolumeGrid b, double toleranceMm = 0.01, string nameA = "image", string nameB = "labels")
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!(toleranceMm >= 0)) throw new ArgumentOutOfRangeException(nameof(toleranceMm), "the tolerance must be zero or positive");
        var description = $"{nameA}: {a.Describe()}; {nameB}: {b.Describe()}";
        if (a.Shape != b.Shape) return new GridComparison(false, double.PositiveInfinity, $"shapes differ ({a.Shape} vs {b.Shape}); {description}");
        var worst = 0.0;
        for (var corner = 0; corner < 8; corner++)
        {
            double i = (corner & 1) == 0 ? 0 : a.Shape.Ni - 1, j = (corner & 2) == 0 ? 0 : a.Shape.Nj - 1, k = (corner & 4) == 0 ? 0 : a.Shape.Nk - 1;
            var (ax, ay, az) = a.Affine.Transform(i, j, k);
            var (bx, by, bz) = b.Affine.Transform(i, j, k);
            var distance = Math.Sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by) + (az - bz) * (az - bz));
            if (!(distance <= worst)) worst = distance;
        }
        var matches = worst <= toleranceMm;
        var verdict = matches
            ? string.Create(CultureInfo.InvariantCulture, $"grids match (corners within {worst:0.######} mm)")
            : string.Create(CultureInfo.InvariantCulture, $"grids differ: a corner voxel is {worst:0.####} mm apart (tolerance {toleranceMm} mm)");
        return new GridComparison(matches, worst, $"{verdict}; {description}");
    }

    /// <summary>The same voxels in RAS+ storage order (permutation and flips of the axes; no voxel moves in space).</summary>
    public VolumeGrid Canonical
    {
        get
        {
            var r = Orientation.ToCanonical(Shape, Affine);
            return new VolumeGrid(r.Shape, r.Affine);
        }
    }

    /// <summary>
    /// Whether two grids put voxel centres at the same places whatever order each stores its axes in (an LAS atlas
    /// beside a RAS image, an LPS DICOM beside a PSR label map): the canonical grids are compared, and a mismatch quotes
    /// both grids as stored.
    /// </summary>
    public static GridComparison ComparePhysical(VolumeGrid a, VolumeGrid b, double toleranceMm = 0.01, string nameA = "image", string nameB = "labels")
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var canonical = Compare(a.Canonical, b.Canonical, toleranceMm, nameA, nameB);
        var stored = $"{nameA}: {a.Describe()}; {nameB}: {b.Describe()}";
        var verdict = canonical.Description[..canonical.Description.IndexOf("; ", StringComparison.Ordinal)];
        var order = Orientation.Codes(a.Affine) == Orientation.Codes(b.Affine) ? "" : " (compared after putting both in RAS+ order)";
        return canonical with { Description = $"{verdict}{order}; {stored}" };
    }
}

/// <summary>Outcome of <see cref="VolumeGrid.Compare"/>: the verdict, the largest corner distance (millimetres) and both geometries in words.</summary>
public sealed record GridComparison(bool Matches, double MaxCornerDistanceMm, string Description);

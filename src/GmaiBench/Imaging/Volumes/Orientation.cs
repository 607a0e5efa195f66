namespace GmaiBench.Imaging.Volumes;

/// <summary>The world axis (0 = x/R, 1 = y/A, 2 = z/S) a voxel axis runs along, and whether it runs towards + (1) or - (-1).</summary>
public readonly record struct AxisDirection(int WorldAxis, int Sign)
{
    /// <summary>The NIfTI orientation letter of the direction the axis increases towards (R/L, A/P, S/I).</summary>
    public char Code => (WorldAxis, Sign) switch
    {
        (0, > 0) => 'R',
        (0, _) => 'L',
        (1, > 0) => 'A',
        (1, _) => 'P',
        (_, > 0) => 'S',
        _ => 'I',
    };
}

/// <summary>
/// Axis codes of a voxel grid ("RAS", "LPS", ...) from its affine, and the axis permutation and flips that bring
/// the grid to canonical RAS+ (voxel axis i towards R, j towards A, k towards S) without interpolation.
/// </summary>
public static class Orientation
{
    public const string Canonical = "RAS";

    /// <summary>
    /// For each voxel axis, the world axis it is closest to. An oblique grid is snapped greedily: the largest
    /// |direction cosine| left over picks its pair first (ties: lower voxel axis, then lower world axis), so the
    /// result is always a permutation.
    /// </summary>
    public static AxisDirection[] Directions(Affine affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        if (!affine.IsFinite) throw new ArgumentException($"the affine has non-finite entries: {affine}", nameof(affine));
        var cosines = new double[3, 3];
        for (var v = 0; v < 3; v++)
        {
            var length = affine.ColumnLength(v);
            if (!(length > 0)) throw new ArgumentException($"voxel axis {v} has zero length in the affine {affine}", nameof(affine));
            for (var w = 0; w < 3; w++) cosines[w, v] = affine[w, v] / length;
        }
        var result = new AxisDirection[3];
        var voxelUsed = new bool[3];
        var worldUsed = new bool[3];
        for (var round = 0; round < 3; round++)
        {
            int bestV = -1, bestW = -1;
            var best = -1.0;
            for (var v = 0; v < 3; v++)
            {
                if (voxelUsed[v]) continue;
                for (var w = 0; w < 3; w++)
                {
                    if (worldUsed[w]) continue;
                    var size = Math.Abs(cosines[w, v]);
                    if (size > best) { best = size; bestV = v; bestW = w; }
                }
            }
            if (best <= 0) throw new ArgumentException($"the affine is degenerate (voxel axes are not independent): {affine}", nameof(affine));
            voxelUsed[bestV] = true;
            worldUsed[bestW] = true;
            result[bestV] = new AxisDirection(bestW, cosines[bestW, bestV] >= 0 ? 1 : -1);
        }
        if (Math.Abs(affine.Determinant) <= 0)
            throw new ArgumentException($"the affine is singular: {affine}", nameof(affine));
        return result;
    }

    /// <summary>Three letters naming where each voxel axis points, e.g. "RAS" (canonical) or "LPS" (DICOM order).</summary>
    public static string Codes(Affine affine)
    {
        var d = Directions(affine);
        return new string([d[0].Code, d[1].Code, d[2].Code]);
    }

    public static bool IsCanonical(Affine affine) => Codes(affine) == Canonical;

    /// <summary>The exact permutation and flips from a stored grid to its canonical RAS+ form, with the new shape and affine.</summary>
    public static Reorientation ToCanonical(GridShape shape, Affine affine)
    {
        var directions = Directions(affine);
        var source = new int[3];
        var flip = new bool[3];
        for (var v = 0; v < 3; v++)
        {
            source[directions[v].WorldAxis] = v;
            flip[directions[v].WorldAxis] = directions[v].Sign < 0;
        }
        return new Reorientation(shape, affine, source, flip);
    }
}

/// <summary>
/// Canonical axis a of the result reads stored axis <see cref="SourceAxis"/>(a), reversed when <see cref="Flipped"/>(a):
/// canonical index c maps to stored index c, or n - 1 - c. The affine changes with it so world positions are unchanged.
/// </summary>
public sealed class Reorientation
{
    private readonly int[] _source;
    private readonly bool[] _flip;

    internal Reorientation(GridShape storedShape, Affine storedAffine, int[] source, bool[] flip)
    {
        _source = source;
        _flip = flip;
        StoredShape = storedShape;
        Shape = new GridShape(storedShape[source[0]], storedShape[source[1]], storedShape[source[2]]);
        // New column a = +-old column source[a]; each flipped axis moves the origin to the old far end.
        var rows = new double[12];
        for (var w = 0; w < 3; w++)
        {
            var t = storedAffine[w, 3];
            for (var a = 0; a < 3; a++)
            {
                var column = storedAffine[w, source[a]];
                rows[w * 4 + a] = flip[a] ? -column : column;
                if (flip[a]) t += (storedShape[source[a]] - 1) * column;
            }
            rows[w * 4 + 3] = t;
        }
        Affine = Affine.FromRows(rows);
    }

    public GridShape StoredShape { get; }

    /// <summary>Shape of the canonical grid.</summary>
    public GridShape Shape { get; }

    /// <summary>Affine of the canonical grid (voxel to RAS+ millimetres).</summary>
    public Affine Affine { get; }

    public int SourceAxis(int canonicalAxis) => _source[canonicalAxis];

    public bool Flipped(int canonicalAxis) => _flip[canonicalAxis];

    public bool IsIdentity => _source[0] == 0 && _source[1] == 1 && _source[2] == 2 && !_flip[0] && !_flip[1] && !_flip[2];

    /// <summary>The stored index of canonical voxel (i, j, k).</summary>
    public (int I, int J, int K) StoredIndex(int i, int j, int k)
    {
        Span<int> stored = stackalloc int[3];
        ReadOnlySpan<int> canonical = [i, j, k];
        for (var a = 0; a < 3; a++)
            stored[_source[a]] = _flip[a] ? StoredShape[_source[a]] - 1 - canonical[a] : canonical[a];
        return (stored[0], stored[1], stored[2]);
    }
}

using System.Globalization;
using System.Text;

namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// A 4x4 affine (last row 0 0 0 1) from voxel indices (i, j, k) to world coordinates in millimetres; for NIfTI
/// the world is RAS+ (x towards the patient's right, y anterior, z superior).
/// </summary>
public sealed class Affine : IEquatable<Affine>
{
    // Rows 0..2 of the matrix, row-major; row 3 is always (0, 0, 0, 1).
    private readonly double[] _m;

    private Affine(double[] m) => _m = m;

    /// <summary>From the first three rows, row-major (12 values: r00 r01 r02 t0, r10 ... t1, r20 ... t2).</summary>
    public static Affine FromRows(ReadOnlySpan<double> rows)
    {
        if (rows.Length != 12) throw new ArgumentException($"an affine needs 12 values (3 rows of 4), got {rows.Length}", nameof(rows));
        return new Affine(rows.ToArray());
    }

    public static Affine Identity { get; } = Diagonal(1, 1, 1);

    /// <summary>Axis-aligned grid: voxel sizes on the diagonal (millimetres) and the world position of voxel (0, 0, 0).</summary>
    public static Affine Diagonal(double sx, double sy, double sz, double ox = 0, double oy = 0, double oz = 0) =>
        new([sx, 0, 0, ox, 0, sy, 0, oy, 0, 0, sz, oz]);

    public double this[int row, int column]
    {
        get
        {
            if ((uint)column > 3) throw new ArgumentOutOfRangeException(nameof(column));
            return row switch
            {
                >= 0 and <= 2 => _m[row * 4 + column],
                3 => column == 3 ? 1 : 0,
                _ => throw new ArgumentOutOfRangeException(nameof(row)),
            };
        }
    }

    /// <summary>The matrix product this x <paramref name="right"/>: apply <paramref name="right"/> first.</summary>
    public Affine Multiply(Affine right)
    {
        var r = new double[12];
        for (var row = 0; row < 3; row++)
        {
            for (var col = 0; col < 4; col++)
            {
                var sum = col == 3 ? _m[row * 4 + 3] : 0.0;
                for (var k = 0; k < 3; k++) sum += _m[row * 4 + k] * right._m[k * 4 + col];
                r[row * 4 + col] = sum;
            }
        }
        return new Affine(r);
    }

    /// <summary>The (possibly fractional) voxel index at a world position: the inverse map; null when the affine is singular.</summary>
    public (double I, double J, double K)? Untransform(double x, double y, double z)
    {
        double a = _m[0], b = _m[1], c = _m[2], d = _m[4], e = _m[5], f = _m[6], g = _m[8], h = _m[9], k = _m[10];
        var det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
        if (det == 0 || !double.IsFinite(det)) return null;
        double px = x - _m[3], py = y - _m[7], pz = z - _m[11];
        // Cramer's rule on the 3 x 3 part.
        var i = (px * (e * k - f * h) - b * (py * k - f * pz) + c * (py * h - e * pz)) / det;
        var j = (a * (py * k - f * pz) - px * (d * k - f * g) + c * (d * pz - py * g)) / det;
        var l = (a * (e * pz - py * h) - b * (d * pz - py * g) + px * (d * h - e * g)) / det;
        return (i, j, l);
    }

    /// <summary>Every entry (rotation, zoom and translation) multiplied by <paramref name="factor"/>: a change of length unit.</summary>
    public Affine Scaled(double factor)
    {
        var r = new double[12];
        for (var i = 0; i < 12; i++) r[i] = _m[i] * factor;
        return new Affine(r);
    }

    /// <summary>World position (millimetres) of a (possibly fractional) voxel index.</summary>
    public (double X, double Y, double Z) Transform(double i, double j, double k) =>
        (_m[0] * i + _m[1] * j + _m[2] * k + _m[3],
         _m[4] * i + _m[5] * j + _m[6] * k + _m[7],
         _m[8] * i + _m[9] * j + _m[10] * k + _m[11]);

    /// <summary>Length of voxel axis <paramref name="axis"/>'s column: the voxel size along it, in millimetres.</summary>
    public double ColumnLength(int axis)
    {
        if ((uint)axis > 2) throw new ArgumentOutOfRangeException(nameof(axis));
        return Math.Sqrt(_m[axis] * _m[axis] + _m[4 + axis] * _m[4 + axis] + _m[8 + axis] * _m[8 + axis]);
    }

    /// <summary>Determinant of the 3x3 linear part; negative for a left-handed voxel grid.</summary>
    public double Determinant =>
        _m[0] * (_m[5] * _m[10] - _m[6] * _m[9])
        - _m[1] * (_m[4] * _m[10] - _m[6] * _m[8])
        + _m[2] * (_m[4] * _m[9] - _m[5] * _m[8]);

    public bool IsFinite
    {
        get
        {
            foreach (var v in _m) if (!double.IsFinite(v)) return false;
            return true;
        }
    }

    /// <summary>The 12 free entries, row-major (the layout of NIfTI's srow_x, srow_y, srow_z).</summary>
    public double[] ToRows() => (double[])_m.Clone();

    public bool Equals(Affine? other) => other is not null && _m.AsSpan().SequenceEqual(other._m);

    public override bool Equals(object? obj) => Equals(obj as Affine);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in _m) hash.Add(v);
        return hash.ToHashCode();
    }

    /// <summary>The three rows, e.g. <c>[[-0.7 0 0 180] [0 -0.7 0 200] [0 0 2.5 -400]]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (var row = 0; row < 3; row++)
        {
            sb.Append(row == 0 ? "[" : " [");
            for (var col = 0; col < 4; col++)
            {
                if (col > 0) sb.Append(' ');
                sb.Append(_m[row * 4 + col].ToString("0.####", CultureInfo.InvariantCulture));
            }
            sb.Append(']');
        }
        return sb.Append(']').ToString();
    }
}

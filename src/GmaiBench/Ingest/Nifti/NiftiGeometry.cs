using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Nifti;

/// <summary>The NIfTI voxel-to-world transforms: sform (srow_x/y/z), qform (quaternion + qoffset + pixdim, qfac), pixdim fallback.</summary>
public static class NiftiGeometry
{
    /// <summary>
    /// The voxel-to-RAS+ affine in millimetres and which transform gave it. NIfTI-1 header, fields sform_code and
    /// qform_code: the sform is preferred when sform_code &gt; 0, then the qform when qform_code &gt; 0, else the voxel
    /// sizes on the diagonal (the ANALYZE-compatible method, origin at voxel 0).
    /// </summary>
    public static (Affine Affine, string Source) Affine(int sformCode, int qformCode, IReadOnlyList<double> pixdim,
        IReadOnlyList<double> quatern, IReadOnlyList<double> qoffset, IReadOnlyList<double> srow, double unitMm)
    {
        Affine affine;
        string source;
        if (sformCode > 0)
        {
            affine = Imaging.Volumes.Affine.FromRows([.. srow]);
            source = "sform";
        }
        else if (qformCode > 0)
        {
            affine = FromQuaternion(quatern[0], quatern[1], quatern[2], qoffset[0], qoffset[1], qoffset[2],
                VoxelSize(pixdim[1]), VoxelSize(pixdim[2]), VoxelSize(pixdim[3]), pixdim[0] < 0 ? -1 : 1);
            source = "qform";
        }
        else
        {
            affine = Imaging.Volumes.Affine.Diagonal(VoxelSize(pixdim[1]), VoxelSize(pixdim[2]), VoxelSize(pixdim[3]));
            source = "pixdim";
        }
        if (unitMm != 1) affine = affine.Scaled(unitMm);
        if (!affine.IsFinite || affine.Determinant == 0 || !double.IsFinite(affine.Determinant))
            throw new ItemRejectedException(NiftiRejects.CorruptHeader, $"the {source} transform is degenerate or not finite: {affine}");
        return (affine, source);
    }

    // NIfTI-1 header, field pixdim: voxel sizes are positive (orientation lives in the quaternion and qfac); a zero or
    // non-finite size (common for unused axes of 2D data) is taken as 1.
    private static double VoxelSize(double pixdim) => double.IsFinite(pixdim) && pixdim != 0 ? Math.Abs(pixdim) : 1.0;

    /// <summary>
    /// The qform: rotation from the unit quaternion (a, b, c, d), a = sqrt(1 - b^2 - c^2 - d^2), columns scaled by the
    /// voxel sizes, the third also by qfac (pixdim[0], +1 or -1), translated by qoffset.
    /// </summary>
    public static Affine FromQuaternion(double b, double c, double d, double qx, double qy, double qz, double dx, double dy, double dz, int qfac)
    {
        var sum = b * b + c * c + d * d;
        double a;
        // NIfTI-1 stores b, c, d as float32, which cannot resolve 1 - (b^2 + c^2 + d^2) below about 1e-7: such a
        // quaternion is a 180-degree rotation (a = 0), and taking the square root of the rounding noise would tilt
        // the axes by about 1e-4. Treat it as a = 0 and renormalise (b, c, d).
        if (1 - sum >= 1e-7) a = Math.Sqrt(1 - sum);
        else
        {
            a = 0;
            var norm = Math.Sqrt(sum);
            b /= norm;
            c /= norm;
            d /= norm;
        }
        var r00 = a * a + b * b - c * c - d * d;
        var r01 = 2 * (b * c - a * d);
        var r02 = 2 * (b * d + a * c);
        var r10 = 2 * (b * c + a * d);
        var r11 = a * a + c * c - b * b - d * d;
        var r12 = 2 * (c * d - a * b);
        var r20 = 2 * (b * d - a * c);
        var r21 = 2 * (c * d + a * b);
        var r22 = a * a + d * d - b * b - c * c;
        var sz = dz * (qfac < 0 ? -1 : 1);
        return Imaging.Volumes.Affine.FromRows(
        [
            r00 * dx, r01 * dy, r02 * sz, qx,
            r10 * dx, r11 * dy, r12 * sz, qy,
            r20 * dx, r21 * dy, r22 * sz, qz,
        ]);
    }

    /// <summary>
    /// The qform parameters closest to <paramref name="affine"/>: voxel sizes are its column lengths, qfac = -1 for a
    /// left-handed grid (third column negated), and the quaternion of the remaining rotation with a &gt;= 0. Exact for
    /// affines without shear.
    /// </summary>
    public static (double B, double C, double D, double Dx, double Dy, double Dz, int Qfac) ToQuaternion(Affine affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        double dx = affine.ColumnLength(0), dy = affine.ColumnLength(1), dz = affine.ColumnLength(2);
        if (!(dx > 0 && dy > 0 && dz > 0)) throw new ArgumentException($"the affine has a zero-length column: {affine}", nameof(affine));
        var qfac = affine.Determinant < 0 ? -1 : 1;
        var r = new double[3, 3];
        for (var row = 0; row < 3; row++)
        {
            r[row, 0] = affine[row, 0] / dx;
            r[row, 1] = affine[row, 1] / dy;
            r[row, 2] = affine[row, 2] / dz * qfac;
        }
        double a, b, c, d;
        var trace = r[0, 0] + r[1, 1] + r[2, 2];
        // Standard rotation-matrix-to-quaternion conversion, branching on the largest term for numerical stability.
        if (trace > 0)
        {
            a = 0.5 * Math.Sqrt(1 + trace);
            b = (r[2, 1] - r[1, 2]) / (4 * a);
            c = (r[0, 2] - r[2, 0]) / (4 * a);
            d = (r[1, 0] - r[0, 1]) / (4 * a);
        }
        else if (r[0, 0] >= r[1, 1] && r[0, 0] >= r[2, 2])
        {
            b = 0.5 * Math.Sqrt(1 + r[0, 0] - r[1, 1] - r[2, 2]);
            a = (r[2, 1] - r[1, 2]) / (4 * b);
            c = (r[0, 1] + r[1, 0]) / (4 * b);
            d = (r[0, 2] + r[2, 0]) / (4 * b);
        }
        else if (r[1, 1] >= r[2, 2])
        {
            c = 0.5 * Math.Sqrt(1 + r[1, 1] - r[0, 0] - r[2, 2]);
            a = (r[0, 2] - r[2, 0]) / (4 * c);
            b = (r[0, 1] + r[1, 0]) / (4 * c);
            d = (r[1, 2] + r[2, 1]) / (4 * c);
        }
        else
        {
            d = 0.5 * Math.Sqrt(1 + r[2, 2] - r[0, 0] - r[1, 1]);
            a = (r[1, 0] - r[0, 1]) / (4 * d);
            b = (r[0, 2] + r[2, 0]) / (4 * d);
            c = (r[1, 2] + r[2, 1]) / (4 * d);
        }
        // The header stores only (b, c, d) and implies a >= 0; q and -q are the same rotation.
        if (a < 0) { b = -b; c = -c; d = -d; }
        return (b, c, d, dx, dy, dz, qfac);
    }
}

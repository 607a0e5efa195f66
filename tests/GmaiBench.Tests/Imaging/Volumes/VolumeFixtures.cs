using System.Numerics;
using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Tests.Imaging.Volumes;

/// <summary>Builds small volumes from formulas, and stored copies of a canonical volume with permuted and flipped axes.</summary>
public static class VolumeFixtures
{
    /// <summary>A volume whose voxel (i, j, k) holds <paramref name="value"/>(i, j, k), truncated to <typeparamref name="T"/>.</summary>
    public static Volume<T> Make<T>(GridShape shape, Affine affine, Func<int, int, int, double> value, VoxelScaling? scaling = null)
        where T : unmanaged, INumber<T>
    {
        var voxels = new T[shape.VoxelCount];
        for (var k = 0; k < shape.Nk; k++)
        for (var j = 0; j < shape.Nj; j++)
        for (var i = 0; i < shape.Ni; i++)
            voxels[i + shape.Ni * (j + shape.Nj * k)] = T.CreateTruncating(value(i, j, k));
        return new Volume<T>(voxels, shape, affine, scaling);
    }

    /// <summary>
    /// The same voxels in another storage order: stored axis s holds canonical axis <paramref name="axisOf"/>[s],
    /// reversed when <paramref name="flip"/>[s]; the affine is rebuilt so every voxel keeps its world position.
    /// Written from the definition, independently of <see cref="Orientation"/>.
    /// </summary>
    public static Volume<T> Restored<T>(Volume<T> canonical, int[] axisOf, bool[] flip) where T : unmanaged, INumber<T>
    {
        var n = canonical.Shape;
        var shape = new GridShape(n[axisOf[0]], n[axisOf[1]], n[axisOf[2]]);
        var voxels = new T[shape.VoxelCount];
        var c = new int[3];
        for (var k = 0; k < shape.Nk; k++)
        for (var j = 0; j < shape.Nj; j++)
        for (var i = 0; i < shape.Ni; i++)
        {
            int[] s = [i, j, k];
            for (var a = 0; a < 3; a++) c[axisOf[a]] = flip[a] ? shape[a] - 1 - s[a] : s[a];
            voxels[i + shape.Ni * (j + shape.Nj * k)] = canonical.Stored(c[0], c[1], c[2]);
        }
        // Stored index s maps to canonical index c = M s + t; the stored affine is canonical affine x (M, t).
        var rows = new double[12];
        for (var w = 0; w < 3; w++)
        {
            var translation = canonical.Affine[w, 3];
            for (var a = 0; a < 3; a++)
            {
                var column = canonical.Affine[w, axisOf[a]];
                rows[w * 4 + a] = flip[a] ? -column : column;
                if (flip[a]) translation += (shape[a] - 1) * column;
            }
            rows[w * 4 + 3] = translation;
        }
        return new Volume<T>(voxels, shape, Affine.FromRows(rows), canonical.Scaling);
    }

    public static IEnumerable<(int[] AxisOf, bool[] Flip)> AllStorageOrders()
    {
        int[][] permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (var p in permutations)
            for (var f = 0; f < 8; f++)
                yield return (p, [(f & 1) != 0, (f & 2) != 0, (f & 4) != 0]);
    }
}

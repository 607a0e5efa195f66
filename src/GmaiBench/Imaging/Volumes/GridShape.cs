namespace GmaiBench.Imaging.Volumes;

/// <summary>Number of voxels along each voxel axis (i, j, k) of a 3D grid.</summary>
public readonly record struct GridShape
{
    public GridShape(int ni, int nj, int nk)
    {
        if (ni <= 0 || nj <= 0 || nk <= 0) throw new ArgumentOutOfRangeException(nameof(ni), $"grid sizes must be positive, got {ni}x{nj}x{nk}");
        Ni = ni;
        Nj = nj;
        Nk = nk;
    }

    public int Ni { get; }
    public int Nj { get; }
    public int Nk { get; }

    public int this[int axis] => axis switch
    {
        0 => Ni,
        1 => Nj,
        2 => Nk,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    public long VoxelCount => (long)Ni * Nj * Nk;

    public override string ToString() => $"{Ni}x{Nj}x{Nk}";
}

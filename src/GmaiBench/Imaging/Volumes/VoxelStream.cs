using System.Numerics;

namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// A consumer of one volume's voxels as they are decoded: storage order (i fastest, then j, then k), whole rows at a
/// time, so a reader can hand over a volume without ever holding it. Readers call <see cref="Open{T}"/> once the
/// shape and stored type are known, then <see cref="IVoxelRows{T}.Rows"/> for consecutive blocks of rows.
/// </summary>
public interface IVoxelStream
{
    /// <summary>The typed receiver of the rows of a <paramref name="shape"/> volume stored as <typeparamref name="T"/>.</summary>
    IVoxelRows<T> Open<T>(GridShape shape, VoxelScaling scaling) where T : unmanaged, INumber<T>;
}

/// <summary>Receives consecutive whole rows of stored voxels (already in the machine's byte order).</summary>
public interface IVoxelRows<T> where T : unmanaged, INumber<T>
{
    /// <summary>
    /// <paramref name="voxels"/> holds whole rows of Ni voxels, the first being row <paramref name="firstRow"/>; row r is
    /// (j, k) = (r mod Nj, r div Nj). The span is only valid during the call.
    /// </summary>
    void Rows(long firstRow, ReadOnlySpan<T> voxels);
}

/// <summary>A consumer that only lets the voxels pass: a read for its checks alone (truncation, damaged compression).</summary>
public sealed class DiscardVoxels : IVoxelStream
{
    public static DiscardVoxels Instance { get; } = new();

    public IVoxelRows<T> Open<T>(GridShape shape, VoxelScaling scaling) where T : unmanaged, INumber<T> => Sink<T>.Instance;

    private sealed class Sink<T> : IVoxelRows<T> where T : unmanaged, INumber<T>
    {
        public static Sink<T> Instance { get; } = new();

        public void Rows(long firstRow, ReadOnlySpan<T> voxels) { }
    }
}

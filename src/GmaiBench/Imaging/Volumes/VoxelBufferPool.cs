namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// Keeps the voxel array of a finished volume for the next read of the same voxel type, so a worker that decodes
/// many volumes writes into memory it has already touched (no fresh page faults, no large garbage between items).
/// Holds at most one array per voxel type; thread-safe.
/// </summary>
public sealed class VoxelBufferPool
{
    private readonly Array?[] _free = new Array?[Enum.GetValues<VoxelType>().Length];

    /// <summary>Bytes held for reuse.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_free)
            {
                long total = 0;
                for (var t = 0; t < _free.Length; t++)
                {
                    if (_free[t] is { } a) total += a.LongLength * ((VoxelType)t).Size();
                }
                return total;
            }
        }
    }

    /// <summary>An uninitialised array of at least <paramref name="count"/> elements: the kept one if large enough, else a new one.</summary>
    public T[] Rent<T>(long count) where T : unmanaged
    {
        if (count < 0 || count > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(count), $"{count} elements cannot be held in one array");
        var slot = (int)VoxelTypes.Of<T>();
        lock (_free)
        {
            var kept = _free[slot] as T[];
            // Taken either way: a kept array too small for this request is released to the GC.
            _free[slot] = null;
            if (kept is not null && kept.LongLength >= count) return kept;
        }
        return GC.AllocateUninitializedArray<T>((int)count);
    }

    /// <summary>
    /// Hands the volume's voxel array back for reuse. The volume and every view of it (e.g. its canonical form) must not be
    /// used afterwards: the next read overwrites the voxels.
    /// </summary>
    public void Return(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        volume.ReturnVoxels(this);
    }

    internal void Keep<T>(T[] voxels) where T : unmanaged
    {
        var slot = (int)VoxelTypes.Of<T>();
        lock (_free)
        {
            // Keep the larger of the two so a mixed workload settles on its biggest volume.
            if (_free[slot] is not T[] kept || kept.LongLength < voxels.LongLength) _free[slot] = voxels;
        }
    }

    /// <summary>Drops every kept array.</summary>
    public void Clear()
    {
        lock (_free) Array.Clear(_free);
    }
}

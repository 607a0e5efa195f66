using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Nifti;

/// <summary>Limits and choices for reading one NIfTI volume.</summary>
public sealed record NiftiReadOptions
{
    /// <summary>Default cap on the bytes of the one volume read: 2 GiB.</summary>
    public const long DefaultMaxVoxelBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest voxel data (bytes, stored type) of the volume read; larger headers are refused before allocation.</summary>
    public long MaxVoxelBytes { get; init; } = DefaultMaxVoxelBytes;

    /// <summary>Which 3D volume of a 4D (or higher) file to read, flattened over dim[4..7]; 0 for 3D files.</summary>
    public long VolumeIndex { get; init; }

    /// <summary>Where voxel arrays come from: a pool reuses the array of a volume handed back after use; null allocates afresh.</summary>
    public VoxelBufferPool? Buffers { get; init; }

    public NiftiReadOptions Validate()
    {
        if (MaxVoxelBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxVoxelBytes), $"the voxel byte cap must be positive, got {MaxVoxelBytes}");
        if (VolumeIndex < 0) throw new ArgumentOutOfRangeException(nameof(VolumeIndex), $"the volume index must be 0 or more, got {VolumeIndex}");
        return this;
    }
}

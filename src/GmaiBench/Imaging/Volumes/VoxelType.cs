namespace GmaiBench.Imaging.Volumes;

/// <summary>The stored (on-disk) numeric type of voxels; a volume keeps this type in memory.</summary>
public enum VoxelType
{
    UInt8,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    Float32,
    Float64,
}

/// <summary>Maps the CLR element types a <see cref="Volume{T}"/> may hold to <see cref="VoxelType"/> and back.</summary>
public static class VoxelTypes
{
    /// <summary>The voxel type of <typeparamref name="T"/>; throws for element types a volume cannot hold.</summary>
    public static VoxelType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(byte) ? VoxelType.UInt8
        : typeof(T) == typeof(sbyte) ? VoxelType.Int8
        : typeof(T) == typeof(short) ? VoxelType.Int16
        : typeof(T) == typeof(ushort) ? VoxelType.UInt16
        : typeof(T) == typeof(int) ? VoxelType.Int32
        : typeof(T) == typeof(uint) ? VoxelType.UInt32
        : typeof(T) == typeof(long) ? VoxelType.Int64
        : typeof(T) == typeof(float) ? VoxelType.Float32
        : typeof(T) == typeof(double) ? VoxelType.Float64
        : throw new NotSupportedException($"{typeof(T).Name} is not a voxel type (supported: {string.Join(", ", Enum.GetNames<VoxelType>())})");

    /// <summary>Bytes per voxel.</summary>
    public static int Size(this VoxelType type) => type switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.Int16 or VoxelType.UInt16 => 2,
        VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
        VoxelType.Int64 or VoxelType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool IsInteger(this VoxelType type) => type is not (VoxelType.Float32 or VoxelType.Float64);
}

/// <summary>Linear map from stored values to physical ones (NIfTI scl_slope / scl_inter): physical = stored x Slope + Intercept.</summary>
public readonly record struct VoxelScaling(double Slope, double Intercept)
{
    public static VoxelScaling Identity { get; } = new(1, 0);

    public bool IsIdentity => Slope == 1 && Intercept == 0;

    public double Apply(double stored) => stored * Slope + Intercept;
}

using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Nifti;

/// <summary>NIfTI-1/-2 header field datatype: the codes this reader supports and the names of the ones it refuses.</summary>
public static class NiftiDatatype
{
    // NIfTI-1 header, field datatype (nifti1.h DT_* codes; NIfTI-2 uses the same codes).
    private static readonly (short Code, VoxelType Type, string Name)[] Supported =
    [
        (2, VoxelType.UInt8, "uint8"),
        (256, VoxelType.Int8, "int8"),
        (4, VoxelType.Int16, "int16"),
        (512, VoxelType.UInt16, "uint16"),
        (8, VoxelType.Int32, "int32"),
        (768, VoxelType.UInt32, "uint32"),
        (1024, VoxelType.Int64, "int64"),
        (16, VoxelType.Float32, "float32"),
        (64, VoxelType.Float64, "float64"),
    ];

    private static readonly (short Code, string Name)[] Refused =
    [
        (1, "binary (1 bit)"),
        (32, "complex64"),
        (128, "rgb24"),
        (1280, "uint64"),
        (1536, "float128"),
        (1792, "complex128"),
        (2048, "complex256"),
        (2304, "rgba32"),
    ];

    /// <summary>"uint8 (2), int8 (256), ..." for error messages.</summary>
    public static string SupportedList => string.Join(", ", Supported.Select(s => $"{s.Name} ({s.Code})"));

    public static VoxelType? ToVoxelType(short code)
    {
        foreach (var s in Supported) if (s.Code == code) return s.Type;
        return null;
    }

    public static short Code(VoxelType type)
    {
        foreach (var s in Supported) if (s.Type == type) return s.Code;
        throw new ArgumentOutOfRangeException(nameof(type));
    }

    /// <summary>A readable name for any code, known or not.</summary>
    public static string Describe(short code)
    {
        foreach (var s in Supported) if (s.Code == code) return $"{s.Name} ({code})";
        foreach (var r in Refused) if (r.Code == code) return $"{r.Name} ({code})";
        return $"unknown code {code}";
    }
}

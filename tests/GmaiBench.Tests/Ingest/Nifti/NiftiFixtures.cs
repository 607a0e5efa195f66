using System.Buffers.Binary;
using System.IO.Compression;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Tests.Imaging.Volumes;

namespace GmaiBench.Tests.Ingest.Nifti;

/// <summary>Small generated NIfTI fixtures and byte-level header edits for the reader tests.</summary>
public static class NiftiFixtures
{
    public static readonly GridShape Shape = new(4, 3, 2);

    /// <summary>An oblique, left-handed grid with float32-exact entries: 0.5 x 0.75 x 2 mm, rotated 90 degrees about z, i flipped.</summary>
    public static readonly Affine Oblique = Affine.FromRows([0, -0.75, 0, 12.5, -0.5, 0, 0, -20.25, 0, 0, 2, 33]);

    /// <summary>Value of voxel (i, j, k) for a type: spans the type's range (extremes included) so byte-order mistakes show.</summary>
    public static double Value(VoxelType type, int i, int j, int k)
    {
        var n = i + 4 * (j + 3 * k);
        return type switch
        {
            VoxelType.UInt8 => n == 23 ? 255 : n * 11,
            VoxelType.Int8 => n == 23 ? -128 : n * 11 - 120,
            VoxelType.Int16 => n == 23 ? short.MinValue : n * 1371 - 15000,
            VoxelType.UInt16 => n == 23 ? ushort.MaxValue : n * 2741 + 3,
            VoxelType.Int32 => n == 23 ? int.MinValue : n * 93_000_001 - 1_000_000_007,
            VoxelType.UInt32 => n == 23 ? uint.MaxValue : n * 170_000_003u,
            VoxelType.Int64 => n == 23 ? -(1L << 52) : n * 390_000_000_017L - (1L << 40),
            VoxelType.Float32 => n == 23 ? -3.5e38 : n * 0.375 - 4.125,
            _ => n == 23 ? 1e300 : n * -1.0625e-3 + 0.5,
        };
    }

    public static Volume Make(VoxelType type, Affine? affine = null, VoxelScaling? scaling = null, int offset = 0)
    {
        affine ??= Oblique;
        double F(int i, int j, int k) => Value(type, i, j, k) + offset;
        return type switch
        {
            VoxelType.UInt8 => VolumeFixtures.Make<byte>(Shape, affine, F, scaling),
            VoxelType.Int8 => VolumeFixtures.Make<sbyte>(Shape, affine, F, scaling),
            VoxelType.Int16 => VolumeFixtures.Make<short>(Shape, affine, F, scaling),
            VoxelType.UInt16 => VolumeFixtures.Make<ushort>(Shape, affine, F, scaling),
            VoxelType.Int32 => VolumeFixtures.Make<int>(Shape, affine, F, scaling),
            VoxelType.UInt32 => VolumeFixtures.Make<uint>(Shape, affine, F, scaling),
            VoxelType.Int64 => VolumeFixtures.Make<long>(Shape, affine, F, scaling),
            VoxelType.Float32 => VolumeFixtures.Make<float>(Shape, affine, F, scaling),
            _ => VolumeFixtures.Make<double>(Shape, affine, F, scaling),
        };
    }

    /// <summary>Writes any volume through the generic writer.</summary>
    public static void Write(string path, Volume volume, NiftiWriteOptions options)
    {
        switch (volume)
        {
            case Volume<byte> v: NiftiWriter.Write(path, v, options); break;
            case Volume<sbyte> v: NiftiWriter.Write(path, v, options); break;
            case Volume<short> v: NiftiWriter.Write(path, v, options); break;
            case Volume<ushort> v: NiftiWriter.Write(path, v, options); break;
            case Volume<int> v: NiftiWriter.Write(path, v, options); break;
            case Volume<uint> v: NiftiWriter.Write(path, v, options); break;
            case Volume<long> v: NiftiWriter.Write(path, v, options); break;
            case Volume<float> v: NiftiWriter.Write(path, v, options); break;
            case Volume<double> v: NiftiWriter.Write(path, v, options); break;
            default: throw new ArgumentException("unknown volume type");
        }
    }

    /// <summary>Rewrites a file's header bytes (inflating and re-compressing a .gz file).</summary>
    public static void EditHeader(string path, Action<byte[]> edit)
    {
        var gz = path.EndsWith(".gz", StringComparison.Ordinal);
        byte[] bytes;
        if (gz)
        {
            using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            input.CopyTo(ms);
            bytes = ms.ToArray();
        }
        else bytes = File.ReadAllBytes(path);
        edit(bytes);
        if (!gz) { File.WriteAllBytes(path, bytes); return; }
        using var output = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        output.Write(bytes);
    }

    public static void Int16(byte[] bytes, int at, short value) => BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(at), value);

    public static void Int64(byte[] bytes, int at, long value) => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), value);

    public static void Float32(byte[] bytes, int at, float value) => BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), value);

    public static void AssertSameVoxels(Volume expected, Volume actual)
    {
        Assert.Equal(expected.VoxelType, actual.VoxelType);
        Assert.Equal(expected.Shape, actual.Shape);
        for (var k = 0; k < expected.Shape.Nk; k++)
        for (var j = 0; j < expected.Shape.Nj; j++)
        for (var i = 0; i < expected.Shape.Ni; i++)
            Assert.Equal(expected.StoredAsDouble(i, j, k), actual.StoredAsDouble(i, j, k));
    }

    public static void AssertAffine(Affine expected, Affine actual, double tolerance = 1e-5)
    {
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 4; c++)
                Assert.True(Math.Abs(expected[r, c] - actual[r, c]) <= tolerance, $"affine [{r},{c}]: expected {expected}, got {actual}");
    }
}

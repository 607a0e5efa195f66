using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Nifti;

/// <summary>How <see cref="NiftiWriter"/> lays out a file; the container (.nii, .nii.gz, .hdr/.img, .hdr.gz/.img.gz) follows the path.</summary>
public sealed record NiftiWriteOptions
{
    public NiftiVersion Version { get; init; } = NiftiVersion.Nifti1;

    public bool BigEndian { get; init; }

    /// <summary>NIfTI-1 header, field sform_code; 1 = scanner-based anatomical coordinates, 0 = no sform.</summary>
    public int SformCode { get; init; } = 1;

    /// <summary>NIfTI-1 header, field qform_code; 0 = no qform (pixdim still holds the voxel sizes).</summary>
    public int QformCode { get; init; } = 1;

    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;

    /// <summary>NIfTI-1 header, field descrip (at most 79 ASCII characters).</summary>
    public string Description { get; init; } = "";
}

/// <summary>
/// Writes volumes as NIfTI-1 or NIfTI-2 (3D, or 4D from several volumes of one grid), for generated demo data and test
/// fixtures. Writes to a temporary name and renames it into place when complete.
/// </summary>
public static class NiftiWriter
{
    /// <summary>One 3D volume.</summary>
    public static void Write<T>(string path, Volume<T> volume, NiftiWriteOptions? options = null) where T : unmanaged, INumber<T> =>
        Write(path, [volume], options);

    /// <summary>A 4D file when several volumes are given; all must share shape, affine and scaling.</summary>
    public static void Write<T>(string path, IReadOnlyList<Volume<T>> volumes, NiftiWriteOptions? options = null) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(volumes);
        options ??= new NiftiWriteOptions();
        if (volumes.Count == 0) throw new ArgumentException("nothing to write", nameof(volumes));
        var first = volumes[0];
        foreach (var v in volumes)
        {
            if (v.Shape != first.Shape || !v.Affine.Equals(first.Affine) || v.Scaling != first.Scaling)
                throw new ArgumentException("the volumes of a 4D file must share shape, affine and scaling", nameof(volumes));
        }
        var (single, headerGz, dataPath, dataGz) = Layout(path);
        var header = EncodeHeader(first, volumes.Count, single, options);
        if (single)
        {
            WriteFile(path, headerGz, options.Compression, s => { s.Write(header); WriteVoxels(s, volumes, options.BigEndian); });
        }
        else
        {
            WriteFile(path, headerGz, options.Compression, s => s.Write(header));
            WriteFile(dataPath!, dataGz, options.Compression, s => WriteVoxels(s, volumes, options.BigEndian));
        }
    }

    private static (bool Single, bool HeaderGz, string? DataPath, bool DataGz) Layout(string path)
    {
        if (path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase)) return (true, true, null, false);
        if (path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase)) return (true, false, null, false);
        if (path.EndsWith(".hdr.gz", StringComparison.OrdinalIgnoreCase)) return (false, true, path[..^".hdr.gz".Length] + ".img.gz", true);
        if (path.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase)) return (false, false, path[..^".hdr".Length] + ".img", false);
        throw new ArgumentException($"'{path}' must end in .nii, .nii.gz, .hdr or .hdr.gz", nameof(path));
    }

    private static void WriteFile(string path, bool gzip, CompressionLevel level, Action<Stream> write)
    {
        var partial = path + ".partial";
        using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            if (gzip)
            {
                using var gz = new GZipStream(file, level, leaveOpen: true);
                write(gz);
            }
            else write(file);
        }
        File.Move(partial, path, overwrite: true);
    }

    private static void WriteVoxels<T>(Stream stream, IReadOnlyList<Volume<T>> volumes, bool bigEndian) where T : unmanaged, INumber<T>
    {
        var shape = volumes[0].Shape;
        var row = new T[shape.Ni];
        var swap = bigEndian == BitConverter.IsLittleEndian;
        foreach (var volume in volumes)
        {
            // NIfTI voxel order: i fastest, then j, then k (then the volume index).
            for (var k = 0; k < shape.Nk; k++)
            {
                for (var j = 0; j < shape.Nj; j++)
                {
                    volume.CopyRow(j, k, row);
                    var bytes = MemoryMarshal.AsBytes(row.AsSpan());
                    if (swap) Swap(bytes, bytes.Length / row.Length);
                    stream.Write(bytes);
                }
            }
        }
    }

    private static void Swap(Span<byte> bytes, int size)
    {
        if (size == 1) return;
        for (var at = 0; at < bytes.Length; at += size) bytes.Slice(at, size).Reverse();
    }

    /// <summary>The header bytes (plus the 4-byte empty extension flag), in the requested version and byte order.</summary>
    public static byte[] EncodeHeader(Volume volume, int volumeCount, bool singleFile, NiftiWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(options);
        var v1 = options.Version == NiftiVersion.Nifti1;
        var size = v1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
        var bytes = new byte[size + 4];
        var w = new FieldWriter(bytes, options.BigEndian);
        var (b, c, d, dx, dy, dz, qfac) = NiftiGeometry.ToQuaternion(volume.Affine);
        long[] dim = [volumeCount > 1 ? 4 : 3, volume.Shape.Ni, volume.Shape.Nj, volume.Shape.Nk, volumeCount, 1, 1, 1];
        double[] pixdim = [qfac, dx, dy, dz, 1, 1, 1, 1];
        var srow = volume.Affine.ToRows();
        var datatype = NiftiDatatype.Code(volume.VoxelType);
        var bitpix = (short)(volume.VoxelType.Size() * 8);
        var description = Encoding.ASCII.GetBytes(options.Description.Length > 79 ? options.Description[..79] : options.Description);
        // xyzt_units: millimetres (2) and seconds (8).
        const int units = 2 | 8;
        var qform = options.QformCode > 0;
        if (v1)
        {
            w.Int32(0, size);
            for (var n = 0; n < 8; n++) w.Int16(40 + 2 * n, checked((short)dim[n]));
            w.Int16(70, datatype);
            w.Int16(72, bitpix);
            for (var n = 0; n < 8; n++) w.Float32(76 + 4 * n, pixdim[n]);
            w.Float32(108, singleFile ? size + 4 : 0);
            w.Float32(112, volume.Scaling.Slope);
            w.Float32(116, volume.Scaling.Intercept);
            bytes[123] = units;
            description.CopyTo(bytes, 148);
            w.Int16(252, (short)options.QformCode);
            w.Int16(254, (short)options.SformCode);
            if (qform)
            {
                w.Float32(256, b); w.Float32(260, c); w.Float32(264, d);
                w.Float32(268, srow[3]); w.Float32(272, srow[7]); w.Float32(276, srow[11]);
            }
            if (options.SformCode > 0) for (var n = 0; n < 12; n++) w.Float32(280 + 4 * n, srow[n]);
            (singleFile ? "n+1\0"u8 : "ni1\0"u8).CopyTo(bytes.AsSpan(344));
        }
        else
        {
            w.Int32(0, size);
            (singleFile ? "n+2\0\r\n\u001a\n"u8 : "ni2\0\r\n\u001a\n"u8).CopyTo(bytes.AsSpan(4));
            w.Int16(12, datatype);
            w.Int16(14, bitpix);
            for (var n = 0; n < 8; n++) w.Int64(16 + 8 * n, dim[n]);
            for (var n = 0; n < 8; n++) w.Float64(104 + 8 * n, pixdim[n]);
            w.Int64(168, singleFile ? size + 4 : 0);
            w.Float64(176, volume.Scaling.Slope);
            w.Float64(184, volume.Scaling.Intercept);
            description.CopyTo(bytes, 240);
            w.Int32(344, options.QformCode);
            w.Int32(348, options.SformCode);
            if (qform)
            {
                w.Float64(352, b); w.Float64(360, c); w.Float64(368, d);
                w.Float64(376, srow[3]); w.Float64(384, srow[7]); w.Float64(392, srow[11]);
            }
            if (options.SformCode > 0) for (var n = 0; n < 12; n++) w.Float64(400 + 8 * n, srow[n]);
            w.Int32(500, units);
        }
        return bytes;
    }

    private readonly ref struct FieldWriter(Span<byte> bytes, bool bigEndian)
    {
        private readonly Span<byte> _bytes = bytes;

        public void Int16(int at, short v) { if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(_bytes[at..], v); else BinaryPrimitives.WriteInt16LittleEndian(_bytes[at..], v); }
        public void Int32(int at, int v) { if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(_bytes[at..], v); else BinaryPrimitives.WriteInt32LittleEndian(_bytes[at..], v); }
        public void Int64(int at, long v) { if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(_bytes[at..], v); else BinaryPrimitives.WriteInt64LittleEndian(_bytes[at..], v); }
        public void Float32(int at, double v) { if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(_bytes[at..], (float)v); else BinaryPrimitives.WriteSingleLittleEndian(_bytes[at..], (float)v); }
        public void Float64(int at, double v) { if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(_bytes[at..], v); else BinaryPrimitives.WriteDoubleLittleEndian(_bytes[at..], v); }
    }
}

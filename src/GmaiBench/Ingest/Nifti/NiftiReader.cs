using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;

namespace GmaiBench.Ingest.Nifti;

/// <summary>
/// Reads one 3D volume from NIfTI-1 or NIfTI-2 files: .nii, .nii.gz, or a .hdr/.img pair (either part may be
/// gzipped), in either byte order. Untrusted input: the header is validated and the size checked before any voxel
/// allocation; voxels are inflated straight into the typed array; failures are <see cref="ItemRejectedException"/>s
/// with a reason from <see cref="NiftiRejects"/>.
/// </summary>
public static class NiftiReader
{
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".nii", ".nii.gz", ".hdr", ".hdr.gz", ".img", ".img.gz"];

    public static bool IsNiftiPath(string path) => Extension(path) is not null;

    /// <summary>The validated header alone (for a pair, the .hdr), without reading voxels.</summary>
    public static NiftiHeader ReadHeader(string path)
    {
        var (headerPath, _) = Files(path);
        using var source = Source.Open(headerPath);
        return ReadHeader(source);
    }

    /// <summary>The volume chosen by <see cref="NiftiReadOptions.VolumeIndex"/>, voxels in their stored type.</summary>
    public static Volume Read(string path, NiftiReadOptions? options = null)
    {
        options = (options ?? new NiftiReadOptions()).Validate();
        var (headerPath, dataPath) = Files(path);
        using var headerSource = Source.Open(headerPath);
        var header = ReadHeader(headerSource);
        if (header.SingleFile != (dataPath is null))
        {
            throw new ItemRejectedException(NiftiRejects.CorruptHeader, header.SingleFile
                ? $"the magic says header and voxels share one .nii file, but {Path.GetFileName(headerPath)} is a .hdr"
                : $"the magic says the voxels are in a separate .img file, but {Path.GetFileName(headerPath)} is a .nii");
        }
        header.CheckReadable(options);
        if (dataPath is null) return ReadVoxels(headerSource, header, header.HeaderSize, options.VolumeIndex);
        using var dataSource = Source.Open(dataPath);
        return ReadVoxels(dataSource, header, 0, options.VolumeIndex);
    }

    /// <summary>A label map: <see cref="Read"/>, then every voxel checked to be an integer label.</summary>
    public static LabelMap ReadLabels(string path, NiftiReadOptions? options = null)
    {
        var volume = Read(path, options);
        try { return LabelMap.From(volume); }
        catch (ArgumentException e) { throw new ItemRejectedException(NiftiRejects.NonIntegerLabels, e.Message); }
    }

    private static string? Extension(string path)
    {
        foreach (var ext in new[] { ".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".hdr", ".img" })
        {
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return ext;
        }
        return null;
    }

    /// <summary>The header file and, for a pair, the data file (the .img or .img.gz next to a .hdr, or the reverse).</summary>
    private static (string Header, string? Data) Files(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ext = Extension(path)
            ?? throw new ItemRejectedException(NiftiRejects.NotNifti, $"'{Path.GetFileName(path)}' has no NIfTI extension ({string.Join(", ", SupportedExtensions)})");
        if (ext is ".nii" or ".nii.gz") return (path, null);
        var stem = path[..^ext.Length];
        string Partner(string kind) =>
            new[] { stem + kind, stem + kind + ".gz" }.FirstOrDefault(File.Exists)
            ?? throw new ItemRejectedException(NiftiRejects.MissingFile, $"'{Path.GetFileName(path)}' has no matching {kind} or {kind}.gz file");
        return ext.StartsWith(".hdr", StringComparison.Ordinal) ? (path, Partner(".img")) : (Partner(".hdr"), path);
    }

    private static NiftiHeader ReadHeader(Source source) => source.Guard(() =>
    {
        var bytes = new byte[NiftiHeader.Nifti2Size];
        var got = source.Stream.ReadAtLeast(bytes.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        var (version, _) = NiftiHeader.Detect(bytes.AsSpan(0, got));
        var size = version == NiftiVersion.Nifti1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
        got += source.Stream.ReadAtLeast(bytes.AsSpan(4, size - 4), size - 4, throwOnEndOfStream: false);
        return NiftiHeader.Parse(bytes.AsSpan(0, got));
    });

    private static Volume ReadVoxels(Source source, NiftiHeader header, long consumed, long volumeIndex) => source.Guard<Volume>(() =>
    {
        var start = header.VoxOffset + volumeIndex * header.BytesPerVolume;
        if (source.Compressed)
        {
            // Declared sizes cannot be checked against a gzip stream's length; the cap was checked instead and a
            // short stream ends in EndOfStreamException (truncated-file).
            Skip(source.Stream, start - consumed);
        }
        else
        {
            var declared = header.VoxOffset + header.VolumeCount * header.BytesPerVolume;
            if (source.File.Length < declared)
            {
                throw new ItemRejectedException(NiftiRejects.TruncatedFile,
                    $"the header declares {header.VolumeCount * header.BytesPerVolume} voxel bytes from offset {header.VoxOffset}, but {Path.GetFileName(source.File.Name)} has {source.File.Length} bytes");
            }
            source.File.Position = start;
        }
        Volume volume = header.VoxelType switch
        {
            VoxelType.UInt8 => ReadTyped<byte>(source.Stream, header),
            VoxelType.Int8 => ReadTyped<sbyte>(source.Stream, header),
            VoxelType.Int16 => ReadTyped<short>(source.Stream, header),
            VoxelType.UInt16 => ReadTyped<ushort>(source.Stream, header),
            VoxelType.Int32 => ReadTyped<int>(source.Stream, header),
            VoxelType.UInt32 => ReadTyped<uint>(source.Stream, header),
            VoxelType.Int64 => ReadTyped<long>(source.Stream, header),
            VoxelType.Float32 => ReadTyped<float>(source.Stream, header),
            VoxelType.Float64 => ReadTyped<double>(source.Stream, header),
            _ => throw new ItemRejectedException(NiftiRejects.UnsupportedDatatype, $"datatype {header.VoxelType} is not supported"),
        };
        if (source.Compressed && volumeIndex == header.VolumeCount - 1) DrainToTrailer(source.Stream);
        return volume;
    });

    /// <summary>
    /// Reads on to the end of the gzip member so its CRC-32 trailer is checked (RFC 1952): damage that still inflates
    /// then fails as corrupt-gzip. Bounded, so trailing bytes after the voxels cannot cost much.
    /// </summary>
    private static void DrainToTrailer(Stream stream)
    {
        var buffer = new byte[4096];
        for (var total = 0; total < 1 << 20;)
        {
            var n = stream.Read(buffer);
            if (n == 0) return;
            total += n;
        }
    }

    private static void Skip(Stream stream, long count)
    {
        if (count < 0) throw new ItemRejectedException(NiftiRejects.CorruptHeader, $"vox_offset points {-count} bytes into the header");
        if (count == 0) return;
        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(count, buffer.Length));
            if (n == 0) throw new EndOfStreamException($"the stream ended {count} bytes before the voxel data");
            count -= n;
        }
    }

    private static Volume<T> ReadTyped<T>(Stream stream, NiftiHeader header) where T : unmanaged, INumber<T>
    {
        // Uninitialised: every element is overwritten by the read below, so zeroing would be wasted work.
        var voxels = GC.AllocateUninitializedArray<T>((int)header.Shape.VoxelCount);
        // The read (or inflate) writes straight into the voxel array, in chunks a byte span can address.
        var perChunk = (1 << 30) / Unsafe.SizeOf<T>();
        for (var at = 0; at < voxels.Length; at += perChunk)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(voxels.AsSpan(at, Math.Min(perChunk, voxels.Length - at))));
        }
        if (header.BigEndian == BitConverter.IsLittleEndian) SwapInPlace(voxels.AsSpan());
        return new Volume<T>(voxels, header.Shape, header.Affine, header.Scaling);
    }

    private static void SwapInPlace<T>(Span<T> values) where T : unmanaged
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 2:
                var u16 = MemoryMarshal.Cast<T, ushort>(values);
                BinaryPrimitives.ReverseEndianness(u16, u16);
                break;
            case 4:
                var u32 = MemoryMarshal.Cast<T, uint>(values);
                BinaryPrimitives.ReverseEndianness(u32, u32);
                break;
            case 8:
                var u64 = MemoryMarshal.Cast<T, ulong>(values);
                BinaryPrimitives.ReverseEndianness(u64, u64);
                break;
        }
    }

    /// <summary>An open file, gzipped or not (by its 1F 8B signature, not its name), and the stream to read it through.</summary>
    private sealed class Source : IDisposable
    {
        private Source(FileStream file, Stream stream, bool compressed)
        {
            File = file;
            Stream = stream;
            Compressed = compressed;
        }

        public FileStream File { get; }

        public Stream Stream { get; }

        public bool Compressed { get; }

        public static Source Open(string path)
        {
            FileStream file;
            try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ItemRejectedException(e is FileNotFoundException ? NiftiRejects.MissingFile : NiftiRejects.UnreadableFile, e.Message);
            }
            try
            {
                Span<byte> signature = stackalloc byte[2];
                var n = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
                file.Position = 0;
                var compressed = n == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
                return new Source(file, compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file, compressed);
            }
            catch (IOException e)
            {
                file.Dispose();
                throw new ItemRejectedException(NiftiRejects.UnreadableFile, e.Message);
            }
        }

        /// <summary>Runs a read, turning stream failures into rejects: a short stream is a truncated file.</summary>
        public TResult Guard<TResult>(Func<TResult> read)
        {
            var name = Path.GetFileName(File.Name);
            try { return read(); }
            catch (EndOfStreamException)
            {
                throw new ItemRejectedException(NiftiRejects.TruncatedFile, $"{name} ends before the data its header declares{(Compressed ? " (after inflating)" : "")}");
            }
            catch (InvalidDataException e)
            {
                // A stream cut short reads as end-of-stream above; invalid data is damage (bad block or CRC-32 mismatch).
                throw new ItemRejectedException(NiftiRejects.CorruptGzip, $"{name}: the gzip stream is corrupt: {e.Message}");
            }
            catch (IOException e)
            {
                throw new ItemRejectedException(NiftiRejects.UnreadableFile, $"{name}: {e.Message}");
            }
        }

        public void Dispose()
        {
            if (Compressed) Stream.Dispose();
            File.Dispose();
        }
    }
}

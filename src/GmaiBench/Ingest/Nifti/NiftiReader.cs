using GmaiBench.Sources.Layouts;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GmaiBench.Imaging;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Nifti;

/// <summary>
/// Reads one 3D volume from NIfTI-1 or NIfTI-2 files: .nii, .nii.gz, or a .hdr/.img pair (either part may be
/// gzipped), in either byte order. Untrusted input: the header is validated and the size checked before any voxel
/// allocation; voxels are inflated straight into the typed array; failures are <see cref="ItemRejectedException"/>s
/// with a reason from <see cref="NiftiRejects"/>.
/// </summary>
public static class NiftiReader
{
    public static IReadOnlyList<string> SupportedExtensions => NiftiFileNames.SupportedExtensions;

    public static bool IsNiftiPath(string path) => NiftiFileNames.IsNiftiPath(path);

    /// <summary>The validated header alone (for a pair, the .hdr), without reading voxels.</summary>
    public static NiftiHeader ReadHeader(string path)
    {
        var (headerPath, _) = Files(path);
        using var source = Source.Open(headerPath);
        return ReadHeader(source);
    }

    /// <summary>The header with every check <see cref="Read"/> makes before the voxels (pairing, size cap, volume index), without reading voxels.</summary>
    public static NiftiHeader ReadHeader(string path, NiftiReadOptions options) => WithVoxels(path, options, (_, header, _, _) => header);

    /// <summary>The volume chosen by <see cref="NiftiReadOptions.VolumeIndex"/>, voxels in their stored type.</summary>
    public static Volume Read(string path, NiftiReadOptions? options = null) =>
        WithVoxels(path, options, (source, header, consumed, o) => ReadVoxels(source, header, consumed, o));

    /// <summary>
    /// The volume chosen by <see cref="NiftiReadOptions.VolumeIndex"/> handed to <paramref name="voxels"/> row by row as it
    /// inflates (see <see cref="IVoxelStream"/>): nothing the size of the volume is held. Same checks and rejects as
    /// <see cref="Read"/>, the gzip CRC-32 included; <see cref="NiftiReadOptions.Buffers"/> is not used. Returns the header.
    /// </summary>
    public static NiftiHeader Stream(string path, NiftiReadOptions? options, IVoxelStream voxels)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        return WithVoxels(path, options, (source, header, consumed, o) =>
        {
            StreamVoxels(source, header, consumed, o, voxels);
            return header;
        });
    }

    /// <summary>Opens the file (or pair), validates the header against <paramref name="options"/> and runs <paramref name="read"/> on the voxel source.</summary>
    private static TResult WithVoxels<TResult>(string path, NiftiReadOptions? options, Func<Source, NiftiHeader, long, NiftiReadOptions, TResult> read)
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
        if (dataPath is null) return read(headerSource, header, header.HeaderSize, options);
        using var dataSource = Source.Open(dataPath);
        return read(dataSource, header, 0, options);
    }

    /// <summary>A label map: <see cref="Read"/>, then every voxel checked to be an integer label.</summary>
    public static LabelMap ReadLabels(string path, NiftiReadOptions? options = null)
    {
        var volume = Read(path, options);
        return LabelMap.TryFrom(volume, out var problem) ?? throw new ItemRejectedException(NiftiRejects.NonIntegerLabels, problem!);
    }

    /// <summary>The header file and, for a pair, the data file (the .img or .img.gz next to a .hdr, or the reverse).</summary>
    private static (string Header, string? Data) Files(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ext = NiftiFileNames.Extension(path)
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

    private static Volume ReadVoxels(Source source, NiftiHeader header, long consumed, NiftiReadOptions options) => source.Guard<Volume>(Volume () =>
    {
        MoveToVolume(source, header, consumed, options);
        return header.VoxelType switch
        {
            VoxelType.UInt8 => ReadTyped<byte>(source, header, options),
            VoxelType.Int8 => ReadTyped<sbyte>(source, header, options),
            VoxelType.Int16 => ReadTyped<short>(source, header, options),
            VoxelType.UInt16 => ReadTyped<ushort>(source, header, options),
            VoxelType.Int32 => ReadTyped<int>(source, header, options),
            VoxelType.UInt32 => ReadTyped<uint>(source, header, options),
            VoxelType.Int64 => ReadTyped<long>(source, header, options),
            VoxelType.Float32 => ReadTyped<float>(source, header, options),
            VoxelType.Float64 => ReadTyped<double>(source, header, options),
            _ => throw new ItemRejectedException(NiftiRejects.UnsupportedDatatype, $"datatype {header.VoxelType} is not supported"),
        };
    });

    private static void StreamVoxels(Source source, NiftiHeader header, long consumed, NiftiReadOptions options, IVoxelStream voxels) => source.Guard(() =>
    {
        MoveToVolume(source, header, consumed, options);
        switch (header.VoxelType)
        {
            case VoxelType.UInt8: StreamTyped(source, header, options, voxels.Open<byte>(header.Shape, header.Scaling)); break;
            case VoxelType.Int8: StreamTyped(source, header, options, voxels.Open<sbyte>(header.Shape, header.Scaling)); break;
            case VoxelType.Int16: StreamTyped(source, header, options, voxels.Open<short>(header.Shape, header.Scaling)); break;
            case VoxelType.UInt16: StreamTyped(source, header, options, voxels.Open<ushort>(header.Shape, header.Scaling)); break;
            case VoxelType.Int32: StreamTyped(source, header, options, voxels.Open<int>(header.Shape, header.Scaling)); break;
            case VoxelType.UInt32: StreamTyped(source, header, options, voxels.Open<uint>(header.Shape, header.Scaling)); break;
            case VoxelType.Int64: StreamTyped(source, header, options, voxels.Open<long>(header.Shape, header.Scaling)); break;
            case VoxelType.Float32: StreamTyped(source, header, options, voxels.Open<float>(header.Shape, header.Scaling)); break;
            case VoxelType.Float64: StreamTyped(source, header, options, voxels.Open<double>(header.Shape, header.Scaling)); break;
            default: throw new ItemRejectedException(NiftiRejects.UnsupportedDatatype, $"datatype {header.VoxelType} is not supported");
        }
        return true;
    });

    /// <summary>Positions the source at the first byte of the chosen volume (skipping through a gzip stream).</summary>
    private static void MoveToVolume(Source source, NiftiHeader header, long consumed, NiftiReadOptions options)
    {
        var start = header.VoxOffset + options.VolumeIndex * header.BytesPerVolume;
        if (source.Compressed)
        {
            // Declared sizes cannot be checked against a gzip stream's length; the cap was checked instead and a
            // short stream ends in EndOfStreamException (truncated-file).
            Skip(source.Stream, start - consumed);
            return;
        }
        var declared = header.VoxOffset + header.VolumeCount * header.BytesPerVolume;
        if (source.File.Length < declared)
        {
            throw new ItemRejectedException(NiftiRejects.TruncatedFile,
                $"the header declares {header.VolumeCount * header.BytesPerVolume} voxel bytes from offset {header.VoxOffset}, but {Path.GetFileName(source.File.Name)} has {source.File.Length} bytes");
        }
        source.File.Position = start;
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

    private static Volume<T> ReadTyped<T>(Source source, NiftiHeader header, NiftiReadOptions options) where T : unmanaged, INumber<T>
    {
        var count = (int)header.Shape.VoxelCount;
        // Uninitialised: every element is overwritten by the read below, so zeroing would be wasted work.
        var voxels = options.Buffers?.Rent<T>(count) ?? GC.AllocateUninitializedArray<T>(count);
        if (source.Compressed && options.VolumeIndex == header.VolumeCount - 1) InflateLast(source.Stream, voxels, count);
        else
        {
            // The read writes straight into the voxel array, in chunks a byte span can address.
            var perChunk = (1 << 30) / Unsafe.SizeOf<T>();
            for (var at = 0; at < count; at += perChunk)
            {
                source.Stream.ReadExactly(MemoryMarshal.AsBytes(voxels.AsSpan(at, Math.Min(perChunk, count - at))));
            }
        }
        if (header.BigEndian == BitConverter.IsLittleEndian) SwapInPlace(voxels.AsSpan(0, count));
        return new Volume<T>(voxels, header.Shape, header.Affine, header.Scaling);
    }

    /// <summary>
    /// Hands the volume to <paramref name="rows"/> in blocks of whole rows (about 256 KiB each) as they are read. The last
    /// volume of a gzip stream is read to its end, as <see cref="InflateLast{T}"/> does, so the CRC-32 is checked.
    /// </summary>
    private static void StreamTyped<T>(Source source, NiftiHeader header, NiftiReadOptions options, IVoxelRows<T> rows) where T : unmanaged, INumber<T>
    {
        using var sink = new RowSink<T>(header.Shape, header.BigEndian == BitConverter.IsLittleEndian, rows);
        if (source.Compressed && options.VolumeIndex == header.VolumeCount - 1)
        {
            try { source.Stream.CopyTo(sink, 1 << 17); }
            catch (OverflowStop) { return; }
        }
        else
        {
            var buffer = new byte[1 << 17];
            for (var left = sink.Capacity; left > 0;)
            {
                var n = source.Stream.Read(buffer, 0, (int)Math.Min(left, buffer.Length));
                if (n == 0) break;
                sink.Write(buffer.AsSpan(0, n));
                left -= n;
            }
        }
        if (sink.Written < sink.Capacity) throw new EndOfStreamException($"the stream ended {sink.Capacity - sink.Written} bytes before the end of the voxel data");
        sink.Flush();
    }

    /// <summary>A write-only stream that gathers bytes into blocks of whole rows and hands each full block on.</summary>
    private sealed class RowSink<T> : Stream where T : unmanaged, INumber<T>
    {
        private const long OverflowLimit = 1 << 20;
        private readonly T[] _pooled;
        private readonly Memory<T> _block;
        private readonly int _rowLength;
        private readonly bool _swap;
        private readonly IVoxelRows<T> _rows;
        private int _filledBytes;
        private long _firstRow;
        private long _overflow;

        public RowSink(GridShape shape, bool swap, IVoxelRows<T> rows)
        {
            _rowLength = shape.Ni;
            var rowsPerBlock = (int)Math.Clamp((1 << 18) / ((long)_rowLength * Unsafe.SizeOf<T>()), 1, Math.Max(1, shape.VoxelCount / _rowLength));
            // From the scratch pool: a fresh quarter-megabyte block per volume read would be large-object garbage each time.
            _pooled = ScratchPool<T>.Shared.Rent(rowsPerBlock * _rowLength);
            _block = _pooled.AsMemory(0, rowsPerBlock * _rowLength);
            _swap = swap;
            _rows = rows;
            Capacity = shape.VoxelCount * Unsafe.SizeOf<T>();
        }

        public long Capacity { get; }

        public long Written { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var room = (int)Math.Min(buffer.Length, Capacity - Written);
            var bytes = MemoryMarshal.AsBytes(_block.Span);
            var taken = 0;
            while (taken < room)
            {
                var n = Math.Min(room - taken, bytes.Length - _filledBytes);
                buffer.Slice(taken, n).CopyTo(bytes[_filledBytes..]);
                _filledBytes += n;
                taken += n;
                Written += n;
                if (_filledBytes == bytes.Length) Deliver();
            }
            _overflow += buffer.Length - Math.Max(room, 0);
            if (_overflow > OverflowLimit) throw new OverflowStop();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        /// <summary>Hands on the rows of a partly filled last block.</summary>
        public override void Flush()
        {
            if (_filledBytes > 0) Deliver();
        }

        private void Deliver()
        {
            var voxels = _block.Span[..(_filledBytes / Unsafe.SizeOf<T>())];
            if (_swap) SwapInPlace(voxels);
            _rows.Rows(_firstRow, voxels);
            _firstRow += voxels.Length / _rowLength;
            _filledBytes = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) ScratchPool<T>.Shared.Return(_pooled);
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// Inflates the rest of the stream into the voxel array. GZipStream.CopyTo feeds the inflater 80 KB at a time where
    /// Read feeds it 8 KB, which makes it markedly faster; the sink copies each inflated chunk into place (no full-size
    /// intermediate buffer). Reading to the end also checks the gzip CRC-32 trailer (RFC 1952), so damage that still
    /// inflates fails as corrupt-gzip. Data past the volume is tolerated up to 1 MiB, then reading stops.
    /// </summary>
    private static void InflateLast<T>(Stream stream, T[] voxels, int count) where T : unmanaged
    {
        var sink = new VoxelSink<T>(voxels, count);
        try { stream.CopyTo(sink, 1 << 17); }
        catch (OverflowStop) { return; }
        if (sink.Written < sink.Capacity) throw new EndOfStreamException($"the stream ended {sink.Capacity - sink.Written} bytes before the end of the voxel data");
    }

    /// <summary>A write-only stream that fills the bytes of a voxel array in order.</summary>
    private sealed class VoxelSink<T>(T[] voxels, int count) : Stream where T : unmanaged
    {
        private const long OverflowLimit = 1 << 20;

        public long Capacity { get; } = (long)count * Unsafe.SizeOf<T>();

        public long Written { get; private set; }

        private long _overflow;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var room = (int)Math.Min(buffer.Length, Capacity - Written);
            if (room > 0)
            {
                // The destination is viewed as bytes over just the elements this chunk touches, so the view stays
                // small whatever the volume's size.
                var size = Unsafe.SizeOf<T>();
                var first = (int)(Written / size);
                var skip = (int)(Written % size);
                var elements = Math.Min(count - first, (skip + room + size - 1) / size);
                buffer[..room].CopyTo(MemoryMarshal.AsBytes(voxels.AsSpan(first, elements))[skip..]);
                Written += room;
            }
            _overflow += buffer.Length - Math.Max(room, 0);
            if (_overflow > OverflowLimit) throw new OverflowStop();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Ends CopyTo once the voxels are complete and more than the tolerated extra data (1 MiB) followed.</summary>
    private sealed class OverflowStop : Exception;

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
            catch (InvalidDataException)
            {
                // A stream cut short reads as end-of-stream above; invalid data is damage (bad block or CRC-32 mismatch).
                    throw new ItemRejectedException(NiftiRejects.CorruptGzip, $"{name}: the gzip data is damaged (a bad deflate block or a CRC-32 mismatch)");
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

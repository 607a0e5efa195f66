using System.Buffers.Binary;
using System.Reflection;
using GmaiBench.Model;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using Snappier;

namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// Writes a row group's image column as a stream, in exactly the bytes Parquet.Net would write for it. Parquet.Net writes
/// a column chunk as one data page built in memory: the values, the encoded page and the compressed page each about the
/// size of the group's images (a 100 MB row group held three times over). Here Parquet.Net writes the column with every
/// image empty instead, through a <see cref="SplicingStream"/> that keeps that small page aside: the page gives the
/// header and the definition levels Parquet.Net uses (they depend on the row count alone, not on the bytes). The real
/// page is then written in its place: the header with the real sizes, and the levels and each image (its 4-byte length,
/// then its bytes, read from the store) compressed fragment by fragment (<see cref="SnappyBlockWriter"/>); the images
/// are read twice, once to learn the compressed size the header begins with and once to write them, holding 64 KiB of
/// them at a time. Last, the column chunk's sizes in the footer are corrected. Parquet.Net keeps a row group's metadata
/// to itself, so that last step reaches its private field by reflection; when a Parquet.Net version lacks it
/// (<see cref="Available"/> false) the writer holds the column whole as before, with the same bytes.
/// </summary>
public static class StreamedImageColumn
{
    private static readonly FieldInfo? GroupMetadata =
        typeof(ParquetRowGroupWriter).GetField("_owGroup", BindingFlags.Instance | BindingFlags.NonPublic) is { } f && f.FieldType == typeof(RowGroup) ? f : null;

    /// <summary>Whether this Parquet.Net lets a row group's image column be streamed (see the type's remarks).</summary>
    public static bool Available => GroupMetadata is not null;

    /// <summary>
    /// Writes <paramref name="field"/> (a nullable byte-array column, the next one the group expects) with the stored
    /// images <paramref name="shas"/>, none null.
    /// </summary>
    public static async Task WriteAsync(ParquetRowGroupWriter group, SplicingStream output, DataField field, IReadOnlyList<string> shas, IObjectStore images)
    {
        if (GroupMetadata is null) throw new InvalidOperationException("this Parquet.Net version cannot have an image column streamed");
        output.BeginCapture();
        await group.WriteAsync(field, shas.Select(_ => Array.Empty<byte>()).ToList());
        var placeholder = PlaceholderPage.Parse(output.EndCapture(), shas.Count);

        var sizes = shas.Select(images.SizeOf).ToArray();
        var decoded = placeholder.Levels.Length + sizes.Sum(s => 4 + s);
        TooLarge(decoded);
        var counter = new SnappyBlockWriter(null, decoded);
        Fill(counter, placeholder.Levels, shas, sizes, images);
        TooLarge(counter.Written);   // Snappy can add a little to incompressible bytes
        var header = placeholder.Header((int)decoded, (int)counter.Written);
        output.Write(header);
        Fill(new SnappyBlockWriter(output, decoded), placeholder.Levels, shas, sizes, images);

        var chunk = ((RowGroup)GroupMetadata.GetValue(group)!).Columns![^1].MetaData!;
        if (chunk.PathInSchema is not { } path || !path.SequenceEqual(field.Path.ToList()))
            throw new InvalidOperationException($"the last column chunk written is not {field.Path}");
        chunk.TotalCompressedSize += header.Length + counter.Written - placeholder.Length;
        chunk.TotalUncompressedSize += header.Length + decoded - (placeholder.HeaderLength + placeholder.DecodedLength);
    }

    private static void TooLarge(long pageBytes)
    {
        if (pageBytes > int.MaxValue)
            throw new InvalidOperationException($"a row group's images come to a {pageBytes:N0}-byte page, over the 2 GiB a Parquet page can hold; lower row_group_mb");
    }

    private static void Fill(SnappyBlockWriter block, byte[] levels, IReadOnlyList<string> shas, long[] sizes, IObjectStore images)
    {
        block.Write(levels);
        var buffer = new byte[SnappyBlockWriter.FragmentSize];
        Span<byte> length = stackalloc byte[4];
        for (var i = 0; i < shas.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, checked((int)sizes[i]));
            block.Write(length);
            long copied = 0;
            using (var image = images.OpenRead(shas[i]))   // read to its end, so the store checks the bytes against the name
                for (int n; (n = image.Read(buffer)) > 0; copied += n)
                {
                    if (copied + n > sizes[i]) break;
                    block.Write(buffer.AsSpan(0, n));
                }
            if (copied != sizes[i])
                throw new InvalidDataException($"the stored image {shas[i]} is not the {sizes[i]:N0} bytes its size says");
        }
        block.Finish();
    }

    /// <summary>
    /// The page Parquet.Net wrote for empty images: a Thrift compact <c>PageHeader</c> whose first three fields are the
    /// page type, the decoded size and the compressed size (i32 fields 1-3, read with the verifier's
    /// <see cref="ThriftCompactReader"/>), then the Snappy block of the definition levels followed by one 4-byte zero
    /// length per row.
    /// </summary>
    private sealed record PlaceholderPage(byte[] Bytes, int HeaderLength, int DecodedLength, int DecodedStart, int DecodedEnd, int CompressedStart, int CompressedEnd, byte[] Levels)
    {
        public int Length => Bytes.Length;

        public static PlaceholderPage Parse(byte[] bytes, int rows)
        {
            var input = new ChunkInput(new MemoryStream(bytes, writable: false));
            input.Open(0, bytes.Length, "the page Parquet.Net wrote");
            var thrift = new ThriftCompactReader(input);
            short last = 0;
            (int Value, int Start, int End) Field(short id, string name)
            {
                var (read, type) = thrift.ReadFieldHeader(ref last);
                if (read != id) throw Unexpected($"field {read} where {name} (field {id}) was expected");
                var start = (int)input.Position;
                return (thrift.ReadI32(type, name), start, (int)input.Position);
            }
            int type, decoded, decodedStart, decodedEnd, compressed, compressedStart, compressedEnd;
            try
            {
                (type, _, _) = Field(1, "the page type");
                (decoded, decodedStart, decodedEnd) = Field(2, "the decoded size");
                (compressed, compressedStart, compressedEnd) = Field(3, "the compressed size");
            }
            catch (MalformedPageException e)
            {
                throw Unexpected(e.Message);
            }
            if (type != PageHeader.DataPageType) throw Unexpected("it is not a data page");
            var headerLength = bytes.Length - compressed;
            if (compressed < 0 || headerLength <= compressedEnd) throw Unexpected($"its compressed size {compressed} does not fit the {bytes.Length} bytes written");
            var body = Snappy.DecompressToArray(bytes.AsSpan(headerLength));
            var zeros = 4L * rows;
            if (body.Length != decoded || decoded < zeros || body.AsSpan((int)(decoded - zeros)).ContainsAnyExcept((byte)0))
                throw Unexpected($"its {body.Length} decoded bytes do not end in {rows} empty values");
            return new PlaceholderPage(bytes, headerLength, decoded, decodedStart, decodedEnd, compressedStart, compressedEnd, body[..(int)(decoded - zeros)]);
        }

        /// <summary>The header with the real sizes; every other byte as Parquet.Net wrote it.</summary>
        public byte[] Header(int decoded, int compressed)
        {
            using var header = new MemoryStream();
            header.Write(Bytes, 0, DecodedStart);
            WriteZigZag(header, decoded);
            header.Write(Bytes, DecodedEnd, CompressedStart - DecodedEnd);
            WriteZigZag(header, compressed);
            header.Write(Bytes, CompressedEnd, HeaderLength - CompressedEnd);
            return header.ToArray();
        }

        private static void WriteZigZag(Stream stream, int value)
        {
            Span<byte> varint = stackalloc byte[5];
            stream.Write(varint[..SnappyBlockWriter.WriteVarint(varint, (uint)((value << 1) ^ (value >> 31)))]);
        }

        private static InvalidOperationException Unexpected(string why) =>
            new($"Parquet.Net wrote an image page this writer does not know ({why}); the column cannot be streamed");
    }
}

/// <summary>
/// The output of a Parquet file whose image columns are streamed (<see cref="StreamedImageColumn"/>): it passes writes
/// through, except while capturing, when it keeps them aside unwritten. Its position is the bytes it has passed on, so
/// Parquet.Net records offsets of what is really in the file. It reports itself seekable because Parquet.Net reads
/// <see cref="Position"/> to place column chunks and would otherwise wrap it in a stream counting the captured bytes
/// too; it never seeks. Asynchronous writes complete on the calling thread (see <see cref="SynchronousStream"/> for why).
/// The inner stream is left open.
/// </summary>
public sealed class SplicingStream(Stream inner) : Stream
{
    private readonly long _start = inner.CanSeek ? inner.Position : 0;
    private long _passed;
    private MemoryStream? _captured;

    public override bool CanRead => false;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => Position;

    public override long Position
    {
        get => _start + _passed;
        set => throw new NotSupportedException("a splicing stream is written in order");
    }

    public void BeginCapture()
    {
        if (_captured is not null) throw new InvalidOperationException("already capturing");
        _captured = new MemoryStream();
    }

    public byte[] EndCapture()
    {
        var bytes = _captured?.ToArray() ?? throw new InvalidOperationException("not capturing");
        _captured = null;
        return bytes;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_captured is not null)
        {
            _captured.Write(buffer);
            return;
        }
        inner.Write(buffer);
        _passed += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) { inner.Flush(); return Task.CompletedTask; }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a splicing stream is written in order");
    public override void SetLength(long value) => throw new NotSupportedException();
}

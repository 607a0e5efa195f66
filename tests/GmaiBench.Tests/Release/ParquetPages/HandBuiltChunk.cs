using System.Buffers.Binary;
using GmaiBench.Release.ParquetPages;

namespace GmaiBench.Tests.Release.ParquetPages;

/// <summary>
/// Column chunks written byte by byte, for what <c>BenchmarkParquet</c> never writes but a page walk must handle or refuse:
/// several pages, bit-packed levels, other page kinds and encodings, damage. Thrift compact protocol per Apache Thrift's
/// thrift-compact-protocol.md, pages per parquet-format (parquet.thrift, Encodings.md).
/// </summary>
public static class HandBuiltChunk
{
    /// <summary>Writes a Thrift compact struct: fields in increasing id order, closed by <see cref="End"/>.</summary>
    public sealed class Thrift
    {
        private readonly MemoryStream _bytes = new();
        private readonly Stack<short> _lastIds = new([0]);

        public byte[] ToArray() => _bytes.ToArray();

        public Thrift I32(short id, long value) { Header(id, ThriftCompactReader.I32); Varint(ZigZag(value)); return this; }

        public Thrift Binary(short id, byte[] value) { Header(id, ThriftCompactReader.Binary); Varint((ulong)value.Length); _bytes.Write(value); return this; }

        public Thrift ListOfI32(short id, params int[] values)
        {
            Header(id, ThriftCompactReader.List);
            if (values.Length < 15) _bytes.WriteByte((byte)(values.Length << 4 | ThriftCompactReader.I32));
            else { _bytes.WriteByte(0xF0 | ThriftCompactReader.I32); Varint((ulong)values.Length); }
            foreach (var v in values) Varint(ZigZag(v));
            return this;
        }

        public Thrift Begin(short id) { Header(id, ThriftCompactReader.Struct); _lastIds.Push(0); return this; }

        public Thrift End() { _bytes.WriteByte(ThriftCompactReader.Stop); _lastIds.Pop(); return this; }

        /// <summary>A raw byte, for damage that no well-formed writer makes.</summary>
        public Thrift Raw(params byte[] bytes) { _bytes.Write(bytes); return this; }

        private void Header(short id, byte type)
        {
            var delta = id - _lastIds.Peek();
            if (delta is > 0 and <= 15) _bytes.WriteByte((byte)(delta << 4 | type));
            else { _bytes.WriteByte(type); Varint(ZigZag(id)); }
            _lastIds.Pop();
            _lastIds.Push(id);
        }

        private void Varint(ulong v)
        {
            while (v >= 0x80) { _bytes.WriteByte((byte)(v | 0x80)); v >>= 7; }
            _bytes.WriteByte((byte)v);
        }

        private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));
    }

    /// <summary>A DATA_PAGE header (page type 0) with its data page header; statistics as Parquet.Net writes them (a null count).</summary>
    public static byte[] DataPageHeader(int uncompressed, int compressed, int numValues, int encoding = 0, int levelEncoding = 3, int pageType = 0) =>
        new Thrift().I32(1, pageType).I32(2, uncompressed).I32(3, compressed)
            .Begin(5).I32(1, numValues).I32(2, encoding).I32(3, levelEncoding).I32(4, levelEncoding).Begin(5).I32(3, 0).End().End()
            .End().ToArray();

    /// <summary>Definition levels as runs of (count, level), RLE-encoded with the 4-byte length of a version 1 page.</summary>
    public static byte[] RleLevels(params (int Count, byte Level)[] runs)
    {
        var body = new MemoryStream();
        foreach (var (count, level) in runs)
        {
            WriteVarint(body, (ulong)count << 1);
            body.WriteByte(level);
        }
        return WithLength(body.ToArray());
    }

    /// <summary>Definition levels bit-packed, 8 to a group of <paramref name="bitWidth"/> bytes, least significant bit first.</summary>
    public static byte[] BitPackedLevels(int bitWidth, params byte[] levels)
    {
        var groups = (levels.Length + 7) / 8;
        var body = new MemoryStream();
        WriteVarint(body, (ulong)groups << 1 | 1);
        for (var g = 0; g < groups; g++)
        {
            ulong bits = 0;
            for (var k = 0; k < 8 && g * 8 + k < levels.Length; k++) bits |= (ulong)levels[g * 8 + k] << (k * bitWidth);
            for (var i = 0; i < bitWidth; i++) body.WriteByte((byte)(bits >> (8 * i)));
        }
        return WithLength(body.ToArray());
    }

    /// <summary>PLAIN BYTE_ARRAY values: each a 4-byte little-endian length, then its bytes.</summary>
    public static byte[] Plain(params byte[][] values)
    {
        var s = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, v.Length);
            s.Write(length);
            s.Write(v);
        }
        return s.ToArray();
    }

    /// <summary>A page: its header (sizes filled in) and body, compressed with Snappy when asked (by Snappier, as Parquet.Net does).</summary>
    public static byte[] Page(byte[] body, int numValues, bool snappy, int encoding = 0, int levelEncoding = 3, int pageType = 0)
    {
        var stored = snappy ? Snappier.Snappy.CompressToArray(body) : body;
        return [.. DataPageHeader(body.Length, stored.Length, numValues, encoding, levelEncoding, pageType), .. stored];
    }

    /// <summary>A "file": the 4-byte magic, then the chunk; and where the chunk lies in it.</summary>
    public static (MemoryStream File, ColumnChunkLocation Chunk) File(byte[] chunk, long numValues, bool snappy, int maxDefinitionLevel = 2) =>
        (new MemoryStream([.. "PAR1"u8, .. chunk], writable: false),
         new ColumnChunkLocation(4, chunk.Length, numValues, snappy ? ParquetNames.Snappy : ParquetNames.Uncompressed, ParquetNames.ByteArray, maxDefinitionLevel, 0));

    /// <summary>Every value of the chunk, null as null.</summary>
    public static List<byte[]?> ReadAll(Stream file, ColumnChunkLocation chunk)
    {
        var reader = new ByteArrayChunkReader(file);
        reader.Open(chunk);
        var values = new List<byte[]?>();
        while (reader.Next()) values.Add(reader.IsNull ? null : reader.Value.ToArray());
        return values;
    }

    private static byte[] WithLength(byte[] body)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, body.Length);
        return [.. length, .. body];
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }
}

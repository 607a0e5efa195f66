using Snappier;

namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// One raw Snappy block (Parquet's SNAPPY page body) written as a stream, byte for byte what Snappier's one-shot
/// <see cref="Snappy.Compress(ReadOnlySpan{byte}, Span{byte})"/> makes of the whole input. A block is a varint of the
/// decoded length, then the compressed 64 KiB fragments one after another; Snappier (like the reference compressor it
/// ports) compresses each fragment on its own, with a hash table sized by that fragment alone, so compressing the
/// fragments one at a time and dropping each call's own length prefix gives the same bytes while holding one fragment.
/// The decoded length must be known up front, as the block begins with it.
/// </summary>
public sealed class SnappyBlockWriter
{
    /// <summary>Snappy's fragment size (google/snappy's kBlockSize, Snappier's Constants.BlockSize).</summary>
    public const int FragmentSize = 1 << 16;

    private readonly Stream? _sink;
    private readonly long _declared;
    private readonly byte[] _fragment = new byte[FragmentSize];
    private readonly byte[] _compressed = new byte[Snappy.GetMaxCompressedLength(FragmentSize)];
    private int _filled;
    private long _taken;

    /// <summary>Bytes of the block so far (the length prefix included): with no sink, the block's size is all it makes.</summary>
    public long Written { get; private set; }

    /// <param name="sink">Where the block goes; null only counts it.</param>
    /// <param name="decodedLength">The number of bytes that will be written into the block.</param>
    public SnappyBlockWriter(Stream? sink, long decodedLength)
    {
        if (decodedLength is < 0 or > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(decodedLength), decodedLength, "a Snappy block holds at most 4 GiB");
        _sink = sink;
        _declared = decodedLength;
        Span<byte> prefix = stackalloc byte[5];
        Emit(prefix[..WriteVarint(prefix, (uint)decodedLength)]);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_taken + data.Length > _declared)
            throw new InvalidOperationException($"more than the {_declared} bytes this Snappy block was declared with");
        _taken += data.Length;
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, FragmentSize - _filled);
            data[..n].CopyTo(_fragment.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == FragmentSize) CompressFragment();
        }
    }

    /// <summary>Compresses what is left; the block must have received exactly its declared length.</summary>
    public void Finish()
    {
        if (_taken != _declared)
            throw new InvalidOperationException($"this Snappy block was declared with {_declared} bytes but given {_taken}");
        if (_filled > 0) CompressFragment();
    }

    private void CompressFragment()
    {
        var n = Snappy.Compress(_fragment.AsSpan(0, _filled), _compressed);
        // Each call starts with its own input's length as a varint; the block has one length, written first.
        Span<byte> prefix = stackalloc byte[5];
        var skip = WriteVarint(prefix, (uint)_filled);
        Emit(_compressed.AsSpan(skip, n - skip));
        _filled = 0;
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _sink?.Write(bytes);
        Written += bytes.Length;
    }

    /// <summary>An unsigned LEB128 varint (Snappy's length prefix, and Thrift's compact integers after zigzag); its length.</summary>
    internal static int WriteVarint(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }
}

namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// A Snappy-compressed page decoded as a stream. Parquet's SNAPPY codec is one raw Snappy block per page (google/snappy,
/// format_description.txt): a varint of the decoded length, then literals and back-references. Snappy libraries decode
/// a block from and into whole buffers (Snappier, which Parquet.Net uses, and its framed <c>SnappyStream</c> only reads
/// the framing format), so a 100 MB page would be held twice; this decoder keeps the last 64 KiB it produced and nothing
/// else. Snappy's compressors (the reference one, and Snappier, which ports it) compress in independent 64 KiB blocks, so
/// no back-reference reaches further; one that does is reported as unsupported rather than decoded.
/// </summary>
public sealed class SnappyPageBody(ChunkInput input) : PageBody
{
    private const int Window = 1 << 16;   // a power of two: positions wrap with the mask
    private const int WindowMask = Window - 1;
    private readonly byte[] _window = new byte[Window];
    private long _produced;       // decoded bytes so far (= Consumed, kept apart so Produce can advance inside a call)
    private int _literalLeft;     // bytes of the current literal not yet produced
    private int _copyLeft;        // bytes of the current back-reference not yet produced
    private int _copyOffset;

    /// <summary>Starts a page whose header gives <paramref name="length"/> decoded bytes; the input's limit is the page's end.</summary>
    public void Open(long length)
    {
        _produced = 0;
        _literalLeft = _copyLeft = _copyOffset = 0;
        var announced = ReadVarint32();
        if (announced != (ulong)length)
            throw new MalformedPageException($"its Snappy data announces {announced} decoded bytes, its header {length}");
        Start(length);
    }

    protected override void Produce(Span<byte> destination)
    {
        var written = 0;
        while (written < destination.Length)
        {
            if (_literalLeft == 0 && _copyLeft == 0) NextElement();
            if (_literalLeft > 0)
            {
                var n = Math.Min(_literalLeft, destination.Length - written);
                var part = destination.Slice(written, n);
                input.ReadExactly(part);
                Remember(part);
                _literalLeft -= n;
                written += n;
            }
            else
            {
                var n = Math.Min(_copyLeft, destination.Length - written);
                var part = destination.Slice(written, n);
                // Byte by byte: a back-reference may overlap what it writes (offset 1 repeats one byte), and is at most 64 long.
                for (var i = 0; i < n; i++)
                {
                    var b = _window[(int)((_produced - _copyOffset) & WindowMask)];
                    _window[(int)(_produced & WindowMask)] = b;
                    part[i] = b;
                    _produced++;
                }
                _copyLeft -= n;
                written += n;
            }
        }
    }

    public override void Finish()
    {
        if (_literalLeft != 0 || _copyLeft != 0 || _produced != Length)
            throw new MalformedPageException($"its Snappy data was read to byte {_produced} of its {Length}");
        if (input.Position != input.Limit)
            throw new MalformedPageException($"{input.Limit - input.Position} bytes of Snappy data are left after all {Length} decoded bytes (byte {input.Position})");
    }

    private void Remember(ReadOnlySpan<byte> bytes)
    {
        _produced += bytes.Length;
        if (bytes.Length > Window) bytes = bytes[^Window..];   // only the last 64 KiB can be referred to
        var at = (int)((_produced - bytes.Length) & WindowMask);
        var first = Math.Min(bytes.Length, Window - at);
        bytes[..first].CopyTo(_window.AsSpan(at));
        bytes[first..].CopyTo(_window);
    }

    /// <summary>Reads the next tag (format_description.txt, section 2): a literal or a copy, checked against what has been decoded.</summary>
    private void NextElement()
    {
        var at = input.Position;
        var tag = input.ReadByte();
        long length;
        long offset = 0;
        switch (tag & 3)
        {
            case 0:   // literal: length - 1 in the upper six bits, or in the 1-4 bytes that follow (values 60-63)
                length = tag >> 2;
                if (length >= 60)
                {
                    var bytes = (int)length - 59;
                    length = 0;
                    for (var i = 0; i < bytes; i++) length |= (long)input.ReadByte() << (8 * i);
                }
                length += 1;
                break;
            case 1:   // copy, 1-byte offset: length 4-11, an 11-bit offset
                length = 4 + ((tag >> 2) & 7);
                offset = ((tag >> 5) << 8) | input.ReadByte();
                break;
            case 2:   // copy, 2-byte offset: length 1-64
                length = 1 + (tag >> 2);
                offset = input.ReadByte() | (input.ReadByte() << 8);
                break;
            default:  // copy, 4-byte offset
                length = 1 + (tag >> 2);
                offset = input.ReadByte() | ((long)input.ReadByte() << 8) | ((long)input.ReadByte() << 16) | ((long)input.ReadByte() << 24);
                break;
        }
        if (_produced + length > Length)
            throw new MalformedPageException($"the Snappy element at byte {at} would decode past the {Length} bytes the page announces");
        if ((tag & 3) == 0)
        {
            _literalLeft = (int)length;
            return;
        }
        if (offset == 0 || offset > _produced)
            throw new MalformedPageException($"the Snappy copy at byte {at} refers {offset} bytes back, with {_produced} decoded");
        if (offset > Window)
            throw new MalformedPageException($"unsupported: the Snappy copy at byte {at} refers {offset} bytes back, beyond the 64 KiB that Snappy's compressors use and this reader keeps");
        _copyLeft = (int)length;
        _copyOffset = (int)offset;
    }

    private ulong ReadVarint32()
    {
        ulong value = 0;
        for (var i = 0; i < 5; i++)
        {
            var b = input.ReadByte();
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        throw new MalformedPageException("its Snappy length varint runs over 5 bytes");
    }
}

namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// Buffered reading of one region of a file, front to back, never past <see cref="Limit"/> (the end of the column chunk
/// or of the page being read). A read that would cross the limit, or that finds the file shorter than the limit, fails
/// with the offsets, so a damaged size can never make the reader run on into other data or wait for bytes that are not
/// there. Holds one 64 KiB buffer.
/// </summary>
public sealed class ChunkInput
{
    private const int BufferSize = 64 * 1024;
    private readonly Stream _file;
    private readonly byte[] _buffer = new byte[BufferSize];
    private long _bufferStart;   // file offset of _buffer[0]
    private int _at, _count;
    private string _limitName = "the column chunk";

    public ChunkInput(Stream file)
    {
        if (!file.CanRead || !file.CanSeek) throw new ArgumentException("the column reader needs a readable, seekable stream", nameof(file));
        _file = file;
    }

    /// <summary>File offset of the next byte to be read.</summary>
    public long Position => _bufferStart + _at;

    /// <summary>File offset reads stop at (exclusive).</summary>
    public long Limit { get; private set; }

    public long FileLength => _file.Length;

    /// <summary>Starts reading at <paramref name="position"/>, up to <paramref name="limit"/>, named in messages as <paramref name="limitName"/>.</summary>
    public void Open(long position, long limit, string limitName)
    {
        _file.Seek(position, SeekOrigin.Begin);
        _bufferStart = position;
        _at = _count = 0;
        SetLimit(limit, limitName);
    }

    /// <summary>Moves the limit (to a page's end inside the chunk, or back to the chunk's end).</summary>
    public void SetLimit(long limit, string limitName)
    {
        Limit = limit;
        _limitName = limitName;
    }

    public byte ReadByte()
    {
        if (_at == _count) Fill(1);
        return _buffer[_at++];
    }

    public void ReadExactly(Span<byte> destination)
    {
        if (destination.Length > Limit - Position) throw Past(destination.Length);
        while (destination.Length > 0)
        {
            if (_at == _count) Fill(destination.Length);
            var n = Math.Min(destination.Length, _count - _at);
            _buffer.AsSpan(_at, n).CopyTo(destination);
            _at += n;
            destination = destination[n..];
        }
    }

    /// <summary>Skips <paramref name="count"/> bytes (a Thrift field this reader does not need), checked against the limit.</summary>
    public void Skip(long count)
    {
        if (count > Limit - Position) throw Past(count);
        var inBuffer = Math.Min(count, _count - _at);
        _at += (int)inBuffer;
        count -= inBuffer;
        if (count == 0) return;
        var target = Position + count;
        if (target > _file.Length) throw FileEnds();
        _file.Seek(target, SeekOrigin.Begin);
        _bufferStart = target;
        _at = _count = 0;
    }

    private void Fill(long wanted)
    {
        if (Position >= Limit) throw Past(wanted);
        _bufferStart += _count;
        _at = _count = 0;
        var n = (int)Math.Min(BufferSize, Limit - _bufferStart);
        while (_count < n)
        {
            var read = _file.Read(_buffer, _count, n - _count);
            if (read == 0) break;
            _count += read;
        }
        if (_count == 0) throw FileEnds();
    }

    private MalformedPageException Past(long wanted) =>
        new($"{wanted} byte{(wanted == 1 ? "" : "s")} wanted at byte {Position}, past the end of {_limitName} at byte {Limit}");

    private MalformedPageException FileEnds() =>
        new($"the file ends at byte {_file.Length}, inside {_limitName}, which should end at byte {Limit} (the file is cut short)");
}

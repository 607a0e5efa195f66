namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// The bytes of one page as they were before compression, read front to back without ever holding the page: the
/// compressed bytes come from the file through a <see cref="ChunkInput"/> limited to the page, and only what a caller asks
/// for is produced.
/// </summary>
public abstract class PageBody
{
    /// <summary>The page's size before compression, as its header gives it.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes handed out so far.</summary>
    public long Consumed { get; private set; }

    public long Remaining => Length - Consumed;

    protected void Start(long length)
    {
        Length = length;
        Consumed = 0;
    }

    /// <summary>Fills <paramref name="destination"/>; <paramref name="what"/> names it in the message when the page is shorter.</summary>
    public void ReadExactly(Span<byte> destination, string what)
    {
        if (destination.Length > Remaining)
            throw new MalformedPageException($"{what} ({destination.Length} bytes at byte {Consumed} of the decompressed page) runs past the page's end at {Length}");
        Produce(destination);
        Consumed += destination.Length;
    }

    public byte ReadByte(string what)
    {
        Span<byte> one = stackalloc byte[1];
        ReadExactly(one, what);
        return one[0];
    }

    public int ReadInt32LittleEndian(string what)
    {
        Span<byte> four = stackalloc byte[4];
        ReadExactly(four, what);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(four);
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes.</summary>
    public void Skip(long count, string what)
    {
        Span<byte> scratch = stackalloc byte[256];
        while (count > 0)
        {
            var n = (int)Math.Min(count, scratch.Length);
            ReadExactly(scratch[..n], what);
            count -= n;
        }
    }

    /// <summary>Checks that the compressed bytes ended exactly where the page's header said, once every byte is consumed.</summary>
    public abstract void Finish();

    /// <summary>Produces exactly <c>destination.Length</c> bytes (never more than <see cref="Remaining"/>).</summary>
    protected abstract void Produce(Span<byte> destination);
}

/// <summary>A page stored without compression: its bytes are the file's.</summary>
public sealed class UncompressedPageBody(ChunkInput input) : PageBody
{
    public void Open(long length) => Start(length);

    protected override void Produce(Span<byte> destination) => input.ReadExactly(destination);

    public override void Finish() { }   // the page's length is its compressed length, read to the end
}

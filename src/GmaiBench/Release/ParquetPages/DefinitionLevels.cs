namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// The definition levels of a version 1 data page: a 4-byte little-endian length, then that many bytes of the RLE /
/// bit-packed hybrid encoding (parquet-format, Encodings.md, "Run Length Encoding / Bit-Packing Hybrid"), read from the
/// page as a stream into one byte per value.
/// </summary>
public static class DefinitionLevels
{
    /// <summary>Bits per level for a column whose highest definition level is <paramref name="maxLevel"/>.</summary>
    public static int BitWidth(int maxLevel) => 32 - int.LeadingZeroCount(maxLevel);

    /// <summary>Fills <paramref name="levels"/> (one per value of the page), each checked to be at most <paramref name="maxLevel"/>.</summary>
    public static void Read(PageBody body, int maxLevel, Span<byte> levels)
    {
        if (maxLevel is < 1 or > byte.MaxValue) throw new ArgumentOutOfRangeException(nameof(maxLevel), maxLevel, "levels are read as bytes");
        var declared = body.ReadInt32LittleEndian("the definition levels' length");
        if (declared < 0 || declared > body.Remaining)
            throw new MalformedPageException($"its definition levels claim {declared} bytes, with {body.Remaining} left in the page");
        var left = (long)declared;
        var width = BitWidth(maxLevel);
        var valueBytes = (width + 7) / 8;
        var filled = 0;
        while (filled < levels.Length)
        {
            if (left == 0)
                throw new MalformedPageException($"its definition levels end after {filled} of its {levels.Length} values");
            var header = ReadVarint(body, ref left);
            if ((header & 1) == 0)
            {
                // A run: (header >> 1) repeats of one value stored in whole bytes.
                var count = header >> 1;
                var value = 0;
                for (var i = 0; i < valueBytes; i++) value |= Take(body, ref left) << (8 * i);
                if (value > maxLevel) throw AboveMax(value, filled, maxLevel);
                var n = (int)Math.Min(count, (ulong)(levels.Length - filled));
                levels.Slice(filled, n).Fill((byte)value);
                filled += n;
            }
            else
            {
                // Bit-packed: (header >> 1) groups of 8 values, each group in `width` bytes, least significant bit first.
                var groups = header >> 1;
                for (ulong g = 0; g < groups && filled < levels.Length; g++)
                {
                    ulong bits = 0;
                    for (var i = 0; i < width; i++) bits |= (ulong)Take(body, ref left) << (8 * i);
                    for (var k = 0; k < 8 && filled < levels.Length; k++)
                    {
                        var value = (int)((bits >> (k * width)) & ((1UL << width) - 1));
                        if (value > maxLevel) throw AboveMax(value, filled, maxLevel);
                        levels[filled++] = (byte)value;
                    }
                }
            }
        }
        // A writer may pad the last bit-packed run; the values start after the declared length either way.
        body.Skip(left, "the definition levels");
    }

    private static int Take(PageBody body, ref long left)
    {
        if (left == 0) throw new MalformedPageException("a run of its definition levels is cut off by their declared length");
        left--;
        return body.ReadByte("the definition levels");
    }

    private static ulong ReadVarint(PageBody body, ref long left)
    {
        ulong value = 0;
        for (var i = 0; i < 5; i++)
        {
            var b = Take(body, ref left);
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        throw new MalformedPageException("a run header of its definition levels runs over 5 bytes");
    }

    private static MalformedPageException AboveMax(int value, int at, int maxLevel) =>
        new($"definition level {value} at value {at} is above the column's highest, {maxLevel}");
}

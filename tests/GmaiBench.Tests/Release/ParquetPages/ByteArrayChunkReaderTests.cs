using GmaiBench.Release.ParquetPages;
using static GmaiBench.Tests.Release.ParquetPages.HandBuiltChunk;

namespace GmaiBench.Tests.Release.ParquetPages;

/// <summary>
/// The page walk on chunks built byte by byte: what it must read (several pages, bit-packed levels, nulls, empty values,
/// headers with fields it does not use) and what it must refuse with a message saying what and where.
/// </summary>
public class ByteArrayChunkReaderTests
{
    private static readonly byte[] A = "first"u8.ToArray(), B = [], C = [.. Enumerable.Range(0, 300).Select(i => (byte)i)], D = "last"u8.ToArray();

    private static MalformedPageException Refused(byte[] chunk, long numValues, bool snappy = false, int maxDefinitionLevel = 2)
    {
        var (file, location) = File(chunk, numValues, snappy, maxDefinitionLevel);
        return Assert.Throws<MalformedPageException>(() => ReadAll(file, location));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_values_and_nulls_across_pages_with_run_and_bit_packed_levels(bool snappy)
    {
        // Page 1: A, null, B (empty, not null) with levels as runs; page 2: null, C, null, D, null with bit-packed levels
        // (a level-1 null: the struct is there, its bytes field is not; level 0: no struct).
        var page1 = Page([.. RleLevels((1, 2), (1, 1), (1, 2)), .. Plain(A, B)], 3, snappy);
        var page2 = Page([.. BitPackedLevels(2, 1, 2, 0, 2, 1), .. Plain(C, D)], 5, snappy);
        var (file, chunk) = File([.. page1, .. page2], 8, snappy);
        Assert.Equal([A, null, B, null, C, null, D, null], ReadAll(file, chunk));
    }

    [Fact]
    public void A_required_column_has_no_levels_and_a_page_without_values_is_read_past()
    {
        var empty = Page([], 0, snappy: false);
        var values = Page(Plain(A, C), 2, snappy: false);
        var (file, chunk) = File([.. empty, .. values, .. empty], 2, snappy: false, maxDefinitionLevel: 0);
        Assert.Equal([A, C], ReadAll(file, chunk));
    }

    [Fact]
    public void Header_fields_the_reader_does_not_use_are_skipped_whatever_they_hold()
    {
        // A crc (field 4), min/max statistics as large binaries and an unknown list field (9), as other writers may add.
        var body = (byte[])[.. RleLevels((2, 2)), .. Plain(A, D)];
        var header = new Thrift().I32(1, 0).I32(2, body.Length).I32(3, body.Length).I32(4, 12345)
            .Begin(5).I32(1, 2).I32(2, 0).I32(3, 3).I32(4, 3)
            .Begin(5).Binary(1, new byte[100_000]).Binary(2, new byte[70_000]).I32(3, 0).End().End()
            .ListOfI32(9, Enumerable.Range(0, 40).ToArray()).End().ToArray();
        var (file, chunk) = File([.. header, .. body], 2, snappy: false);
        Assert.Equal([A, D], ReadAll(file, chunk));
    }

    [Theory]
    [InlineData(2, "unsupported: the page at byte 4 is a DICTIONARY_PAGE")]
    [InlineData(3, "unsupported: the page at byte 4 is a DATA_PAGE_V2")]
    [InlineData(9, "the page at byte 4 has an unknown page type 9")]
    public void Other_page_kinds_are_refused_by_name(int pageType, string message)
    {
        var body = (byte[])[.. RleLevels((1, 2)), .. Plain(A)];
        Assert.StartsWith(message, Refused(Page(body, 1, snappy: false, pageType: pageType), 1).Message);
    }

    [Fact]
    public void Other_encodings_are_refused_by_name()
    {
        var body = (byte[])[.. RleLevels((1, 2)), .. Plain(A)];
        Assert.Equal("unsupported: the page at byte 4 encodes its values as DELTA_LENGTH_BYTE_ARRAY; this reader reads PLAIN",
            Refused(Page(body, 1, snappy: false, encoding: 6), 1).Message);
        Assert.Equal("unsupported: the page at byte 4 encodes its definition levels as BIT_PACKED; this reader reads RLE",
            Refused(Page(body, 1, snappy: false, levelEncoding: 4), 1).Message);
    }

    [Fact]
    public void Other_codecs_types_and_repeated_columns_are_refused_before_any_read()
    {
        var (file, chunk) = File(Page(Plain(A), 1, snappy: false), 1, snappy: false, maxDefinitionLevel: 0);
        var reader = new ByteArrayChunkReader(file);
        Assert.Equal("unsupported: the chunk is compressed with ZSTD; this reader reads SNAPPY (what BenchmarkParquet writes) and UNCOMPRESSED",
            Assert.Throws<MalformedPageException>(() => reader.Open(chunk with { Codec = 6 })).Message);
        Assert.Contains("unknown codec 42", Assert.Throws<MalformedPageException>(() => reader.Open(chunk with { Codec = 42 })).Message);
        Assert.Equal("unsupported: the chunk holds INT64 values; this reader reads BYTE_ARRAY",
            Assert.Throws<MalformedPageException>(() => reader.Open(chunk with { PhysicalType = 2 })).Message);
        Assert.StartsWith("unsupported: a repeated column", Assert.Throws<MalformedPageException>(() => reader.Open(chunk with { MaxRepetitionLevel = 1 })).Message);
    }

    [Fact]
    public void A_damaged_page_header_is_named_with_its_offset_and_what_is_wrong()
    {
        var good = Page([.. RleLevels((1, 2)), .. Plain(A)], 1, snappy: false);

        // The first field header's type nibble made 13, which the compact protocol does not have.
        var badType = good.ToArray();
        badType[0] = 0x1D;
        Assert.Equal("the page header at byte 4 cannot be read: field 1 has unknown type 13", Refused(badType, 1).Message);

        // The compressed size (field 3) missing: the struct ends early.
        var body = (byte[])[.. RleLevels((1, 2)), .. Plain(A)];
        var noSize = new Thrift().I32(1, 0).I32(2, body.Length).Begin(5).I32(1, 1).I32(2, 0).I32(3, 3).I32(4, 3).End().End().ToArray();
        Assert.Equal("the page header at byte 4 cannot be read: it lacks the compressed size", Refused([.. noSize, .. body], 1).Message);

        // A size given as a string.
        var mistyped = new Thrift().I32(1, 0).Binary(2, "12"u8.ToArray()).End().ToArray();
        Assert.Equal("the page header at byte 4 cannot be read: the uncompressed page size (field 2) is a Thrift binary, not an i32",
            Refused([.. mistyped, .. body], 1).Message);

        // A varint that never ends.
        Assert.Equal("the page header at byte 4 cannot be read: the varint of the page type (field 1) runs over 5 bytes",
            Refused([0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 1).Message);

        // Structs nested without end, in a field the reader skips (6, an index page header).
        var deep = Enumerable.Repeat((byte)0x1C, 40).ToArray();   // field 1, type struct, again and again
        Assert.Equal("the page header at byte 4 cannot be read: Thrift values nested more than 16 deep", Refused([0x15, 0x00, 0x5C, .. deep], 1).Message);
    }

    [Fact]
    public void A_header_cut_off_by_the_chunks_end_and_a_page_larger_than_the_chunk_are_named()
    {
        var body = (byte[])[.. RleLevels((1, 2)), .. Plain(A)];
        var good = Page(body, 1, snappy: false);
        Assert.Equal("the page header at byte 4 cannot be read: 1 byte wanted at byte 14, past the end of the column chunk at byte 14",
            Refused(good[..10], 1).Message);
        Assert.Equal($"the page at byte 4 claims {body.Length} bytes, past the chunk's end at byte {4 + good.Length - 1}",
            Refused(good[..^1], 1).Message);
    }

    [Fact]
    public void A_file_cut_short_is_named_before_anything_is_read()
    {
        var good = Page([.. RleLevels((1, 2)), .. Plain(A)], 1, snappy: true);
        var (file, chunk) = File(good, 1, snappy: true);
        var cut = new MemoryStream(file.ToArray()[..^5]);
        var e = Assert.Throws<MalformedPageException>(() => ReadAll(cut, chunk));
        Assert.Equal($"the chunk (bytes 4-{4 + good.Length}) runs past the end of the file ({4 + good.Length - 5} bytes): the file is cut short or its footer is damaged", e.Message);
    }

    [Fact]
    public void Values_and_levels_that_do_not_fit_their_page_are_named()
    {
        // A value's length larger than what is left of the page.
        var body = (byte[])[.. RleLevels((1, 2)), .. Plain(A)];
        body[^(A.Length + 4)] = 200;
        Assert.Equal("value 0 of the chunk claims 200 bytes, with 5 left in the page at byte 4", Refused(Page(body, 1, snappy: false), 1).Message);

        // Bytes left in the page after its values.
        Assert.Equal("the page at byte 4 has 3 bytes left after its 1 values",
            Refused(Page([.. RleLevels((1, 2)), .. Plain(A), 1, 2, 3], 1, snappy: false), 1).Message);

        // Fewer levels than values, and a level above the column's highest.
        Assert.Equal("the page at byte 4: its definition levels end after 1 of its 2 values",
            Refused(Page([.. RleLevels((1, 2)), .. Plain(A)], 2, snappy: false), 2).Message);
        Assert.Equal("the page at byte 4: definition level 3 at value 0 is above the column's highest, 2",
            Refused(Page([.. RleLevels((1, 3)), .. Plain(A)], 1, snappy: false), 1).Message);
    }

    [Fact]
    public void Pages_that_hold_fewer_or_more_values_than_the_chunk_are_named()
    {
        var page = Page([.. RleLevels((1, 2)), .. Plain(A)], 1, snappy: true);
        Assert.Equal($"the chunk ends at byte {4 + page.Length} after 1 of its 2 values", Refused(page, 2, snappy: true).Message);
        Assert.Equal($"the page at byte {4 + page.Length} holds 1 values, more than the 0 left of the chunk's 1",
            Refused([.. page, .. page], 1, snappy: true).Message);
    }

    [Fact]
    public void Damaged_snappy_data_is_named()
    {
        var body = (byte[])[.. RleLevels((1, 2)), .. Plain(C)];
        var page = Page(body, 1, snappy: true);
        var headerLength = page.Length - Snappier.Snappy.CompressToArray(body).Length;

        // The Snappy length preamble (the first byte after the header) disagreeing with the header.
        var preamble = page.ToArray();
        preamble[headerLength] ^= 0x01;
        Assert.Equal($"the page at byte 4: its Snappy data announces {body.Length ^ 1} decoded bytes, its header {body.Length}",
            Refused(preamble, 1, snappy: true).Message);

        // Snappy data cut off inside a literal: the page's compressed size says fewer bytes than the literal needs.
        var header = DataPageHeader(body.Length, 20, 1);
        var compressed = Snappier.Snappy.CompressToArray(body);
        var cut = (byte[])[.. header, .. compressed[..20]];
        Assert.Contains($"past the end of the page at byte 4", Refused(cut, 1, snappy: true).Message);
    }

    [Fact]
    public void Snappy_back_references_are_checked_against_what_was_decoded_and_the_64_KiB_window()
    {
        // Hand-written Snappy (format_description.txt): a 1-byte literal "x" then a copy of 64 at offset 1 (overlapping).
        byte[] Snappy(int length, params byte[] elements) => [.. Varint(length), .. elements];
        var run = Snappy(65, 0x00, (byte)'x', 0xFE, 0x01, 0x00);   // copy-2: length 64 ((0xFE >> 2) + 1), offset 1
        Assert.Equal(Enumerable.Repeat((byte)'x', 65), Decode(run, 65));

        // A copy reaching before the first byte.
        var before = Snappy(10, 0x00, (byte)'x', 0x16, 0x05, 0x00);   // copy-2 of 6 at offset 5, with 1 byte decoded
        Assert.Equal("the Snappy copy at byte 3 refers 5 bytes back, with 1 decoded",
            Assert.Throws<MalformedPageException>(() => Decode(before, 10)).Message);

        // A copy 70,000 bytes back, after a 70,000-byte literal (tag 62 << 2: its length - 1 in 3 bytes): valid Snappy, but no compressor that works in 64 KiB blocks makes it.
        var literal = new byte[70_000];
        new Random(5).NextBytes(literal);
        var far = Snappy(70_004, [0xF8, .. BitConverter.GetBytes(69_999)[..3], .. literal, 0x0F, .. BitConverter.GetBytes(70_000)]);
        Assert.StartsWith($"unsupported: the Snappy copy at byte {3 + 4 + 70_000} refers 70000 bytes back, beyond the 64 KiB",
            Assert.Throws<MalformedPageException>(() => Decode(far, 70_004)).Message);
    }

    /// <summary>Decodes a whole Snappy block through <see cref="SnappyPageBody"/>, reading in uneven pieces.</summary>
    private static byte[] Decode(byte[] compressed, int length)
    {
        var input = new ChunkInput(new MemoryStream(compressed, writable: false));
        input.Open(0, compressed.Length, "the page");
        var body = new SnappyPageBody(input);
        body.Open(length);
        var output = new byte[length];
        for (var at = 0; at < length;)
        {
            var n = Math.Min(length - at, 1 + at % 7 * 1000);
            body.ReadExactly(output.AsSpan(at, n), "a test read");
            at += n;
        }
        body.Finish();
        return output;
    }

    private static byte[] Varint(int v)
    {
        var bytes = new List<byte>();
        while (v >= 0x80) { bytes.Add((byte)(v | 0x80)); v >>= 7; }
        bytes.Add((byte)v);
        return [.. bytes];
    }

    [Fact]
    public void Snappy_decoding_in_pieces_equals_snappier_on_literals_copies_and_runs()
    {
        // Random bytes (long literals), text-like repeats (copies at short and long offsets), runs (overlapping copies),
        // more than one 64 KiB compression block.
        var rng = new Random(11);
        var data = new List<byte>();
        var words = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, rng.Next(3, 12)).Select(_ => (byte)rng.Next(97, 123)).ToArray()).ToArray();
        while (data.Count < 400_000)
        {
            switch (rng.Next(3))
            {
                case 0: data.AddRange(Enumerable.Range(0, rng.Next(1, 5000)).Select(_ => (byte)rng.Next(256))); break;
                case 1: for (var i = rng.Next(1, 300); i > 0; i--) data.AddRange(words[rng.Next(words.Length)]); break;
                default: data.AddRange(Enumerable.Repeat((byte)rng.Next(256), rng.Next(1, 3000))); break;
            }
        }
        var bytes = data.ToArray();
        var compressed = Snappier.Snappy.CompressToArray(bytes);
        Assert.True(compressed.Length < bytes.Length * 0.8, $"{compressed.Length} of {bytes.Length}: the data should exercise copies");
        Assert.Equal(bytes, Decode(compressed, bytes.Length));
    }
}

namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// A Parquet page header (parquet-format, parquet.thrift: <c>PageHeader</c>, <c>DataPageHeader</c>), with the fields a
/// reader of plain data pages needs. Enumerations stay numbers here; <see cref="ParquetNames"/> spells them.
/// </summary>
public sealed record PageHeader(int Type, int UncompressedSize, int CompressedSize, DataPageHeader? DataPage)
{
    // parquet.thrift: enum PageType.
    public const int DataPageType = 0, IndexPageType = 1, DictionaryPageType = 2, DataPageV2Type = 3;

    /// <summary>Reads the header at the input's position; fails naming the field that is missing, mistyped or out of range.</summary>
    public static PageHeader Read(ChunkInput input)
    {
        var thrift = new ThriftCompactReader(input);
        int? type = null, uncompressed = null, compressed = null;
        DataPageHeader? dataPage = null;
        short last = 0;
        while (thrift.ReadFieldHeader(ref last) is var (id, fieldType) && fieldType != ThriftCompactReader.Stop)
        {
            switch (id)
            {
                case 1: type = thrift.ReadI32(fieldType, "the page type (field 1)"); break;
                case 2: uncompressed = thrift.ReadI32(fieldType, "the uncompressed page size (field 2)"); break;
                case 3: compressed = thrift.ReadI32(fieldType, "the compressed page size (field 3)"); break;
                case 5 when fieldType == ThriftCompactReader.Struct: dataPage = DataPageHeader.Read(thrift); break;
                case 5: throw new MalformedPageException($"the data page header (field 5) is a Thrift {ThriftCompactReader.TypeName(fieldType)}, not a struct");
                default: thrift.Skip(fieldType); break;   // crc, and the headers of other page types: their type decides
            }
        }
        if (type is null || uncompressed is null || compressed is null)
            throw new MalformedPageException("it lacks " + string.Join(" and ",
                new[] { (type, "the page type"), (uncompressed, "the uncompressed size"), (compressed, "the compressed size") }
                    .Where(f => f.Item1 is null).Select(f => f.Item2)));
        if (uncompressed < 0 || compressed < 0)
            throw new MalformedPageException($"it gives a negative size ({uncompressed} uncompressed, {compressed} compressed)");
        if (type == DataPageType && dataPage is null) throw new MalformedPageException("a data page without its data page header (field 5)");
        return new PageHeader(type.Value, uncompressed.Value, compressed.Value, dataPage);
    }
}

/// <summary>parquet.thrift <c>DataPageHeader</c>: the values in the page and how values and levels are encoded.</summary>
public sealed record DataPageHeader(int NumValues, int Encoding, int DefinitionLevelEncoding, int RepetitionLevelEncoding)
{
    internal static DataPageHeader Read(ThriftCompactReader thrift)
    {
        int? values = null, encoding = null, definition = null, repetition = null;
        short last = 0;
        while (thrift.ReadFieldHeader(ref last) is var (id, fieldType) && fieldType != ThriftCompactReader.Stop)
        {
            switch (id)
            {
                case 1: values = thrift.ReadI32(fieldType, "the data page's value count (field 1)"); break;
                case 2: encoding = thrift.ReadI32(fieldType, "the data page's encoding (field 2)"); break;
                case 3: definition = thrift.ReadI32(fieldType, "the definition level encoding (field 3)"); break;
                case 4: repetition = thrift.ReadI32(fieldType, "the repetition level encoding (field 4)"); break;
                default: thrift.Skip(fieldType, 1); break;   // statistics
            }
        }
        if (values is null || encoding is null || definition is null || repetition is null)
            throw new MalformedPageException("its data page header lacks " + string.Join(" and ",
                new[] { (values, "the value count"), (encoding, "the encoding"), (definition, "the definition level encoding"), (repetition, "the repetition level encoding") }
                    .Where(f => f.Item1 is null).Select(f => f.Item2)));
        if (values < 0) throw new MalformedPageException($"its data page header counts {values} values");
        return new DataPageHeader(values.Value, encoding.Value, definition.Value, repetition.Value);
    }
}

/// <summary>The names parquet.thrift gives the numbers of its enumerations, for messages.</summary>
public static class ParquetNames
{
    // parquet.thrift: enum CompressionCodec.
    public const int Uncompressed = 0, Snappy = 1;
    // parquet.thrift: enum Encoding.
    public const int Plain = 0, Rle = 3;
    // parquet.thrift: enum Type.
    public const int ByteArray = 6;

    private static readonly string[] PageTypes = ["DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"];
    private static readonly string[] Encodings =
        ["PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"];
    private static readonly string[] Codecs = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"];
    private static readonly string[] Types = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"];

    public static string PageType(int value) => Name(PageTypes, value, "page type");
    public static string Encoding(int value) => Name(Encodings, value, "encoding");
    public static string Codec(int value) => Name(Codecs, value, "codec");
    public static string Type(int value) => Name(Types, value, "type");

    private static string Name(string[] names, int value, string what) =>
        value >= 0 && value < names.Length ? names[value] : $"unknown {what} {value}";
}

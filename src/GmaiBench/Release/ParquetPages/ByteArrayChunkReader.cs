namespace GmaiBench.Release.ParquetPages;

/// <summary>Where a column chunk lies in its file and what its footer says of it (parquet.thrift <c>ColumnMetaData</c>).</summary>
/// <param name="Start">File offset of the chunk's first page (its dictionary page when it has one).</param>
/// <param name="Length">The chunk's bytes, page headers included (<c>total_compressed_size</c>).</param>
/// <param name="NumValues">Values in the chunk, nulls included.</param>
/// <param name="Codec">parquet.thrift <c>CompressionCodec</c>.</param>
/// <param name="PhysicalType">parquet.thrift <c>Type</c>.</param>
/// <param name="MaxDefinitionLevel">From the schema: the number of optional fields on the column's path.</param>
/// <param name="MaxRepetitionLevel">From the schema: the number of repeated fields on the column's path.</param>
public sealed record ColumnChunkLocation(long Start, long Length, long NumValues, int Codec, int PhysicalType, int MaxDefinitionLevel, int MaxRepetitionLevel)
{
    /// <summary>The location of <paramref name="field"/>'s chunk from the footer as Parquet.Net parsed it.</summary>
    public static ColumnChunkLocation Of(Parquet.Meta.ColumnChunk? chunk, Parquet.Schema.DataField field)
    {
        var meta = chunk?.MetaData ?? throw new MalformedPageException("the footer has no metadata for the column");
        if (chunk.FilePath is not null) throw new MalformedPageException($"unsupported: the column's values are in another file ({chunk.FilePath})");
        // The chunk starts at its dictionary page when it has one (which the reader then refuses by name).
        var start = meta.DictionaryPageOffset is > 0 and var d && d < meta.DataPageOffset ? d : meta.DataPageOffset;
        return new ColumnChunkLocation(start, meta.TotalCompressedSize, meta.NumValues, (int)meta.Codec, (int)meta.Type,
            field.MaxDefinitionLevel, field.MaxRepetitionLevel);
    }
}

/// <summary>
/// Reads a BYTE_ARRAY column chunk one value at a time, as <see cref="BenchmarkParquet"/> writes it through Parquet.Net:
/// version 1 data pages (Parquet.Net writes one per chunk), SNAPPY or no compression, RLE definition levels, PLAIN values
/// (a 4-byte little-endian length, then the bytes). The page is decompressed as a stream and each value is read into one
/// reused buffer, so reading a 100 MB row group of images holds one image and a few fixed 64 KiB buffers, where a
/// whole-chunk reader holds the chunk two or three times over. Anything else (another codec, encoding or page kind, a
/// repeated column) is reported as unsupported; damage as what is wrong and at which byte; both as
/// <see cref="MalformedPageException"/>.
/// </summary>
public sealed class ByteArrayChunkReader(Stream file)
{
    private readonly ChunkInput _input = new(file);
    private UncompressedPageBody? _plain;
    private SnappyPageBody? _snappy;
    private ColumnChunkLocation _chunk = new(0, 0, 0, 0, 0, 0, 0);
    private long _chunkEnd;
    private long _valuesRead;
    private PageBody? _page;          // the data page being read, null between pages
    private long _pageStart;
    private byte[] _levels = [];
    private int _pageValues, _pageAt;
    private byte[] _value = [];
    private int _valueLength;

    /// <summary>Whether the current value is null (its definition level is below the column's highest).</summary>
    public bool IsNull { get; private set; }

    /// <summary>The current value's bytes; valid until the next call to <see cref="Next"/> or <see cref="Open"/>.</summary>
    public ReadOnlySpan<byte> Value => _value.AsSpan(0, _valueLength);

    /// <summary>Starts reading <paramref name="chunk"/>; fails at once when the chunk is not one this reader reads.</summary>
    public void Open(ColumnChunkLocation chunk)
    {
        if (chunk.Codec is not (ParquetNames.Snappy or ParquetNames.Uncompressed))
            throw new MalformedPageException($"unsupported: the chunk is compressed with {ParquetNames.Codec(chunk.Codec)}; this reader reads SNAPPY (what BenchmarkParquet writes) and UNCOMPRESSED");
        if (chunk.PhysicalType != ParquetNames.ByteArray)
            throw new MalformedPageException($"unsupported: the chunk holds {ParquetNames.Type(chunk.PhysicalType)} values; this reader reads BYTE_ARRAY");
        if (chunk.MaxRepetitionLevel != 0)
            throw new MalformedPageException("unsupported: a repeated column; this reader reads columns without repetition levels");
        if (chunk.MaxDefinitionLevel is < 0 or > byte.MaxValue)
            throw new MalformedPageException($"unsupported: a column {chunk.MaxDefinitionLevel} optional fields deep");
        if (chunk.NumValues < 0 || chunk.Length < 0 || chunk.Start < 4 || chunk.Start > _input.FileLength - chunk.Length)
            throw new MalformedPageException(chunk.NumValues >= 0 && chunk.Length >= 0 && chunk.Start >= 4
                ? $"the chunk (bytes {chunk.Start}-{chunk.Start + chunk.Length}) runs past the end of the file ({_input.FileLength} bytes): the file is cut short or its footer is damaged"
                : $"the footer places the chunk at byte {chunk.Start}, {chunk.Length} bytes long with {chunk.NumValues} values");
        _chunk = chunk;
        _chunkEnd = chunk.Start + chunk.Length;
        _input.Open(chunk.Start, _chunkEnd, "the column chunk");
        _valuesRead = 0;
        _page = null;
        _valueLength = 0;
        IsNull = false;
    }

    /// <summary>
    /// Moves to the chunk's next value: true with <see cref="Value"/> or <see cref="IsNull"/> set, false after the last one,
    /// once the rest of the chunk has been checked to hold nothing more.
    /// </summary>
    public bool Next()
    {
        _valueLength = 0;
        IsNull = false;
        while (_page is null || _pageAt == _pageValues)
        {
            if (_page is not null) EndPage();
            if (_valuesRead == _chunk.NumValues)
            {
                EndChunk();
                return false;
            }
            if (_input.Position >= _chunkEnd)
                throw new MalformedPageException($"the chunk ends at byte {_chunkEnd} after {_valuesRead} of its {_chunk.NumValues} values");
            StartPage();
        }
        _pageAt++;
        _valuesRead++;
        if (_chunk.MaxDefinitionLevel > 0 && _levels[_pageAt - 1] < _chunk.MaxDefinitionLevel)
        {
            IsNull = true;
            return true;
        }
        var length = _page.ReadInt32LittleEndian("a value's length");
        if (length < 0 || length > _page.Remaining)
            throw new MalformedPageException($"value {_valuesRead - 1} of the chunk claims {length} bytes, with {_page.Remaining} left in the page at byte {_pageStart}");
        ReadValue(length);
        return true;
    }

    /// <summary>
    /// Reads a value into the reused buffer, growing it as the bytes arrive (doubling from 1 MiB), so a damaged length costs
    /// at most twice the bytes the page really has.
    /// </summary>
    private void ReadValue(int length)
    {
        var have = 0;
        while (have < length)
        {
            if (have == _value.Length)
            {
                var grown = new byte[(int)Math.Min(length, Math.Max(1L << 20, 2L * _value.Length))];
                _value.AsSpan(0, have).CopyTo(grown);
                _value = grown;
            }
            var n = Math.Min(length - have, _value.Length - have);
            _page!.ReadExactly(_value.AsSpan(have, n), $"value {_valuesRead - 1} of the chunk");
            have += n;
            _valueLength = have;
        }
    }

    private void StartPage()
    {
        _pageStart = _input.Position;
        PageHeader header;
        try { header = PageHeader.Read(_input); }
        catch (MalformedPageException e)
        {
            throw new MalformedPageException($"the page header at byte {_pageStart} cannot be read: {e.Message}");
        }
        var bodyStart = _input.Position;
        if (header.CompressedSize > _chunkEnd - bodyStart)
            throw new MalformedPageException($"the page at byte {_pageStart} claims {header.CompressedSize} bytes, past the chunk's end at byte {_chunkEnd}");
        if (header.Type != PageHeader.DataPageType)
            throw new MalformedPageException(header.Type is PageHeader.DictionaryPageType or PageHeader.DataPageV2Type or PageHeader.IndexPageType
                ? $"unsupported: the page at byte {_pageStart} is a {ParquetNames.PageType(header.Type)}; this reader reads plain DATA_PAGE pages, which BenchmarkParquet writes"
                : $"the page at byte {_pageStart} has an {ParquetNames.PageType(header.Type)}");
        var data = header.DataPage!;
        if (data.Encoding != ParquetNames.Plain)
            throw new MalformedPageException($"unsupported: the page at byte {_pageStart} encodes its values as {ParquetNames.Encoding(data.Encoding)}; this reader reads PLAIN");
        if (_chunk.MaxDefinitionLevel > 0 && data.DefinitionLevelEncoding != ParquetNames.Rle)
            throw new MalformedPageException($"unsupported: the page at byte {_pageStart} encodes its definition levels as {ParquetNames.Encoding(data.DefinitionLevelEncoding)}; this reader reads RLE");
        if (data.NumValues > _chunk.NumValues - _valuesRead)
            throw new MalformedPageException($"the page at byte {_pageStart} holds {data.NumValues} values, more than the {_chunk.NumValues - _valuesRead} left of the chunk's {_chunk.NumValues}");

        _input.SetLimit(bodyStart + header.CompressedSize, $"the page at byte {_pageStart}");
        try { _page = OpenBody(header); }
        catch (MalformedPageException e) { throw new MalformedPageException($"the page at byte {_pageStart}: {e.Message}"); }
        _pageValues = data.NumValues;
        _pageAt = 0;
        if (_chunk.MaxDefinitionLevel > 0 && (_pageValues > 0 || _page.Length > 0))
        {
            if (_levels.Length < _pageValues) _levels = new byte[_pageValues];
            try { DefinitionLevels.Read(_page, _chunk.MaxDefinitionLevel, _levels.AsSpan(0, _pageValues)); }
            catch (MalformedPageException e) { throw new MalformedPageException($"the page at byte {_pageStart}: {e.Message}"); }
        }
    }

    private PageBody OpenBody(PageHeader header)
    {
        if (_chunk.Codec == ParquetNames.Snappy)
        {
            _snappy ??= new SnappyPageBody(_input);
            _snappy.Open(header.UncompressedSize);
            return _snappy;
        }
        if (header.UncompressedSize != header.CompressedSize)
            throw new MalformedPageException($"it is uncompressed but gives {header.CompressedSize} compressed and {header.UncompressedSize} uncompressed bytes");
        _plain ??= new UncompressedPageBody(_input);
        _plain.Open(header.UncompressedSize);
        return _plain;
    }

    private void EndPage()
    {
        var page = _page!;
        _page = null;
        if (page.Remaining != 0)
            throw new MalformedPageException($"the page at byte {_pageStart} has {page.Remaining} bytes left after its {_pageValues} values");
        try { page.Finish(); }
        catch (MalformedPageException e) { throw new MalformedPageException($"the page at byte {_pageStart}: {e.Message}"); }
        _input.SetLimit(_chunkEnd, "the column chunk");
    }

    /// <summary>After the last value: whatever is left of the chunk may only be pages without values.</summary>
    private void EndChunk()
    {
        while (_input.Position < _chunkEnd)
        {
            StartPage();
            if (_pageValues != 0)
                throw new MalformedPageException($"the page at byte {_pageStart} holds {_pageValues} values after the chunk's last");
            EndPage();
        }
    }
}

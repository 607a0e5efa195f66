using GmaiBench.Model;
using GmaiBench.Release;
using GmaiBench.Release.ParquetPages;
using Parquet;
using Parquet.Data;
using Parquet.Schema;
using static GmaiBench.Tests.Release.ImageRows;

namespace GmaiBench.Tests.Release.ParquetPages;

/// <summary>
/// The page reader against Parquet.Net on files Parquet.Net writes: <see cref="BenchmarkParquet"/>'s own (several row
/// groups, empty and compressible values), nulls and an empty row group in the same schema, no compression, another codec,
/// damage anywhere in the image chunks; and what reading a chunk costs in memory.
/// </summary>
public class WrittenFilesTests
{
    private static readonly DataField ImageBytes = BenchmarkParquet.Schema.GetDataFields().Single(f => f.Name == "bytes");

    /// <summary>Values of every kind Snappy treats differently: empty, tiny, random (literals), repeats (copies), runs (overlapping copies), PNGs.</summary>
    private static Dictionary<string, byte[]> Images(int count, int scale)
    {
        var rng = new Random(23);
        byte[] Make(int i) => (i % 5) switch
        {
            0 => i == 0 ? [] : [(byte)i],
            1 => Enumerable.Range(0, scale * (1 + i % 3)).Select(_ => (byte)rng.Next(256)).ToArray(),
            2 => Enumerable.Range(0, scale * 2).Select(k => (byte)(k % 97 < 50 ? k % 13 : rng.Next(4))).ToArray(),
            3 => Enumerable.Repeat((byte)i, scale).ToArray(),
            _ => FormatTests.TinyPng((byte)i),
        };
        return Enumerable.Range(0, count).ToDictionary(i => $"img{i:000}", Make);
    }

    private static string WriteBenchmarkFile(int count, int scale, long rowGroupBytes)
    {
        var images = Images(count, scale);
        var path = Path.Combine(TestData.TempDir("page-reader"), "t.parquet");
        BenchmarkParquet.WriteFile(path, images.Keys.Select((sha, i) => Q(i, sha)).ToList(), new MemoryObjectStore(images), withAnswer: true, rowGroupBytes);
        return path;
    }

    /// <summary>
    /// Each row group's image values as Parquet.Net decodes them (the whole chunk at once): its raw values and definition
    /// levels, a value where the level is the column's highest. (Its <c>ReadAsync(field, Memory&lt;byte[]?&gt;)</c> takes
    /// only level 0 for null, so in this schema a null <c>bytes</c> inside a present <c>image</c> struct, level 1, shifts
    /// the values after it; BenchmarkParquet never writes one.)
    /// </summary>
    private static async Task<List<List<byte[]?>>> ParquetNetValues(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var field = reader.Schema.GetDataFields().Single(f => f.Name == "bytes");
        var groups = new List<List<byte[]?>>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            using var raw = (RawColumnData<ReadOnlyMemory<byte>>)await rg.ReadRawColumnDataBaseAsync(field);
            var values = raw.Values.ToArray();
            var next = 0;
            groups.Add([.. raw.DefinitionLevels.ToArray().Take((int)rg.RowCount).Select(level => level == field.MaxDefinitionLevel ? values[next++].ToArray() : null)]);
        }
        return groups;
    }

    /// <summary>Where each row group's image chunk lies, from the footer as Parquet.Net parses it (what the verifier does).</summary>
    private static async Task<List<ColumnChunkLocation>> Chunks(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var field = reader.Schema.GetDataFields().Single(f => f.Name == "bytes");
        return Enumerable.Range(0, reader.RowGroupCount).Select(g => ColumnChunkLocation.Of(reader.OpenRowGroupReader(g).GetMetadata(field), field)).ToList();
    }

    private static async Task<List<List<byte[]?>>> OurValues(string path)
    {
        var chunks = await Chunks(path);
        using var file = File.OpenRead(path);
        return chunks.Select(chunk => HandBuiltChunk.ReadAll(file, chunk)).ToList();
    }

    [Fact]
    public async Task Reads_what_Parquet_Net_reads_from_files_the_benchmark_writer_makes()
    {
        var path = WriteBenchmarkFile(count: 40, scale: 30_000, rowGroupBytes: 250_000);
        var expected = await ParquetNetValues(path);
        Assert.True(expected.Count >= 5, $"{expected.Count} row groups");
        Assert.Equal(Images(40, 30_000).Values, expected.SelectMany(g => g));   // the images written, in order, the first one empty
        Assert.Equal(expected, await OurValues(path));
        // SNAPPY: what the reader is built for (if Parquet.Net's default ever changes, this says so).
        Assert.All(await Chunks(path), c => Assert.Equal(ParquetNames.Snappy, c.Codec));
    }

    /// <summary>Writes <paramref name="groups"/> as row groups of <see cref="BenchmarkParquet.Schema"/>, images as given (nulls too), other columns null.</summary>
    private static async Task<string> WriteRaw(CompressionMethod method, params byte[]?[][] groups)
    {
        var path = Path.Combine(TestData.TempDir("page-reader-raw"), "t.parquet");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(BenchmarkParquet.Schema, stream, new ParquetOptions { CompressionMethod = method });
        foreach (var values in groups)
        {
            using var rg = writer.CreateRowGroup();
            foreach (var f in BenchmarkParquet.Schema.GetDataFields())
            {
                if (f.Name == "index") await rg.WriteAsync<long>(f, Enumerable.Range(0, values.Length).Select(i => (long)i).ToArray().AsMemory());
                else if (f == ImageBytes) await rg.WriteAsync(f, values);
                else await rg.WriteAsync(f, new string?[values.Length]);
            }
        }
        return path;
    }

    [Theory]
    [InlineData(CompressionMethod.Snappy)]
    [InlineData(CompressionMethod.None)]
    public async Task Reads_nulls_empty_values_and_an_empty_row_group_as_Parquet_Net_does(CompressionMethod method)
    {
        byte[] big = [.. Enumerable.Range(0, 150_000).Select(i => (byte)(i * 7 % 251))];
        var path = await WriteRaw(method, [[1, 2, 3], null, [], big, null], [], [null], [big, [9]]);
        var expected = await ParquetNetValues(path);
        Assert.Equal(4, expected.Count);
        Assert.Equal([[1, 2, 3], null, [], big, null], expected[0]);
        Assert.Empty(expected[1]);
        Assert.Equal(expected, await OurValues(path));
    }

    [Fact]
    public async Task A_file_of_another_codec_is_refused_by_name()
    {
        var path = await WriteRaw(CompressionMethod.Gzip, [[1, 2, 3]]);
        var chunk = (await Chunks(path))[0];
        using var file = File.OpenRead(path);
        var e = Assert.Throws<MalformedPageException>(() => new ByteArrayChunkReader(file).Open(chunk));
        Assert.Equal("unsupported: the chunk is compressed with GZIP; this reader reads SNAPPY (what BenchmarkParquet writes) and UNCOMPRESSED", e.Message);
    }

    [Fact]
    public async Task A_damaged_page_header_in_a_written_file_is_named_by_offset()
    {
        var path = WriteBenchmarkFile(count: 10, scale: 5_000, rowGroupBytes: 20_000);
        var chunks = await Chunks(path);
        var bytes = File.ReadAllBytes(path);
        // The second chunk's header starts with field 1 (page type): 0x15 then the zigzag varint 0 (DATA_PAGE). Make it 5.
        var header = chunks[1].Start;
        Assert.Equal([0x15, 0x00], bytes[(int)header..(int)(header + 2)]);
        bytes[header + 1] = 10;
        File.WriteAllBytes(path, bytes);
        using var file = File.OpenRead(path);
        Assert.Equal(chunks[0].NumValues, HandBuiltChunk.ReadAll(file, chunks[0]).Count);   // the chunk before still reads
        var e = Assert.Throws<MalformedPageException>(() => HandBuiltChunk.ReadAll(file, chunks[1]));
        Assert.Equal($"the page at byte {header} has an unknown page type 5", e.Message);
    }

    [Fact]
    public async Task Damage_anywhere_in_the_image_chunks_ends_in_a_named_problem_or_different_values_never_a_crash()
    {
        var path = WriteBenchmarkFile(count: 12, scale: 3_000, rowGroupBytes: 12_000);
        var chunks = await Chunks(path);
        var original = File.ReadAllBytes(path);
        var expected = await OurValues(path);
        var rng = new Random(99);
        int refused = 0, changed = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var bytes = original.ToArray();
            var chunk = chunks[rng.Next(chunks.Count)];
            // Mostly the header and the first bytes of the page (sizes, Snappy preamble, levels), sometimes anywhere.
            var span = trial % 2 == 0 ? Math.Min(64, chunk.Length) : chunk.Length;
            for (var k = rng.Next(1, 4); k > 0; k--)
                bytes[chunk.Start + rng.NextInt64(span)] = (byte)(trial % 3 == 0 ? rng.Next(256) : bytes[chunk.Start + rng.NextInt64(span)] ^ (1 << rng.Next(8)));
            using var file = new MemoryStream(bytes, writable: false);
            try
            {
                if (!chunks.Select(c => HandBuiltChunk.ReadAll(file, c)).SequenceEqual(expected, new ValuesComparer())) changed++;
            }
            catch (MalformedPageException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
        }
        // Most damage is caught by the walk; the rest changes image bytes, which the PNG check and the file's sha256 catch.
        Assert.True(refused > 200, $"{refused} of 400 damaged files refused, {changed} read with other values");
    }

    private sealed class ValuesComparer : IEqualityComparer<List<byte[]?>>
    {
        public bool Equals(List<byte[]?>? x, List<byte[]?>? y) =>
            x!.Count == y!.Count && x.Zip(y).All(p => p.First is null ? p.Second is null : p.Second is not null && p.First.AsSpan().SequenceEqual(p.Second));

        public int GetHashCode(List<byte[]?> obj) => obj.Count;
    }

    [Fact]
    public async Task Reading_a_chunk_holds_about_one_value_not_the_chunk()
    {
        // One 10 MB row group of twenty 500 KB values: Parquet.Net would allocate the chunk several times over.
        var images = Enumerable.Range(0, 20).ToDictionary(i => $"img{i:000}", i =>
        {
            var b = new byte[500_000];
            new Random(i).NextBytes(b);
            return b;
        });
        var path = Path.Combine(TestData.TempDir("page-reader-memory"), "t.parquet");
        BenchmarkParquet.WriteFile(path, images.Keys.Select((sha, i) => Q(i, sha)).ToList(), new MemoryObjectStore(images), withAnswer: true);
        var chunk = Assert.Single(await Chunks(path));
        Assert.True(chunk.Length > 10_000_000);

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        var reader = new ByteArrayChunkReader(file);
        var before = GC.GetAllocatedBytesForCurrentThread();
        reader.Open(chunk);
        var i = 0;
        while (reader.Next())
        {
            Assert.True(reader.Value.SequenceEqual(images[$"img{i:000}"]), $"value {i}");
            i++;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20, i);
        // One value's buffer (500 KB), the 64 KiB read buffer and Snappy window, small objects.
        Assert.True(allocated < 800_000, $"{allocated} bytes allocated to read a {chunk.Length}-byte chunk");
    }
}

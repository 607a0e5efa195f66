using GmaiBench.Model;
using GmaiBench.Release;
using GmaiBench.Release.ParquetPages;
using Parquet;
using Snappier;
using static GmaiBench.Tests.Release.ImageRows;

namespace GmaiBench.Tests.Release.ParquetPages;

/// <summary>
/// The image column written as a stream: byte for byte the file Parquet.Net writes when given every image at once, in
/// row groups of every shape, while holding a small fraction of the images in memory; a stored image that is not what
/// its size says is refused by name.
/// </summary>
public class StreamedImageColumnTests
{
    /// <summary>Empty, one byte, random (literals), repetitive (copies), runs, and sizes on and around Snappy's 64 KiB fragments.</summary>
    private static Dictionary<string, byte[]> Images(int count, int scale)
    {
        var rng = new Random(31);
        byte[] Random(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }
        byte[] Make(int i) => (i % 6) switch
        {
            0 => i == 0 ? [] : [(byte)i],
            1 => Random(scale * (1 + i % 3)),
            2 => Enumerable.Range(0, scale * 2).Select(k => (byte)(k % 97 < 50 ? k % 13 : rng.Next(4))).ToArray(),
            3 => Enumerable.Repeat((byte)i, scale).ToArray(),
            4 => Random(SnappyBlockWriter.FragmentSize - 4 + i % 9),
            _ => FormatTests.TinyPng((byte)i),
        };
        return Enumerable.Range(0, count).ToDictionary(i => $"img{i:000}", Make);
    }

    /// <summary>The file as Parquet.Net writes it with each row group's images in memory, the way BenchmarkParquet did before streaming.</summary>
    private static async Task<byte[]> ParquetNetWhole(IReadOnlyList<Question> questions, IObjectStore images, long rowGroupBytes)
    {
        var fields = BenchmarkParquet.Schema.GetDataFields();
        using var ms = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(BenchmarkParquet.Schema, ms, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }))
        {
            writer.CustomMetadata = new Dictionary<string, string> { ["huggingface"] = BenchmarkParquet.HuggingFaceMetadata() };
            foreach (var (start, count) in BenchmarkParquet.RowGroups(questions, images, rowGroupBytes))
            {
                var rows = questions.Skip(start).Take(count).ToList();
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<long>(fields[0], rows.Select(q => (long)q.Index).ToArray().AsMemory());
                var values = rows.Select(q => BenchmarkParquet.Values(q, withAnswer: true)).ToList();
                for (var c = 0; c < BenchmarkParquet.StringColumns.Length; c++)
                    await group.WriteAsync(fields[1 + c], values.Select(v => v[c]).ToList());
                await group.WriteAsync(fields[^2], rows.Select(q => images.Get(q.Case.ImageSha)).ToList());
                await group.WriteAsync(fields[^1], rows.Select(q => $"{q.Case.ImageSha}.png").ToList());
            }
        }
        return ms.ToArray();
    }

    [Theory]
    [InlineData(1, 1_000, 100_000_000)]        // one row, one group
    [InlineData(30, 5_000, 100_000_000)]       // one group of all kinds
    [InlineData(60, 20_000, 150_000)]          // many groups, some a single image over the limit
    [InlineData(300, 300, 40_000)]             // many rows per group: longer definition-level runs
    [InlineData(40, 100_000, 100_000_000)]     // a 5 MB page: 4-byte varints in the page header and the Snappy block
    [InlineData(0, 1, 100)]                    // no rows: one empty group, written by Parquet.Net alone
    public async Task Streamed_file_is_byte_identical_to_Parquet_Net_holding_each_group(int count, int scale, long rowGroupBytes)
    {
        Assert.True(StreamedImageColumn.Available);   // this Parquet.Net's row-group metadata is reachable, so the test covers streaming
        var images = Images(count, scale);
        var store = new MemoryObjectStore(images);
        var questions = images.Keys.Select((sha, i) => Q(i, sha)).ToList();

        using var streamed = new MemoryStream();
        await BenchmarkParquet.WriteAsync(streamed, questions, store, withAnswer: true, rowGroupBytes);

        Assert.Equal(await ParquetNetWhole(questions, store, rowGroupBytes), streamed.ToArray());
        var path = Path.Combine(TestData.TempDir("streamed-column"), "t.parquet");
        await File.WriteAllBytesAsync(path, streamed.ToArray());
        Assert.Equal(questions.Select(q => images[q.Case.ImageSha]), ParquetCheck.Read(path).Images);
    }

    [Fact]
    public void Writing_a_file_holds_a_small_part_of_its_images()
    {
        // 48 random images of 256 KiB in one 12 MiB row group. Parquet.Net alone allocates the values, the encoded page
        // and the compressed page (over 36 MiB); streamed, the images pass through 64 KiB buffers.
        var images = Enumerable.Range(0, 48).ToDictionary(i => $"img{i:00}", i => { var b = new byte[256 * 1024]; new Random(i).NextBytes(b); return b; });
        var store = new StreamingStore(images);
        var questions = images.Keys.Select((sha, i) => Q(i, sha)).ToList();
        var path = Path.Combine(TestData.TempDir("streamed-column"), "m.parquet");

        var thread = Environment.CurrentManagedThreadId;
        var before = GC.GetAllocatedBytesForCurrentThread();
        BenchmarkParquet.WriteFile(path, questions, store, withAnswer: true);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(thread, Environment.CurrentManagedThreadId);   // all of it ran here, so the count is the writer's
        var imageBytes = images.Values.Sum(b => (long)b.Length);
        Assert.True(allocated < imageBytes / 8, $"writing {imageBytes:N0} image bytes allocated {allocated:N0}");
        Assert.Equal(2 * images.Count, store.Opens);   // each image read twice: to size the page, then to write it
        Assert.Equal(questions.Select(q => images[q.Case.ImageSha]), ParquetCheck.Read(path).Images);
    }

    [Fact]
    public async Task A_stored_image_unlike_its_size_is_refused_by_name()
    {
        var images = Images(12, 2_000);
        var store = new LyingStore(images, liar: "img007");
        var questions = images.Keys.Select((sha, i) => Q(i, sha)).ToList();
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => BenchmarkParquet.WriteAsync(new MemoryStream(), questions, store, withAnswer: true));
        Assert.Contains("img007", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SnappyBlockWriter.FragmentSize - 1)]
    [InlineData(SnappyBlockWriter.FragmentSize)]
    [InlineData(SnappyBlockWriter.FragmentSize + 1)]
    [InlineData(3 * SnappyBlockWriter.FragmentSize + 17)]
    [InlineData(1_000_003)]
    public void Snappy_block_written_in_pieces_equals_one_shot_compression(int length)
    {
        var rng = new Random(length);
        var data = new byte[length];
        for (var at = 0; at < length;)   // alternating random and repetitive stretches: literals and copies across fragment edges
        {
            var n = Math.Min(length - at, rng.Next(1, 40_000));
            if (rng.Next(2) == 0) rng.NextBytes(data.AsSpan(at, n));
            else data.AsSpan(at, n).Fill((byte)rng.Next(4));
            at += n;
        }
        using var ms = new MemoryStream();
        var block = new SnappyBlockWriter(ms, length);
        for (var at = 0; at < length;)
        {
            var n = Math.Min(length - at, rng.Next(1, 100_000));
            block.Write(data.AsSpan(at, n));
            at += n;
        }
        block.Finish();

        Assert.Equal(Snappy.CompressToArray(data), ms.ToArray());
        Assert.Equal(ms.Length, block.Written);
        Assert.Equal(data, Snappy.DecompressToArray(ms.ToArray()));
    }

    [Fact]
    public void Snappy_block_refuses_more_or_less_than_it_declared()
    {
        var more = new SnappyBlockWriter(null, 3);
        Assert.Throws<InvalidOperationException>(() => more.Write([1, 2, 3, 4]));
        var less = new SnappyBlockWriter(null, 3);
        less.Write([1, 2]);
        Assert.Throws<InvalidOperationException>(less.Finish);
    }

    private sealed class StreamingStore(Dictionary<string, byte[]> images) : IObjectStore
    {
        public int Opens;
        public string Put(byte[] bytes) => throw new NotSupportedException();
        public byte[] Get(string sha) => throw new InvalidOperationException("a streamed writer reads images as streams");
        public long SizeOf(string sha) => images[sha].Length;
        public Stream OpenRead(string sha) { Opens++; return new MemoryStream(images[sha], writable: false); }
    }

    private sealed class LyingStore(Dictionary<string, byte[]> images, string liar) : IObjectStore
    {
        public string Put(byte[] bytes) => throw new NotSupportedException();
        public byte[] Get(string sha) => images[sha];
        public long SizeOf(string sha) => images[sha].Length + (sha == liar ? 10 : 0);
        public Stream OpenRead(string sha) => new MemoryStream(images[sha], writable: false);
    }
}

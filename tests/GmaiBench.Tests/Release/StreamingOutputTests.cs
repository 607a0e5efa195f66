using GmaiBench.Catalog;
using GmaiBench.Model;
using GmaiBench.Release;
using static GmaiBench.Tests.Release.ImageRows;

namespace GmaiBench.Tests.Release;

/// <summary>
/// The benchmark files are written as streams: a Parquet row group's images are read from the store just before that
/// group is written (never the whole file's), TSV image cells are copied from the store in chunks (never a whole image),
/// and planning (row groups, shards, parts) uses sizes alone.
/// </summary>
public class StreamingOutputTests
{
    /// <summary>
    /// A store of random "images" that counts what it hands out and fails when a writer holds more image bytes than it has
    /// written: <see cref="Written"/> is fed by the output stream, so the difference is what the writer holds unwritten.
    /// </summary>
    private sealed class MeteredStore(Dictionary<string, byte[]> images, long maxAhead) : IObjectStore
    {
        public long HandedOut, Written, MostAhead;
        public int Gets, Opens, OpenStreams;
        public readonly Dictionary<string, int> GetsOf = new();

        public string Put(byte[] bytes) => throw new NotSupportedException();

        public byte[] Get(string sha)
        {
            Gets++;
            GetsOf[sha] = GetsOf.GetValueOrDefault(sha) + 1;
            Ahead(images[sha].Length);
            return (byte[])images[sha].Clone();
        }

        public long SizeOf(string sha) => images[sha].Length;

        public Stream OpenRead(string sha)
        {
            Opens++;
            if (OpenStreams != 0) throw new InvalidOperationException("an image stream was opened while another was still open");
            OpenStreams++;
            return new Metered(this, images[sha]);
        }

        public void Ahead(long bytes)
        {
            HandedOut += bytes;
            MostAhead = Math.Max(MostAhead, HandedOut - Written);
            if (HandedOut - Written > maxAhead)
                throw new InvalidOperationException($"the writer holds {HandedOut - Written} image bytes it has not written (limit {maxAhead})");
        }

        private sealed class Metered(MeteredStore store, byte[] bytes) : MemoryStream(bytes, writable: false)
        {
            public override int Read(byte[] buffer, int offset, int count)
            {
                var n = base.Read(buffer, offset, count);
                store.Ahead(n);
                return n;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) store.OpenStreams--;
                base.Dispose(disposing);
            }
        }
    }

    /// <summary>An output stream that tells the store how much has been written.</summary>
    private sealed class CountingStream(Stream inner, MeteredStore store) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            store.Written += count;
        }
    }

    private sealed class CountingWriter(MeteredStore store) : StringWriter
    {
        public override void Write(char value) { base.Write(value); store.Written += 1; }
        public override void Write(char[] buffer, int index, int count) { base.Write(buffer, index, count); store.Written += count * 3 / 4; }
        public override void Write(string? value) { base.Write(value); store.Written += value?.Length ?? 0; }
    }

    private static Dictionary<string, byte[]> RandomImages(int count, Func<int, int> size)
    {
        var rng = new Random(17);
        return Enumerable.Range(0, count).ToDictionary(i => $"img{i:000}", i => { var b = new byte[size(i)]; rng.NextBytes(b); return b; });
    }

    [Fact]
    public async Task Parquet_streams_each_image_from_the_store_one_at_a_time_in_its_row_group()
    {
        // 40 images of 30-60 KB in row groups of at most 150 KB: the whole file is ~1.8 MB of images, about twelve groups.
        // Each image is opened twice (to size its page, then to write it), never two at once, and no image is read whole.
        const long rowGroup = 150_000;
        var images = RandomImages(40, i => 30_000 + 750 * i);
        var questions = images.Keys.Select((sha, i) => Q(i, sha)).ToList();
        var store = new MeteredStore(images, maxAhead: long.MaxValue);
        var path = Path.Combine(TestData.TempDir("parquet-stream"), "t.parquet");
        await using (var file = File.Create(path))
        await using (var counting = new CountingStream(file, store))
            await BenchmarkParquet.WriteAsync(counting, questions, store, withAnswer: true, rowGroup);

        Assert.Equal(0, store.Gets);
        Assert.Equal(2 * questions.Count, store.Opens);
        var plan = BenchmarkParquet.RowGroups(questions, store, rowGroup);
        Assert.True(plan.Count >= 10, $"{plan.Count} row groups");
        Assert.All(plan, g => Assert.True(g.Count == 1 || g.Count > 1 && questions.Skip(g.Start).Take(g.Count).Sum(q => images[q.Case.ImageSha].Length) <= rowGroup));
        var check = ParquetCheck.Read(path);
        Assert.Equal(plan.Count, check.RowGroups);
        Assert.Equal(questions.Select(q => images[q.Case.ImageSha]), check.Images);
    }

    [Fact]
    public void The_meter_fails_a_reader_holding_more_than_it_allows()
    {
        // The TSV test below relies on the meter: two whole images handed out and nothing written trips it.
        var images = RandomImages(2, _ => 50_000);
        var store = new MeteredStore(images, maxAhead: 80_000);
        store.Get("img000");
        var e = Assert.Throws<InvalidOperationException>(() => store.Get("img001"));
        Assert.Contains("has not written", e.Message);
    }

    [Fact]
    public void Row_groups_are_planned_from_sizes_like_the_writer_groups_them()
    {
        var images = new Dictionary<string, byte[]> { ["a"] = new byte[60], ["b"] = new byte[50], ["c"] = new byte[200], ["d"] = new byte[10], ["e"] = new byte[90] };
        var questions = images.Keys.Select((sha, i) => Q(i, sha)).ToList();
        // a+b fit in 120; c alone is over the limit and makes its own group; d+e fit again.
        Assert.Equal([(0, 2), (2, 1), (3, 2)], BenchmarkParquet.RowGroups(questions, new MemoryObjectStore(images), 120));
        Assert.Equal([(0, 0)], BenchmarkParquet.RowGroups([], new MemoryObjectStore(images), 120));
    }

    [Fact]
    public void Tsv_image_cells_are_streamed_from_the_store_and_equal_whole_base64()
    {
        // Sizes around the 48 KiB chunk: shorter, exactly one chunk, one byte over, several chunks, not a multiple of 3, empty.
        int[] sizes = [1, 2, 3, 49_151, 49_152, 49_153, 300_001, 0];
        var images = RandomImages(sizes.Length, i => sizes[i]);
        var questions = images.Keys.Select((sha, i) => Q(i, sha)).Append(Q(sizes.Length, "img004")).ToList();
        var store = new MeteredStore(images, maxAhead: 49_152 + 49_152);
        var writer = new CountingWriter(store);
        BenchmarkTsv.Write(writer, questions, store, withAnswer: false);

        Assert.Equal(0, store.Gets);                 // never a whole image
        Assert.Equal(sizes.Length, store.Opens);     // each image once; the repeated one is a reference
        Assert.Equal(0, store.OpenStreams);          // every stream closed
        var rows = TsvFormat.Parse(writer.ToString());
        for (var i = 0; i < sizes.Length; i++) Assert.Equal(Convert.ToBase64String(images[$"img{i:000}"]), rows[i + 1][^1]);
        Assert.Equal("4", rows[^1][^1]);
    }

    [Fact]
    public void The_object_store_gives_sizes_without_reading_and_a_damaged_object_fails_its_stream_at_the_end()
    {
        var store = new ObjectStore(Path.Combine(TestData.TempDir("objects-stream"), "objects"));
        var bytes = RandomImages(1, _ => 200_000)["img000"];
        var sha = store.Put(bytes);
        Assert.Equal(200_000, store.SizeOf(sha));
        using (var s = store.OpenRead(sha))
        using (var copy = new MemoryStream())
        {
            s.CopyTo(copy);
            Assert.Equal(bytes, copy.ToArray());
        }

        // Same size, one byte changed: the size still plans, but reading it to the end throws, and so does the TSV it went into.
        var damaged = (byte[])bytes.Clone();
        damaged[123_456] ^= 0xFF;
        File.WriteAllBytes(store.PathOf(sha), damaged);
        Assert.Equal(200_000, store.SizeOf(sha));
        using (var s = store.OpenRead(sha)) Assert.Throws<InvalidDataException>(() => s.CopyTo(Stream.Null));
        var e = Assert.Throws<InvalidDataException>(() => BenchmarkTsv.Write(new StringWriter(), [Q(0, sha)], store, withAnswer: true));
        Assert.Contains("damaged", e.Message);
    }
}

using System.IO.Compression;
using System.Text;
using GmaiBench.Imaging;

namespace GmaiBench.Tests.Imaging;

/// <summary>The project's zlib writer, checked by the runtime's zlib decoder (an independent implementation).</summary>
public class ZlibWriterTests
{
    private static byte[] Inflate(byte[] zlib)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress)) z.CopyTo(output);
        return output.ToArray();
    }

    public static TheoryData<string> Inputs() => ["empty", "one", "random", "zeros", "runs", "text", "far", "ramp", "skewed", "big"];

    private static byte[] Make(string kind)
    {
        // A fixed seed per kind (string hash codes differ between runs).
        var random = new Random(kind.Sum(c => c));
        switch (kind)
        {
            case "empty": return [];
            case "one": return [42];
            case "random": { var b = new byte[200_000]; random.NextBytes(b); return b; }   // incompressible: stored blocks
            case "zeros": return new byte[300_000];                                       // distance 1, length 258 matches
            case "runs":
            {
                var b = new byte[100_000];
                for (var i = 0; i < b.Length; i++) b[i] = (byte)(i / 37 % 5 == 0 ? random.Next(256) : i / 1000);
                return b;
            }
            case "text": return Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i % 97}: the quick brown fox {i % 13}\n")));
            case "far":
            {
                // A 5 KB block repeated 32 KB and 40 KB later: one copy within the window, one just outside it.
                var b = new byte[90_000];
                random.NextBytes(b);
                b.AsSpan(0, 5000).CopyTo(b.AsSpan(32_768));
                b.AsSpan(0, 5000).CopyTo(b.AsSpan(40_000 + 32_768));
                return b;
            }
            case "ramp": return [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7 % 251))];
            case "skewed":
            {
                // Byte k occurs Fibonacci(k) times, shuffled: an unlimited Huffman tree would be 25 deep, so the
                // 15-bit limit on literal codes must be enforced.
                var bytes = new List<byte>();
                long a = 1, b = 1;
                for (var k = 0; k < 26; k++, (a, b) = (b, a + b))
                    bytes.AddRange(Enumerable.Repeat((byte)(k * 9), (int)a));
                var shuffled = bytes.ToArray();
                random.Shuffle(shuffled);
                return shuffled;
            }
            default:
            {
                // More symbols than one block holds, of mixed kinds.
                var b = new byte[1_500_000];
                for (var i = 0; i < b.Length; i++) b[i] = (byte)(i % 3 == 0 ? random.Next(4) : (i >> 9) & 0xFF);
                return b;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_runtime_zlib_decoder_gives_back_the_input(string kind)
    {
        var data = Make(kind);
        var compressed = ZlibWriter.Compress(data);
        Assert.Equal(data, Inflate(compressed));
        // zlib header: deflate with a 32 KB window, and a valid check value.
        Assert.Equal(0x78, compressed[0]);
        Assert.Equal(0, (compressed[0] * 256 + compressed[1]) % 31);
    }

    [Fact]
    public void Compressible_data_shrinks_and_incompressible_data_grows_by_at_most_the_stored_block_headers()
    {
        Assert.True(ZlibWriter.Compress(Make("zeros")).Length < 1000);
        Assert.True(ZlibWriter.Compress(Make("text")).Length < Make("text").Length / 5);
        var random = Make("random");
        // Stored blocks: 6 bytes of zlib header and checksum, and 5 bytes per block of at most 65535 bytes (a block of
        // symbols that covers a little more takes two).
        Assert.InRange(ZlibWriter.Compress(random).Length, random.Length, random.Length + 6 + 5 * 2 * ((random.Length + 65534) / 65535));
    }

    [Fact]
    public void The_same_input_gives_the_same_bytes()
    {
        var data = Make("runs");
        Assert.Equal(ZlibWriter.Compress(data), ZlibWriter.Compress(data.ToArray()));
    }

    [Fact]
    public void Three_hundred_generated_inputs_of_mixed_structure_round_trip()
    {
        // Runs, copies from near and far back, literals from small and full alphabets, in random order and sizes
        // (0 to 150 KB): the shapes that exercise block splits, the chain walk and short and long Huffman codes.
        var random = new Random(20261129);
        for (var n = 0; n < 300; n++)
        {
            var size = n < 20 ? n : random.Next(random.Next(2) == 0 ? 2000 : 150_000);
            var data = new byte[size];
            for (var at = 0; at < size;)
            {
                var piece = Math.Min(size - at, 1 + random.Next(400));
                switch (random.Next(4))
                {
                    case 0: data.AsSpan(at, piece).Fill((byte)random.Next(256)); break;
                    case 1:
                        var back = 1 + random.Next(Math.Min(at, 40_000) + 1);
                        for (var k = 0; k < piece; k++) data[at + k] = at + k - back >= 0 ? data[at + k - back] : (byte)k;
                        break;
                    case 2: for (var k = 0; k < piece; k++) data[at + k] = (byte)random.Next(1 + random.Next(4)); break;
                    default: random.NextBytes(data.AsSpan(at, piece)); break;
                }
                at += piece;
            }
            Assert.True(data.AsSpan().SequenceEqual(Inflate(ZlibWriter.Compress(data))), $"input {n} ({size} bytes) did not round-trip");
        }
    }
}

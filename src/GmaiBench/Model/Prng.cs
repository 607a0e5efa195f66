using System.Security.Cryptography;
using System.Text;

namespace GmaiBench.Model;

/// <summary>
/// The project's own PRNG: xoshiro256** (Blackman and Vigna 2018) seeded through SplitMix64 from
/// (release seed, key). Its output never depends on call order across keys, thread count or runtime
/// version, unlike <see cref="System.Random"/>.
/// </summary>
public sealed class Prng
{
    private ulong _s0, _s1, _s2, _s3;

    public Prng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>A generator for one decision about one item: seeded by (release seed, key, purpose).</summary>
    public static Prng For(ulong seed, string key, string purpose) => new(Mix(seed, $"{purpose}\u0001{key}"));

    /// <summary>A stable 64-bit hash of (seed, text): the first 8 bytes of SHA-256, little-endian.</summary>
    public static ulong Mix(ulong seed, string text)
    {
        Span<byte> buffer = stackalloc byte[32];
        var data = Encoding.UTF8.GetBytes(text);
        var input = new byte[data.Length + 8];
        BitConverter.TryWriteBytes(input.AsSpan(0, 8), seed);
        if (!BitConverter.IsLittleEndian) input.AsSpan(0, 8).Reverse();
        data.CopyTo(input, 8);
        SHA256.HashData(input, buffer);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive");
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var product = Math.BigMul(NextUInt64(), bound, out var low);
            if (low >= threshold) return (int)product;
        }
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>k distinct elements of <paramref name="items"/>, in the order drawn.</summary>
    public List<T> Sample<T>(IReadOnlyList<T> items, int k)
    {
        var copy = items.ToList();
        var n = Math.Min(k, copy.Count);
        for (var i = 0; i < n; i++)
        {
            var j = i + NextInt(copy.Count - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy.GetRange(0, n);
    }
}

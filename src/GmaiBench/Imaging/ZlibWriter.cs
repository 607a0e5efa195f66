using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GmaiBench.Imaging;

/// <summary>
/// A zlib stream (RFC 1950) of DEFLATE blocks (RFC 1951), written by the project's own code so that the bytes depend on
/// the input alone. The runtime's zlib (zlib-ng in .NET, or the system zlib in distribution builds) promises valid
/// output but not the same output across versions, CPU features or architectures, and every stored image's hash, and
/// with it every release file, is built from these bytes.
/// The method is greedy LZ77 over a 32 KB window (4-byte hash, a short candidate chain) with a dynamic Huffman code per
/// block of symbols, or a stored block where that is smaller. Speed and size sit near zlib's fast levels.
/// </summary>
public static class ZlibWriter
{
    private const int WindowSize = 1 << 15;
    private const int WindowMask = WindowSize - 1;
    private const int HashBits = 15;
    private const int MinMatch = 4;        // DEFLATE allows 3; 4-byte hashing finds the matches worth coding
    private const int MaxMatch = 258;
    private const int MaxChain = 4;        // candidates tried per position
    private const int GoodMatch = 64;      // a match this long ends the search
    private const int InsertLimit = 32;    // inside longer matches only the last 3 positions are hashed (speed)
    private const int BlockSymbols = 65535;   // at most one stored block's worth of bytes, for incompressible data
    private const int MaxStored = 65535;

    private static readonly ushort[] LengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
    private static readonly byte[] LengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly ushort[] DistanceBase =
        [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
    private static readonly byte[] DistanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    // The order code-length code lengths are sent in (RFC 1951 3.2.7).
    private static readonly byte[] CodeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    private static readonly byte[] LengthCodeOf = BuildLengthCodes();
    private static readonly byte[] DistanceCodeOf = BuildDistanceCodes();

    /// <summary>The zlib stream of <paramref name="data"/>: header 78 01, DEFLATE blocks, Adler-32.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new BitWriter(data.Length / 3 + 256);
        output.WriteBits(0x78, 8);   // CM 8 (deflate), CINFO 7 (32 KB window)
        output.WriteBits(0x01, 8);   // FLEVEL 0, no dictionary, FCHECK: 0x7801 is a multiple of 31
        Deflate(data, output);
        output.AlignToByte();
        var adler = Adler32(data);
        for (var shift = 24; shift >= 0; shift -= 8) output.WriteBits((adler >> shift) & 0xFF, 8);
        return output.ToArray();
    }

    private static void Deflate(ReadOnlySpan<byte> data, BitWriter output)
    {
        // Working arrays come from the shared pools: a build encodes thousands of images, each would otherwise leave 0.5 MB.
        var head = ScratchPool<int>.Shared.Rent(1 << HashBits);
        var previous = ScratchPool<int>.Shared.Rent(WindowSize);
        // A literal is its byte value; a match is 1 << 31 | (length - 3) << 16 | (distance - 1).
        var symbols = ScratchPool<uint>.Shared.Rent(BlockSymbols);
        try
        {
            head.AsSpan(0, 1 << HashBits).Fill(-1);
            FindMatches(data, output, head, previous, symbols);
        }
        finally
        {
            ScratchPool<int>.Shared.Return(head);
            ScratchPool<int>.Shared.Return(previous);
            ScratchPool<uint>.Shared.Return(symbols);
        }
    }

    /// <summary>Greedy LZ77: at each position the longest of up to <see cref="MaxChain"/> earlier 4-byte matches, else a literal.</summary>
    private static void FindMatches(ReadOnlySpan<byte> data, BitWriter output, int[] head, int[] previous, uint[] symbols)
    {
        ref var d = ref MemoryMarshal.GetReference(data);
        int n = data.Length, count = 0, blockStart = 0, i = 0;
        while (i < n)
        {
            int bestLength = 0, bestDistance = 0;
            if (i + MinMatch <= n)
            {
                var word = Read32(ref d, i);
                var h = Hash(word);
                var candidate = head[h];
                previous[i & WindowMask] = candidate;
                head[h] = i;
                var limit = Math.Min(MaxMatch, n - i);
                for (var chain = MaxChain; candidate >= 0 && i - candidate < WindowSize && chain > 0; chain--)
                {
                    // A candidate must share the first 4 bytes and beat the best so far at its last byte.
                    if (Read32(ref d, candidate) == word && (bestLength < MinMatch || Unsafe.Add(ref d, candidate + bestLength) == Unsafe.Add(ref d, i + bestLength)))
                    {
                        var length = MatchLength(ref d, candidate, i, limit);
                        if (length > bestLength)
                        {
                            bestLength = length;
                            bestDistance = i - candidate;
                            if (length >= GoodMatch || length == limit) break;
                        }
                    }
                    var next = previous[candidate & WindowMask];
                    if (next >= candidate) break;
                    candidate = next;
                }
            }
            if (bestLength >= MinMatch)
            {
                symbols[count++] = 1u << 31 | (uint)(bestLength - 3) << 16 | (uint)(bestDistance - 1);
                var end = i + bestLength;
                // Inside a long match only its last positions are hashed: enough for a run to continue at a short distance.
                for (var j = bestLength <= InsertLimit ? i + 1 : end - 3; j < end && j + MinMatch <= n; j++)
                {
                    var h = Hash(Read32(ref d, j));
                    previous[j & WindowMask] = head[h];
                    head[h] = j;
                }
                i = end;
            }
            else
            {
                symbols[count++] = Unsafe.Add(ref d, i);
                i++;
            }
            if (count == BlockSymbols)
            {
                WriteBlock(output, symbols.AsSpan(0, count), data[blockStart..i], last: false);
                count = 0;
                blockStart = i;
            }
        }
        WriteBlock(output, symbols.AsSpan(0, count), data[blockStart..], last: true);
    }

    // Callers keep every read inside the data: a 4-byte read at i needs i + 4 <= length.
    private static uint Read32(ref byte data, int at) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref data, at));

    private static uint Hash(uint word) => (word * 2654435761u) >> (32 - HashBits);

    /// <summary>
    /// How many bytes from <paramref name="earlier"/> equal those from <paramref name="later"/>, at most
    /// <paramref name="limit"/>, where later + limit is within the data.
    /// </summary>
    private static int MatchLength(ref byte data, int earlier, int later, int limit)
    {
        var length = 0;
        while (length + 8 <= limit)
        {
            var difference = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, earlier + length)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, later + length));
            if (difference != 0) return length + (BitOperations.TrailingZeroCount(difference) >> 3);
            length += 8;
        }
        while (length < limit && Unsafe.Add(ref data, earlier + length) == Unsafe.Add(ref data, later + length)) length++;
        return length;
    }

    /// <summary>One block: dynamic Huffman codes for its symbols, or stored bytes when that is smaller.</summary>
    private static void WriteBlock(BitWriter output, ReadOnlySpan<uint> symbols, ReadOnlySpan<byte> raw, bool last)
    {
        var literalFrequency = new int[286];
        var distanceFrequency = new int[30];
        foreach (var s in symbols)
        {
            if (s < 256) { literalFrequency[s]++; continue; }
            literalFrequency[257 + LengthCodeOf[(s >> 16) & 0xFF]]++;
            distanceFrequency[DistanceCodeOf[s & 0x7FFF]]++;
        }
        literalFrequency[256] = 1;   // end of block
        // Every code gets at least two symbols, so each is a complete prefix code any decoder accepts.
        EnsureTwoSymbols(literalFrequency);
        EnsureTwoSymbols(distanceFrequency);
        var literalLengths = Huffman.CodeLengths(literalFrequency, 15);
        var distanceLengths = Huffman.CodeLengths(distanceFrequency, 15);
        var literalCount = Math.Max(257, LastNonZero(literalLengths) + 1);
        var distanceCount = Math.Max(1, LastNonZero(distanceLengths) + 1);

        // Both code length lists, run-length coded together (RFC 1951 3.2.7).
        var lengths = new byte[literalCount + distanceCount];
        literalLengths.AsSpan(0, literalCount).CopyTo(lengths);
        distanceLengths.AsSpan(0, distanceCount).CopyTo(lengths.AsSpan(literalCount));
        var runs = RunLengths(lengths);
        var codeLengthFrequency = new int[19];
        foreach (var (symbol, _) in runs) codeLengthFrequency[symbol]++;
        EnsureTwoSymbols(codeLengthFrequency);
        var codeLengthLengths = Huffman.CodeLengths(codeLengthFrequency, 7);
        var codeLengthCount = 19;
        while (codeLengthCount > 4 && codeLengthLengths[CodeLengthOrder[codeLengthCount - 1]] == 0) codeLengthCount--;

        long bits = 3 + 5 + 5 + 4 + 3L * codeLengthCount;
        foreach (var (symbol, _) in runs) bits += codeLengthLengths[symbol] + symbol switch { 16 => 2, 17 => 3, 18 => 7, _ => 0 };
        // The symbols' cost follows from the counts: code bits plus the extra bits of each length and distance code.
        for (var c = 0; c < 286; c++) bits += (long)literalFrequency[c] * (literalLengths[c] + (c > 256 ? LengthExtra[c - 257] : 0));
        for (var c = 0; c < 30; c++) bits += (long)distanceFrequency[c] * (distanceLengths[c] + DistanceExtra[c]);
        // Each stored block: 3 header bits padded to a byte (at most 10 bits for the first), LEN and NLEN, the bytes.
        var storedBits = 2L + Math.Max(1, (raw.Length + MaxStored - 1) / MaxStored) * (8L + 32) + 8L * raw.Length;
        if (storedBits <= bits)
        {
            WriteStored(output, raw, last);
            return;
        }

        output.WriteBits(last ? 1u : 0u, 1);
        output.WriteBits(2, 2);   // dynamic Huffman codes
        output.WriteBits((uint)(literalCount - 257), 5);
        output.WriteBits((uint)(distanceCount - 1), 5);
        output.WriteBits((uint)(codeLengthCount - 4), 4);
        for (var k = 0; k < codeLengthCount; k++) output.WriteBits(codeLengthLengths[CodeLengthOrder[k]], 3);
        var codeLengthCodes = Huffman.Codes(codeLengthLengths);
        foreach (var (symbol, extra) in runs)
        {
            output.WriteBits(codeLengthCodes[symbol], codeLengthLengths[symbol]);
            switch (symbol)
            {
                case 16: output.WriteBits((uint)extra, 2); break;
                case 17: output.WriteBits((uint)extra, 3); break;
                case 18: output.WriteBits((uint)extra, 7); break;
            }
        }
        var literalCodes = Huffman.Codes(literalLengths);
        var distanceCodes = Huffman.Codes(distanceLengths);
        foreach (var s in symbols)
        {
            if (s < 256)
            {
                output.WriteBits(literalCodes[s], literalLengths[s]);
                continue;
            }
            var length = (int)((s >> 16) & 0xFF);
            var distance = (int)(s & 0x7FFF);
            int lengthCode = LengthCodeOf[length], distanceCode = DistanceCodeOf[distance];
            output.WriteBits(literalCodes[257 + lengthCode], literalLengths[257 + lengthCode]);
            if (LengthExtra[lengthCode] > 0) output.WriteBits((uint)(length + 3 - LengthBase[lengthCode]), LengthExtra[lengthCode]);
            output.WriteBits(distanceCodes[distanceCode], distanceLengths[distanceCode]);
            if (DistanceExtra[distanceCode] > 0) output.WriteBits((uint)(distance + 1 - DistanceBase[distanceCode]), DistanceExtra[distanceCode]);
        }
        output.WriteBits(literalCodes[256], literalLengths[256]);
    }

    private static void WriteStored(BitWriter output, ReadOnlySpan<byte> raw, bool last)
    {
        var offset = 0;
        do
        {
            var take = Math.Min(MaxStored, raw.Length - offset);
            var final = last && offset + take == raw.Length;
            output.WriteBits(final ? 1u : 0u, 1);
            output.WriteBits(0, 2);   // stored
            output.AlignToByte();
            output.WriteBits((uint)take, 16);
            output.WriteBits((uint)(~take & 0xFFFF), 16);
            output.WriteBytes(raw.Slice(offset, take));
            offset += take;
        }
        while (offset < raw.Length);
    }

    private static void EnsureTwoSymbols(int[] frequency)
    {
        var used = frequency.Count(f => f > 0);
        for (var s = 0; used < 2 && s < frequency.Length; s++)
        {
            if (frequency[s] > 0) continue;
            frequency[s] = 1;
            used++;
        }
    }

    private static int LastNonZero(byte[] lengths)
    {
        for (var k = lengths.Length - 1; k >= 0; k--)
            if (lengths[k] != 0) return k;
        return -1;
    }

    /// <summary>Code length symbols 0-15, 16 (repeat the previous 3-6 times), 17 (3-10 zeros), 18 (11-138 zeros), with their extra values.</summary>
    private static List<(int Symbol, int Extra)> RunLengths(byte[] lengths)
    {
        var runs = new List<(int, int)>();
        for (var k = 0; k < lengths.Length;)
        {
            var value = lengths[k];
            var run = 1;
            while (k + run < lengths.Length && lengths[k + run] == value) run++;
            k += run;
            if (value == 0)
            {
                while (run >= 11) { var take = Math.Min(run, 138); runs.Add((18, take - 11)); run -= take; }
                if (run >= 3) { runs.Add((17, run - 3)); run = 0; }
                for (; run > 0; run--) runs.Add((0, 0));
                continue;
            }
            runs.Add((value, 0));
            run--;
            while (run >= 3) { var take = Math.Min(run, 6); runs.Add((16, take - 3)); run -= take; }
            for (; run > 0; run--) runs.Add((value, 0));
        }
        return runs;
    }

    private static byte[] BuildLengthCodes()
    {
        // Index: match length - 3 (0..255); value: length code - 257 (0..28).
        var codes = new byte[256];
        for (var code = 0; code < 28; code++)
        {
            var end = code == 27 ? 257 : LengthBase[code + 1] - 1;
            for (var length = LengthBase[code]; length <= end; length++) codes[length - 3] = (byte)code;
        }
        codes[258 - 3] = 28;
        return codes;
    }

    private static byte[] BuildDistanceCodes()
    {
        // Index: distance - 1 (0..32767); value: distance code (0..29).
        var codes = new byte[WindowSize];
        for (var code = 0; code < 30; code++)
        {
            var end = code == 29 ? WindowSize : DistanceBase[code + 1] - 1;
            for (var distance = (int)DistanceBase[code]; distance <= end; distance++) codes[distance - 1] = (byte)code;
        }
        return codes;
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        while (data.Length > 0)
        {
            // 5552 is the most bytes before b can overflow 32 bits (RFC 1950's NMAX).
            var chunk = data[..Math.Min(5552, data.Length)];
            foreach (var x in chunk)
            {
                a += x;
                b += a;
            }
            a %= 65521;
            b %= 65521;
            data = data[chunk.Length..];
        }
        return b << 16 | a;
    }

    /// <summary>Bits packed least significant first, as DEFLATE writes them.</summary>
    private sealed class BitWriter(int capacity) : IDisposable
    {
        private byte[] _bytes = ScratchPool<byte>.Shared.Rent(Math.Max(64, capacity));
        private int _length;
        private ulong _bits;
        private int _count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void WriteBits(uint value, int count)
        {
            _bits |= (ulong)value << _count;
            _count += count;
            if (_count < 32) return;
            Ensure(4);
            BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(_length), (uint)_bits);
            _length += 4;
            _bits >>= 32;
            _count -= 32;
        }

        public void AlignToByte()
        {
            var whole = (_count + 7) / 8;
            Ensure(whole);
            for (var k = 0; k < whole; k++)
            {
                _bytes[_length++] = (byte)_bits;
                _bits >>= 8;
            }
            _bits = 0;
            _count = 0;
        }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            if (_count != 0) throw new InvalidOperationException("bytes are written on a byte boundary");
            Ensure(bytes.Length);
            bytes.CopyTo(_bytes.AsSpan(_length));
            _length += bytes.Length;
        }

        public byte[] ToArray()
        {
            if (_count != 0) throw new InvalidOperationException("the stream ends inside a byte");
            return _bytes.AsSpan(0, _length).ToArray();
        }

        private void Ensure(int more)
        {
            if (_length + more <= _bytes.Length) return;
            var larger = ScratchPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _length + more));
            _bytes.AsSpan(0, _length).CopyTo(larger);
            ScratchPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }

        public void Dispose()
        {
            ScratchPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }
}

/// <summary>Length-limited canonical Huffman codes (RFC 1951 3.2.2), built deterministically.</summary>
internal static class Huffman
{
    /// <summary>
    /// Code lengths for the symbols with non-zero frequency, none longer than <paramref name="maxBits"/>: a Huffman tree
    /// (ties broken by symbol order), with frequencies halved and the tree rebuilt until it fits.
    /// </summary>
    public static byte[] CodeLengths(int[] frequency, int maxBits)
    {
        var weights = (int[])frequency.Clone();
        while (true)
        {
            var lengths = TreeDepths(weights);
            if (lengths.Max() <= maxBits) return lengths;
            for (var s = 0; s < weights.Length; s++)
                if (weights[s] > 0) weights[s] = Math.Max(1, weights[s] >> 1);
        }
    }

    private static byte[] TreeDepths(int[] weights)
    {
        var lengths = new byte[weights.Length];
        var leaves = Enumerable.Range(0, weights.Length).Where(s => weights[s] > 0).OrderBy(s => weights[s]).ThenBy(s => s).ToArray();
        if (leaves.Length == 0) return lengths;
        if (leaves.Length == 1)
        {
            lengths[leaves[0]] = 1;
            return lengths;
        }
        // Two queues: leaves by weight, internal nodes in the (non-decreasing) order they are made.
        var nodeWeight = new long[2 * leaves.Length];
        var parent = new int[2 * leaves.Length];
        for (var k = 0; k < leaves.Length; k++) nodeWeight[k] = weights[leaves[k]];
        int nextLeaf = 0, nextInternal = leaves.Length, made = leaves.Length;
        int Take()
        {
            if (nextLeaf < leaves.Length && (nextInternal >= made || nodeWeight[nextLeaf] <= nodeWeight[nextInternal])) return nextLeaf++;
            return nextInternal++;
        }
        while (made < 2 * leaves.Length - 1)
        {
            int a = Take(), b = Take();
            nodeWeight[made] = nodeWeight[a] + nodeWeight[b];
            parent[a] = made;
            parent[b] = made;
            made++;
        }
        // Depths from the root (the last node made) down: a parent is always made after its children.
        var depth = new int[made];
        for (var node = made - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
        for (var k = 0; k < leaves.Length; k++) lengths[leaves[k]] = (byte)Math.Min(255, depth[k]);
        return lengths;
    }

    /// <summary>Canonical codes for <paramref name="lengths"/>, bit-reversed for writing least significant bit first.</summary>
    public static uint[] Codes(byte[] lengths)
    {
        var countOfLength = new int[16];
        foreach (var l in lengths) if (l > 0) countOfLength[l]++;
        var next = new uint[16];
        uint code = 0;
        for (var bits = 1; bits < 16; bits++)
        {
            code = (code + (uint)countOfLength[bits - 1]) << 1;
            next[bits] = code;
        }
        var codes = new uint[lengths.Length];
        for (var s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l == 0) continue;
            var c = next[l]++;
            uint reversed = 0;
            for (var k = 0; k < l; k++) reversed |= ((c >> k) & 1) << (l - 1 - k);
            codes[s] = reversed;
        }
        return codes;
    }
}

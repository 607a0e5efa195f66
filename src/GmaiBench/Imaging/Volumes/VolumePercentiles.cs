using System.Numerics;
using System.Runtime.CompilerServices;
using GmaiBench.Imaging.Intensity;

namespace GmaiBench.Imaging.Volumes;

/// <summary>A chunk of stored voxels handed to a visitor; the span is only valid during the call.</summary>
public delegate void VoxelChunk<T>(ReadOnlySpan<T> voxels);

/// <summary>
/// Exact nearest-rank percentiles of the non-zero physical values of a whole volume (nnU-Net / MedSAM MR practice),
/// with the same rank rule as <see cref="PercentileWindow"/>. No copy or sort: 8- and 16-bit types use one histogram
/// pass; wider types a radix selection, 16 bits of an order-preserving key per pass.
/// </summary>
public static class VolumePercentiles
{
    /// <summary>The window from the <paramref name="lowPercent"/> and <paramref name="highPercent"/> percentiles of the volume's non-zero voxels.</summary>
    public static PercentileWindow NonZero(Volume volume, double lowPercent = 0.5, double highPercent = 99.5)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return volume.NonZeroPercentiles(lowPercent, highPercent);
    }

    /// <summary>
    /// Percentiles over the values whose physical value (stored x slope + intercept) is finite and non-zero;
    /// (0, 0) when there are none. Values are physical.
    /// </summary>
    public static PercentileWindow NonZero<T>(ReadOnlyMemory<T> stored, VoxelScaling scaling, double lowPercent, double highPercent)
        where T : unmanaged, INumber<T> =>
        NonZero<T>(visit => visit(stored.Span), scaling, lowPercent, highPercent);

    /// <summary>
    /// The same percentiles over voxels that are not held: each call of <paramref name="pass"/> must hand every voxel to
    /// its visitor once, in chunks (a streamed volume read again). 8- and 16-bit types take one pass; wider types one per
    /// 16 bits of key (2 for float32, 4 for float64).
    /// </summary>
    public static PercentileWindow NonZero<T>(Action<VoxelChunk<T>> pass, VoxelScaling scaling, double lowPercent, double highPercent)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(pass);
        CheckPercents(lowPercent, highPercent);
        if (KeyBits<T>() > 16) return FromRadixSelection(pass, scaling, lowPercent, highPercent, KeyBits<T>());
        var histogram = new NonZeroHistogram<T>();
        pass(histogram.Add);
        return histogram.Window(scaling, lowPercent, highPercent);
    }

    private static void CheckPercents(double lowPercent, double highPercent)
    {
        if (!(lowPercent >= 0 && lowPercent <= highPercent && highPercent <= 100))
            throw new ArgumentOutOfRangeException(nameof(lowPercent), $"percentiles must satisfy 0 <= low <= high <= 100, got {lowPercent} and {highPercent}");
    }

    /// <summary>
    /// The counts of every stored value of an 8- or 16-bit type, filled chunk by chunk (while a volume streams past),
    /// from which the non-zero percentiles are exact.
    /// </summary>
    public sealed class NonZeroHistogram<T> where T : unmanaged, INumber<T>
    {
        private readonly long[] _counts;

        public NonZeroHistogram()
        {
            var bits = KeyBits<T>();
            if (bits > 16) throw new NotSupportedException($"{typeof(T).Name} has {bits}-bit values: a histogram of every value is for 8- and 16-bit types");
            _counts = new long[1 << bits];
        }

        public void Add(ReadOnlySpan<T> stored)
        {
            var counts = _counts;
            foreach (var v in stored) counts[Key(v)]++;
        }

        public PercentileWindow Window(VoxelScaling scaling, double low, double high)
        {
            CheckPercents(low, high);
            // Zero and non-finite exclusion per bin: every voxel in a bin has the same value.
            var histogram = (long[])_counts.Clone();
            long n = 0;
            for (var key = 0; key < histogram.Length; key++)
            {
                if (!Counts(scaling.Apply(ValueOfKey<T>((ulong)key)))) histogram[key] = 0;
                n += histogram[key];
            }
            if (n == 0) return new PercentileWindow(0, 0);
            var (lowRank, highRank) = StoredRanks(n, low, high, scaling);
            return VolumePercentiles.Window(scaling, ValueOfKey<T>((ulong)Find(histogram, lowRank).Digit), ValueOfKey<T>((ulong)Find(histogram, highRank).Digit));
        }
    }

    private static PercentileWindow FromRadixSelection<T>(Action<VoxelChunk<T>> pass, VoxelScaling scaling, double low, double high, int bits)
        where T : unmanaged, INumber<T>
    {
        // Pass 1: histogram of the top 16 key bits over counted voxels; it gives n and both ranks' top digits.
        var shift = bits - 16;
        var histogram = new long[65536];
        long n = 0;
        pass(chunk =>
        {
            foreach (var v in chunk)
            {
                if (!Counts(scaling.Apply(double.CreateTruncating(v)))) continue;
                histogram[(int)(Key(v) >> shift)]++;
                n++;
            }
        });
        if (n == 0) return new PercentileWindow(0, 0);
        var (lowRank, highRank) = StoredRanks(n, low, high, scaling);
        var (lowDigit, lowRest) = Find(histogram, lowRank);
        var (highDigit, highRest) = Find(histogram, highRank);
        ulong lowPrefix = (ulong)lowDigit, highPrefix = (ulong)highDigit;
        // Each further pass refines both keys by the next 16 bits among voxels sharing their prefix.
        while (shift > 0)
        {
            var prefixShift = shift;
            shift -= 16;
            var lowHistogram = new long[65536];
            var highHistogram = new long[65536];
            var digitShift = shift;
            ulong lowSought = lowPrefix, highSought = highPrefix;
            pass(chunk =>
            {
                foreach (var v in chunk)
                {
                    if (!Counts(scaling.Apply(double.CreateTruncating(v)))) continue;
                    var key = Key(v);
                    var prefix = key >> prefixShift;
                    var digit = (int)((key >> digitShift) & 0xFFFF);
                    if (prefix == lowSought) lowHistogram[digit]++;
                    if (prefix == highSought) highHistogram[digit]++;
                }
            });
            (lowDigit, lowRest) = Find(lowHistogram, lowRest);
            (highDigit, highRest) = Find(highHistogram, highRest);
            lowPrefix = (lowPrefix << 16) | (uint)lowDigit;
            highPrefix = (highPrefix << 16) | (uint)highDigit;
        }
        return Window(scaling, ValueOfKey<T>(lowPrefix), ValueOfKey<T>(highPrefix));
    }

    private static bool Counts(double physical) => physical != 0 && double.IsFinite(physical);

    /// <summary>
    /// Nearest-rank positions (1-based, ceil(p/100 x n), at least 1) in ascending stored order. A negative slope
    /// reverses the order, so the physical k-th smallest is the stored (n + 1 - k)-th.
    /// </summary>
    private static (long Low, long High) StoredRanks(long n, double low, double high, VoxelScaling scaling)
    {
        var lowRank = Math.Max(1, (long)Math.Ceiling(low / 100.0 * n));
        var highRank = Math.Max(1, (long)Math.Ceiling(high / 100.0 * n));
        return scaling.Slope > 0 ? (lowRank, highRank) : (n + 1 - lowRank, n + 1 - highRank);
    }

    private static PercentileWindow Window(VoxelScaling scaling, double storedLow, double storedHigh)
    {
        double a = scaling.Apply(storedLow), b = scaling.Apply(storedHigh);
        return new PercentileWindow(Math.Min(a, b), Math.Max(a, b));
    }

    /// <summary>The bin where the cumulative count reaches <paramref name="rank"/>, and the rank left within that bin.</summary>
    private static (int Digit, long Remaining) Find(long[] histogram, long rank)
    {
        long before = 0;
        for (var d = 0; d < histogram.Length; d++)
        {
            if (before + histogram[d] >= rank) return (d, rank - before);
            before += histogram[d];
        }
        throw new InvalidOperationException($"rank {rank} exceeds the {before} counted values");
    }

    private static int KeyBits<T>() where T : unmanaged => Unsafe.SizeOf<T>() * 8;

    /// <summary>An unsigned key whose order is the numeric order of <typeparamref name="T"/> (sign bit flipped; IEEE floats folded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key<T>(T value) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref value);
        if (typeof(T) == typeof(sbyte)) return (byte)(Unsafe.As<T, sbyte>(ref value) ^ unchecked((sbyte)0x80));
        if (typeof(T) == typeof(ushort)) return Unsafe.As<T, ushort>(ref value);
        if (typeof(T) == typeof(short)) return (ushort)(Unsafe.As<T, short>(ref value) ^ unchecked((short)0x8000));
        if (typeof(T) == typeof(uint)) return Unsafe.As<T, uint>(ref value);
        if (typeof(T) == typeof(int)) return (uint)Unsafe.As<T, int>(ref value) ^ 0x8000_0000u;
        if (typeof(T) == typeof(long)) return (ulong)Unsafe.As<T, long>(ref value) ^ 0x8000_0000_0000_0000ul;
        if (typeof(T) == typeof(float))
        {
            var b = BitConverter.SingleToUInt32Bits(Unsafe.As<T, float>(ref value));
            return (b & 0x8000_0000u) != 0 ? ~b : b | 0x8000_0000u;
        }
        if (typeof(T) == typeof(double))
        {
            var b = BitConverter.DoubleToUInt64Bits(Unsafe.As<T, double>(ref value));
            return (b & 0x8000_0000_0000_0000ul) != 0 ? ~b : b | 0x8000_0000_0000_0000ul;
        }
        throw new NotSupportedException($"{typeof(T).Name} is not a voxel type");
    }

    /// <summary>Inverse of <see cref="Key{T}"/>, as a double.</summary>
    private static double ValueOfKey<T>(ulong key) where T : unmanaged
    {
        if (typeof(T) == typeof(byte)) return (byte)key;
        if (typeof(T) == typeof(sbyte)) return (sbyte)((byte)key ^ 0x80);
        if (typeof(T) == typeof(ushort)) return (ushort)key;
        if (typeof(T) == typeof(short)) return (short)((ushort)key ^ 0x8000);
        if (typeof(T) == typeof(uint)) return (uint)key;
        if (typeof(T) == typeof(int)) return (int)((uint)key ^ 0x8000_0000u);
        if (typeof(T) == typeof(long)) return (long)(key ^ 0x8000_0000_0000_0000ul);
        if (typeof(T) == typeof(float))
        {
            var b = (uint)key;
            return BitConverter.UInt32BitsToSingle((b & 0x8000_0000u) != 0 ? b & 0x7FFF_FFFFu : ~b);
        }
        if (typeof(T) == typeof(double))
            return BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000ul) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFul : ~key);
        throw new NotSupportedException($"{typeof(T).Name} is not a voxel type");
    }
}

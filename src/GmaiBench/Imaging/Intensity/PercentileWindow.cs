namespace GmaiBench.Imaging.Intensity;

/// <summary>
/// Intensity window from the low and high percentiles of a sample (nnU-Net / MedSAM practice), mapped
/// linearly to 0..255 with clipping. Percentiles use the nearest-rank definition on the sorted values,
/// computed exactly through a histogram for 16-bit data.
/// </summary>
public readonly record struct PercentileWindow(double Low, double High)
{
    /// <summary>Window over 16-bit values; <paramref name="lowPercent"/>, <paramref name="highPercent"/> in percent.</summary>
    public static PercentileWindow FromUInt16(ReadOnlySpan<ushort> values, double lowPercent, double highPercent)
    {
        if (values.IsEmpty) return new PercentileWindow(0, 0);
        var histogram = new long[65536];
        foreach (var v in values) histogram[v]++;
        return new PercentileWindow(Rank(histogram, values.Length, lowPercent), Rank(histogram, values.Length, highPercent));
    }

    /// <summary>Window from a histogram of 16-bit values (65536 bins) holding <paramref name="count"/> values.</summary>
    public static PercentileWindow FromHistogram(long[] histogram, long count, double lowPercent, double highPercent) =>
        count == 0 ? new PercentileWindow(0, 0) : new PercentileWindow(Rank(histogram, count, lowPercent), Rank(histogram, count, highPercent));

    private static double Rank(long[] histogram, long count, double percent)
    {
        // Nearest rank: the smallest value whose cumulative count reaches ceil(p/100 * n), at least 1.
        var target = Math.Max(1, (long)Math.Ceiling(percent / 100.0 * count));
        long cumulative = 0;
        for (var v = 0; v < histogram.Length; v++)
        {
            cumulative += histogram[v];
            if (cumulative >= target) return v;
        }
        return histogram.Length - 1;
    }

    /// <summary>Maps a value to 0..255: at or below Low is 0, at or above High is 255; a flat window gives 0.</summary>
    public byte Apply(double value)
    {
        if (High <= Low) return 0;
        if (value <= Low) return 0;
        if (value >= High) return 255;
        return (byte)Math.Round((value - Low) / (High - Low) * 255.0, MidpointRounding.AwayFromZero);
    }
}

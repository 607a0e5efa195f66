using System.Globalization;
using GmaiBench.Imaging.Intensity;

namespace GmaiBench.Imaging.Volumes;

/// <summary>A volume's mapping from physical values to 0..255 grey, computed once per volume and applied to each slice.</summary>
public readonly record struct DisplayWindow
{
    private DisplayWindow(VoiLinearWindow? voi, PercentileWindow? percentile)
    {
        Voi = voi;
        Percentile = percentile;
    }

    /// <summary>Set for a CT window.</summary>
    public VoiLinearWindow? Voi { get; }

    /// <summary>Set for a percentile window (MR and other non-quantitative modalities).</summary>
    public PercentileWindow? Percentile { get; }

    public static DisplayWindow FromVoi(VoiLinearWindow window) => new(window, null);

    public static DisplayWindow FromPercentile(PercentileWindow window) => new(null, window);

    /// <summary>Grey level of a physical value; NaN gives 0.</summary>
    public byte Apply(double value)
    {
        if (Voi is { } voi) return voi.Apply(value);
        if (double.IsNaN(value)) return 0;
        return Percentile is { } p ? p.Apply(value) : throw new InvalidOperationException("an empty display window");
    }

    /// <summary>Maps a span of physical values to grey levels.</summary>
    public void Apply(ReadOnlySpan<double> values, Span<byte> grey)
    {
        if (grey.Length < values.Length) throw new ArgumentException("the output is shorter than the input", nameof(grey));
        // The kind of window is chosen once per span, not per pixel.
        if (Voi is { } voi)
        {
            for (var n = 0; n < values.Length; n++) grey[n] = voi.Apply(values[n]);
        }
        else
        {
            var p = Percentile ?? throw new InvalidOperationException("an empty display window");
            for (var n = 0; n < values.Length; n++) grey[n] = double.IsNaN(values[n]) ? (byte)0 : p.Apply(values[n]);
        }
    }

    public override string ToString() =>
        Voi is { } voi ? voi.ToString()
        : Percentile is { } p ? string.Create(CultureInfo.InvariantCulture, $"percentile window {p.Low}..{p.High}")
        : "no window";
}

/// <summary>How a source's volumes are windowed: a CT preset, an explicit CT width/level, or non-zero percentiles.</summary>
public sealed record WindowSpec
{
    private WindowSpec(VoiLinearWindow? voi, double lowPercent, double highPercent)
    {
        Voi = voi;
        LowPercent = lowPercent;
        HighPercent = highPercent;
    }

    /// <summary>The CT window; null for a percentile window.</summary>
    public VoiLinearWindow? Voi { get; }

    public double LowPercent { get; }

    public double HighPercent { get; }

    /// <summary>The project default for CT: soft tissue, width 400 level 40.</summary>
    public static WindowSpec Default { get; } = CtPreset("soft_tissue");

    public static WindowSpec CtPreset(string name) => new(VoiLinearWindow.Preset(name), 0, 0);

    public static WindowSpec Ct(double width, double level) => new(new VoiLinearWindow(width, level), 0, 0);

    /// <summary>Percentiles of the non-zero voxels of the whole volume, default 0.5 and 99.5.</summary>
    public static WindowSpec Percentiles(double lowPercent = 0.5, double highPercent = 99.5)
    {
        if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100))
            throw new ArgumentOutOfRangeException(nameof(lowPercent), $"percentiles must satisfy 0 <= low < high <= 100, got {lowPercent} and {highPercent}");
        return new WindowSpec(null, lowPercent, highPercent);
    }

    /// <summary>The window for one volume: fixed for CT, one whole-volume pass for percentiles.</summary>
    public DisplayWindow Resolve(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return Voi is { } voi
            ? DisplayWindow.FromVoi(voi)
            : DisplayWindow.FromPercentile(VolumePercentiles.NonZero(volume, LowPercent, HighPercent));
    }
}

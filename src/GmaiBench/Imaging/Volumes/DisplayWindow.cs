using System.Globalization;
using GmaiBench.Imaging.Intensity;

namespace GmaiBench.Imaging.Volumes;

/// <summary>A volume's mapping from physical values to 0..255 grey, computed once per volume and applied to each slice.</summary>
public readonly record struct DisplayWindow
{
    private DisplayWindow(VoiLinearWindow? voi, PercentileWindow? percentile, string origin)
    {
        Voi = voi;
        Percentile = percentile;
        Origin = origin;
    }

    /// <summary>Where the window came from, for people: "the file's VOI window", "CT preset soft_tissue", "percentiles ...". Not part of equality.</summary>
    public string Origin { get; }

    /// <summary>Two windows are equal when they map values alike, whatever their stated origin.</summary>
    public bool Equals(DisplayWindow other) => Voi == other.Voi && Percentile == other.Percentile;

    public override int GetHashCode() => HashCode.Combine(Voi, Percentile);

    /// <summary>
    /// A window of zero width (a percentile window whose low and high percentiles coincide, as in a 0/255 mask image):
    /// it would paint every pixel one grey, so each slice is windowed by its own minimum and maximum instead.
    /// </summary>
    public bool IsDegenerate => Voi is null && !(Percentile is { } p && p.High > p.Low);

    /// <summary>The window a slice is drawn with: this one, or for a degenerate window the slice's own range.</summary>
    public DisplayWindow ForSlice(ReadOnlySpan<double> values, string where)
    {
        if (!IsDegenerate) return this;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (!(max > min)) throw new ConstantSliceException(where, double.IsFinite(min) ? min : double.NaN);
        return new DisplayWindow(null, new PercentileWindow(min, max), $"the slice's minimum and maximum ({Origin} has zero width)");
    }

    /// <summary>Set for a CT window.</summary>
    public VoiLinearWindow? Voi { get; }

    /// <summary>Set for a percentile window (MR and other non-quantitative modalities).</summary>
    public PercentileWindow? Percentile { get; }

    public static DisplayWindow FromVoi(VoiLinearWindow window, string origin = "a VOI window") => new(window, null, origin);

    public static DisplayWindow FromPercentile(PercentileWindow window, string origin = "percentiles") => new(null, window, origin);

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

    public static WindowSpec CtPreset(string name) => new(VoiLinearWindow.Preset(name), 0, 0) { Origin = $"CT preset {name}" };

    public static WindowSpec Ct(double width, double level) =>
        new(new VoiLinearWindow(width, level), 0, 0) { Origin = string.Create(CultureInfo.InvariantCulture, $"CT window width/level {width}/{level}") };

    /// <summary>Percentiles of the non-zero voxels of the whole volume, default 0.5 and 99.5.</summary>
    public static WindowSpec Percentiles(double lowPercent = 0.5, double highPercent = 99.5)
    {
        if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100))
            throw new ArgumentOutOfRangeException(nameof(lowPercent), $"percentiles must satisfy 0 <= low < high <= 100, got {lowPercent} and {highPercent}");
        return new WindowSpec(null, lowPercent, highPercent)
        {
            Origin = string.Create(CultureInfo.InvariantCulture, $"percentiles {lowPercent}-{highPercent} % of the volume's non-zero voxels"),
        };
    }

    /// <summary>The window for one volume: fixed for CT, one whole-volume pass for percentiles.</summary>
    public DisplayWindow Resolve(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return Voi is { } voi
            ? DisplayWindow.FromVoi(voi, Origin)
            : DisplayWindow.FromPercentile(VolumePercentiles.NonZero(volume, LowPercent, HighPercent), Origin);
    }

    /// <summary>Names the window for people: the preset or width/level, or the percentiles.</summary>
    public string Origin { get; init; } = "";

    public override string ToString() => Origin;
}

/// <summary>A slice that holds one value throughout: no window can show anything in it.</summary>
public sealed class ConstantSliceException(string where, double value)
    : InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{where} holds the single value {value:0.###} throughout: there is nothing to show"))
{
    public string Where { get; } = where;

    public double Value { get; } = value;
}

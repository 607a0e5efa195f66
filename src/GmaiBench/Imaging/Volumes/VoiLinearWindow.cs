using System.Globalization;

namespace GmaiBench.Imaging.Volumes;

/// <summary>A CT display window (width and level in Hounsfield units) applied with the DICOM VOI LINEAR function to 0..255.</summary>
public readonly record struct VoiLinearWindow
{
    /// <summary>Named CT presets, width / level in Hounsfield units (the project's documented defaults).</summary>
    public static IReadOnlyList<(string Name, VoiLinearWindow Window)> Presets { get; } =
    [
        ("soft_tissue", new VoiLinearWindow(400, 40)),
        ("lung", new VoiLinearWindow(1500, -600)),
        ("liver", new VoiLinearWindow(150, 90)),
        ("bone", new VoiLinearWindow(2500, 480)),
        ("brain", new VoiLinearWindow(80, 40)),
        ("mediastinum", new VoiLinearWindow(350, 50)),
    ];

    /// <param name="width">Window width; DICOM requires at least 1.</param>
    /// <param name="level">Window centre.</param>
    public VoiLinearWindow(double width, double level)
    {
        if (!double.IsFinite(width) || width < 1) throw new ArgumentOutOfRangeException(nameof(width), $"the window width must be at least 1 (DICOM PS3.3 C.11.2.1.2), got {width}");
        if (!double.IsFinite(level)) throw new ArgumentOutOfRangeException(nameof(level), $"the window level must be finite, got {level}");
        Width = width;
        Level = level;
    }

    public double Width { get; }

    public double Level { get; }

    /// <summary>The preset called <paramref name="name"/> (case-insensitive); the error lists the known names.</summary>
    public static VoiLinearWindow Preset(string name)
    {
        foreach (var (presetName, window) in Presets)
        {
            if (string.Equals(presetName, name, StringComparison.OrdinalIgnoreCase)) return window;
        }
        throw new ArgumentException($"unknown CT window preset '{name}'; known presets: {string.Join(", ", Presets.Select(p => p.Name))}", nameof(name));
    }

    /// <summary>
    /// DICOM PS3.3 C.11.2.1.2.1 VOI LINEAR with ymin 0 and ymax 255: x &lt;= c - 0.5 - (w-1)/2 gives 0,
    /// x &gt; c - 0.5 + (w-1)/2 gives 255, otherwise ((x - (c - 0.5)) / (w-1) + 0.5) x 255, rounded half away from zero.
    /// NaN gives 0.
    /// </summary>
    public byte Apply(double x)
    {
        var half = (Width - 1) / 2;
        var centre = Level - 0.5;
        if (!(x > centre - half)) return 0;
        if (x > centre + half) return 255;
        var y = ((x - centre) / (Width - 1) + 0.5) * 255.0;
        return (byte)Math.Clamp(Math.Round(y, MidpointRounding.AwayFromZero), 0, 255);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"VOI LINEAR width {Width} level {Level}");
}

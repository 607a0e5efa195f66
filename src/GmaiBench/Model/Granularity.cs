namespace GmaiBench.Model;

/// <summary>The four perceptual granularities of GMAI-MMBench: what part of the image a question is about.</summary>
public enum Granularity
{
    /// <summary>The whole image.</summary>
    Image,
    /// <summary>A region marked by a box.</summary>
    Box,
    /// <summary>A region marked by a translucent fill.</summary>
    Mask,
    /// <summary>A region marked by its outline.</summary>
    Contour,
}

/// <summary>The one place granularities are spelled: output columns, catalog rows, query values and keys.</summary>
public static class GranularityNames
{
    /// <summary>In the order reports and contact sheets list them.</summary>
    public static IReadOnlyList<Granularity> All { get; } = [Granularity.Image, Granularity.Box, Granularity.Mask, Granularity.Contour];

    public static string Text(this Granularity g) => g switch
    {
        Granularity.Image => "image",
        Granularity.Box => "box",
        Granularity.Mask => "mask",
        Granularity.Contour => "contour",
        _ => throw new ArgumentOutOfRangeException(nameof(g), g, "not a granularity"),
    };

    public static Granularity? TryParse(string? text) => text switch
    {
        "image" => Granularity.Image,
        "box" => Granularity.Box,
        "mask" => Granularity.Mask,
        "contour" => Granularity.Contour,
        _ => null,
    };

    public static Granularity Parse(string text) =>
        TryParse(text) ?? throw new FormatException($"'{text}' is not a granularity (image, box, mask, contour)");

    /// <summary>Whether items of this granularity carry a marked region.</summary>
    public static bool IsRegion(this Granularity g) => g != Granularity.Image;
}

using System.Globalization;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Imaging;

/// <summary>Colours written as <c>#rrggbb</c> in configuration (prompt colour, colour-coded label maps).</summary>
public static partial class HexColour
{
    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string text) => Pattern().IsMatch(text);

    public static Rgb24 Parse(string hex) => new(
        byte.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}

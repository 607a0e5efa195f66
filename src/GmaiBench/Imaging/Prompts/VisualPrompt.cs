using GmaiBench.Imaging.Regions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Imaging.Prompts;

/// <summary>How marks look: colour, mask opacity and line width (a fraction of the longer side, with a floor).</summary>
public sealed record PromptStyle
{
    public byte Red { get; init; } = 255;
    public byte Green { get; init; }
    public byte Blue { get; init; }
    /// <summary>Opacity of the mask fill, 0..1 (default 40 %).</summary>
    public double Alpha { get; init; } = 0.4;
    /// <summary>Line width as a fraction of the image's longer side (default 0.5 %).</summary>
    public double LineFraction { get; init; } = 0.005;
    public int MinLineWidth { get; init; } = 2;

    public Rgb24 Colour => new(Red, Green, Blue);

    /// <summary>Line width in pixels for an image of the given size.</summary>
    public int LineWidth(int width, int height) => Math.Max(MinLineWidth, (int)Math.Round(Math.Max(width, height) * LineFraction));
}

/// <summary>
/// Rasterises the three visual prompts on the final RGB image, on exact pixels (no anti-aliasing), so a mark can be
/// recomputed from the source annotation and compared pixel for pixel. Pure: the caller owns the image.
/// </summary>
public static class VisualPrompt
{
    /// <summary>Pixels a box outline covers: a ring of <paramref name="width"/> pixels just outside each box, clipped to the image.</summary>
    public static Region BoxPixels(int imageWidth, int imageHeight, IEnumerable<PixelBox> boxes, int width)
    {
        var pixels = new bool[imageWidth * imageHeight];
        foreach (var b in boxes)
        {
            var outer = new PixelBox(b.X0 - width, b.Y0 - width, b.X1 + width, b.Y1 + width).ClipTo(imageWidth, imageHeight);
            for (var y = outer.Y0; y <= outer.Y1; y++)
            for (var x = outer.X0; x <= outer.X1; x++)
                if (!b.Contains(x, y)) pixels[y * imageWidth + x] = true;
        }
        return new Region(imageWidth, imageHeight, pixels);
    }

    /// <summary>Draws box outlines enclosing each box.</summary>
    public static void Box(Image<Rgb24> image, IEnumerable<PixelBox> boxes, PromptStyle style) =>
        Paint(image, BoxPixels(image.Width, image.Height, boxes, style.LineWidth(image.Width, image.Height)), style.Colour, 1);

    /// <summary>Draws the region's outline ring.</summary>
    public static void Contour(Image<Rgb24> image, Region region, PromptStyle style) =>
        Paint(image, region.Outline(style.LineWidth(image.Width, image.Height)), style.Colour, 1);

    /// <summary>Blends the colour over exactly the region's pixels.</summary>
    public static void Mask(Image<Rgb24> image, Region region, PromptStyle style) => Paint(image, region, style.Colour, style.Alpha);

    /// <summary>out = round((1 - a) * pixel + a * colour) on the marked pixels.</summary>
    public static Rgb24 Blend(Rgb24 p, Rgb24 c, double a) => new(
        (byte)Math.Round((1 - a) * p.R + a * c.R, MidpointRounding.AwayFromZero),
        (byte)Math.Round((1 - a) * p.G + a * c.G, MidpointRounding.AwayFromZero),
        (byte)Math.Round((1 - a) * p.B + a * c.B, MidpointRounding.AwayFromZero));

    private static void Paint(Image<Rgb24> image, Region marked, Rgb24 colour, double alpha)
    {
        if (marked.Width != image.Width || marked.Height != image.Height)
            throw new ArgumentException($"mark grid {marked.Width}x{marked.Height} differs from image {image.Width}x{image.Height}");
        for (var y = 0; y < image.Height; y++)
        for (var x = 0; x < image.Width; x++)
            if (marked.Pixels[y * image.Width + x]) image[x, y] = alpha >= 1 ? colour : Blend(image[x, y], colour, alpha);
    }
}

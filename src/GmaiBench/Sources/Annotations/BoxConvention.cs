using GmaiBench.Imaging.Regions;

namespace GmaiBench.Sources.Annotations;

/// <summary>How a source writes box coordinates.</summary>
public enum BoxFormat { Xyxy, Xywh }

/// <summary>
/// <c>PixelEdge</c>: continuous coordinates where pixel i spans [i, i+1) (COCO's bbox). <c>PixelIndex</c>: 0-based
/// inclusive pixel indices. <c>OneBasedIndex</c>: 1-based inclusive pixel indices (Pascal VOC's bndbox).
/// </summary>
public enum BoxCoordinates { PixelEdge, PixelIndex, OneBasedIndex }

/// <summary>Converts source box coordinates to whole-pixel boxes, refusing empty, inverted and negative boxes.</summary>
public static class BoxConvention
{
    /// <summary>The pixel box, or null with the reason (<c>negative-size</c>, <c>empty-box</c>, <c>inverted-box</c>, <c>bad-box</c>).</summary>
    public static PixelBox? ToPixels(double a, double b, double c, double d, BoxFormat format, BoxCoordinates coordinates, out string? reason, out string? message)
    {
        reason = null;
        message = null;
        if (!double.IsFinite(a) || !double.IsFinite(b) || !double.IsFinite(c) || !double.IsFinite(d))
        {
            (reason, message) = ("bad-box", "a box coordinate is not a finite number");
            return null;
        }
        if (format == BoxFormat.Xywh)
        {
            if (c < 0 || d < 0) { (reason, message) = ("negative-size", $"width {c} and height {d} must not be negative"); return null; }
            if (coordinates == BoxCoordinates.PixelEdge)
            {
                if (c == 0 || d == 0) { (reason, message) = ("empty-box", $"width {c} x height {d} covers no pixel"); return null; }
                (c, d) = (a + c, b + d);
            }
            else
            {
                if (c < 1 || d < 1) { (reason, message) = ("empty-box", $"width {c} x height {d} covers no whole pixel"); return null; }
                (c, d) = (a + c - 1, b + d - 1);
            }
        }
        if (c < a || d < b) { (reason, message) = ("inverted-box", $"corner ({c}, {d}) lies before ({a}, {b})"); return null; }
        if (coordinates == BoxCoordinates.PixelEdge && (c == a || d == b))
        {
            (reason, message) = ("empty-box", "the box has zero width or height");
            return null;
        }
        return coordinates switch
        {
            BoxCoordinates.PixelEdge => new((int)Math.Floor(a), (int)Math.Floor(b), (int)Math.Ceiling(c) - 1, (int)Math.Ceiling(d) - 1),
            BoxCoordinates.PixelIndex => new((int)Math.Round(a), (int)Math.Round(b), (int)Math.Round(c), (int)Math.Round(d)),
            _ => new((int)Math.Round(a) - 1, (int)Math.Round(b) - 1, (int)Math.Round(c) - 1, (int)Math.Round(d) - 1),
        };
    }

    /// <summary>
    /// Maps an inclusive box on a source grid to the grid of a resized image: its pixel edges are scaled, then the
    /// covering whole pixels taken, so the scaled box still encloses every pixel the source box covered.
    /// </summary>
    public static PixelBox Scale(PixelBox box, int fromWidth, int fromHeight, int toWidth, int toHeight)
    {
        if (fromWidth == toWidth && fromHeight == toHeight) return box;
        double sx = (double)toWidth / fromWidth, sy = (double)toHeight / fromHeight;
        return new PixelBox(
            (int)Math.Floor(box.X0 * sx + 1e-9), (int)Math.Floor(box.Y0 * sy + 1e-9),
            (int)Math.Ceiling((box.X1 + 1) * sx - 1e-9) - 1, (int)Math.Ceiling((box.Y1 + 1) * sy - 1e-9) - 1);
    }
}

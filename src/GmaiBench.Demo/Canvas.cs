using GmaiBench.Model;

namespace GmaiBench.Demo;

/// <summary>A small floating-point RGB raster for drawing the synthetic demo images (values 0..1).</summary>
public sealed class Canvas(int width, int height)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public float[] R { get; } = new float[width * height];
    public float[] G { get; } = new float[width * height];
    public float[] B { get; } = new float[width * height];

    public void Fill(float r, float g, float b)
    {
        Array.Fill(R, r); Array.Fill(G, g); Array.Fill(B, b);
    }

    /// <summary>Blends a colour into an ellipse with a soft edge; <paramref name="alpha"/> at the centre.</summary>
    public void Ellipse(double cx, double cy, double rx, double ry, float r, float g, float b, double alpha = 1, double softness = 0.15, double falloff = 0)
    {
        int x0 = Math.Max(0, (int)(cx - rx - 2)), x1 = Math.Min(Width - 1, (int)(cx + rx + 2));
        int y0 = Math.Max(0, (int)(cy - ry - 2)), y1 = Math.Min(Height - 1, (int)(cy + ry + 2));
        for (var y = y0; y <= y1; y++)
        for (var x = x0; x <= x1; x++)
        {
            var dx = (x - cx) / rx;
            var dy = (y - cy) / ry;
            var d = Math.Sqrt(dx * dx + dy * dy);
            if (d > 1) continue;
            var edge = softness <= 0 ? 1 : Math.Clamp((1 - d) / softness, 0, 1);
            var a = alpha * edge * (1 - falloff * d);
            Blend(y * Width + x, r, g, b, a);
        }
    }

    /// <summary>A thick line from (x0, y0) to (x1, y1).</summary>
    public void Line(double x0, double y0, double x1, double y1, double thickness, float r, float g, float b, double alpha = 1)
    {
        var len = Math.Max(1, Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)));
        var steps = (int)(len * 2);
        for (var i = 0; i <= steps; i++)
        {
            var t = (double)i / steps;
            Ellipse(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, thickness / 2, thickness / 2, r, g, b, alpha * 0.6, 0.5);
        }
    }

    /// <summary>Adds zero-mean uniform noise of the given amplitude, from the project's PRNG.</summary>
    public void Noise(Prng rng, float amplitude)
    {
        for (var i = 0; i < R.Length; i++)
        {
            var n = (float)((rng.NextUInt64() >> 11) * (1.0 / (1UL << 53)) - 0.5) * amplitude;
            R[i] += n; G[i] += n; B[i] += n;
        }
    }

    private void Blend(int i, float r, float g, float b, double a)
    {
        var fa = (float)a;
        R[i] += (r - R[i]) * fa; G[i] += (g - G[i]) * fa; B[i] += (b - B[i]) * fa;
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
}

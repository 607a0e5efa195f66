namespace GmaiBench.Imaging.Regions;

/// <summary>An axis-aligned box of whole pixels, inclusive on both ends (x0..x1, y0..y1).</summary>
public readonly record struct PixelBox(int X0, int Y0, int X1, int Y1)
{
    public int Width => X1 - X0 + 1;
    public int Height => Y1 - Y0 + 1;
    public bool IsEmpty => X1 < X0 || Y1 < Y0;
    public int Area => IsEmpty ? 0 : Width * Height;

    public bool Contains(int x, int y) => x >= X0 && x <= X1 && y >= Y0 && y <= Y1;

    /// <summary>The part of the box inside a width x height image (possibly empty).</summary>
    public PixelBox ClipTo(int width, int height) => new(Math.Max(0, X0), Math.Max(0, Y0), Math.Min(width - 1, X1), Math.Min(height - 1, Y1));

    public override string ToString() => $"[{X0},{Y0}]-[{X1},{Y1}]";
}

/// <summary>An 8-connected component of a region: its area in pixels and bounding box.</summary>
public readonly record struct Component(int Area, PixelBox Box);

/// <summary>A binary region on a width x height pixel grid (row-major, x fastest).</summary>
public sealed class Region
{
    public int Width { get; }
    public int Height { get; }
    public bool[] Pixels { get; }

    public Region(int width, int height, bool[] pixels)
    {
        if (pixels.Length != width * height) throw new ArgumentException($"{pixels.Length} pixels do not fill {width}x{height}");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public bool this[int x, int y] => x >= 0 && y >= 0 && x < Width && y < Height && Pixels[y * Width + x];

    public int Area => Pixels.AsSpan().Count(true);

    /// <summary>The pixels of a label map equal to <paramref name="value"/>.</summary>
    public static Region OfLabel(ReadOnlySpan<int> labels, int width, int height, int value)
    {
        var pixels = new bool[width * height];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = labels[i] == value;
        return new Region(width, height, pixels);
    }

    /// <summary>The pixels inside any of <paramref name="boxes"/> (clipped to the grid).</summary>
    public static Region OfBoxes(int width, int height, IEnumerable<PixelBox> boxes)
    {
        var pixels = new bool[width * height];
        foreach (var b in boxes.Select(b => b.ClipTo(width, height)).Where(b => !b.IsEmpty))
            for (var y = b.Y0; y <= b.Y1; y++)
                Array.Fill(pixels, true, y * width + b.X0, b.Width);
        return new Region(width, height, pixels);
    }

    /// <summary>Bounding box of all pixels (empty when the region is).</summary>
    public PixelBox Bounds()
    {
        int x0 = Width, y0 = Height, x1 = -1, y1 = -1;
        for (var y = 0; y < Height; y++)
        for (var x = 0; x < Width; x++)
        {
            if (!Pixels[y * Width + x]) continue;
            x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
        }
        return new PixelBox(x0, y0, x1, y1);
    }

    /// <summary>8-connected components, in raster order of their first pixel.</summary>
    public List<Component> Components()
    {
        var seen = new bool[Pixels.Length];
        var result = new List<Component>();
        var stack = new Stack<int>();
        for (var start = 0; start < Pixels.Length; start++)
        {
            if (!Pixels[start] || seen[start]) continue;
            int area = 0, x0 = Width, y0 = Height, x1 = -1, y1 = -1;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                int px = p % Width, py = p / Width;
                area++;
                x0 = Math.Min(x0, px); x1 = Math.Max(x1, px); y0 = Math.Min(y0, py); y1 = Math.Max(y1, py);
                for (var dy = -1; dy <= 1; dy++)
                for (var dx = -1; dx <= 1; dx++)
                {
                    int nx = px + dx, ny = py + dy;
                    if (nx < 0 || ny < 0 || nx >= Width || ny >= Height) continue;
                    var n = ny * Width + nx;
                    if (Pixels[n] && !seen[n]) { seen[n] = true; stack.Push(n); }
                }
            }
            result.Add(new Component(area, new PixelBox(x0, y0, x1, y1)));
        }
        return result;
    }

    /// <summary>
    /// The outline ring: pixels outside the region within Chebyshev distance <paramref name="width"/> of it. Drawn
    /// outside, the outline traces the boundary without hiding the region itself (holes get their own ring).
    /// </summary>
    public Region Outline(int width)
    {
        var ring = new bool[Pixels.Length];
        for (var y = 0; y < Height; y++)
        for (var x = 0; x < Width; x++)
        {
            if (!Pixels[y * Width + x]) continue;
            for (var yy = Math.Max(0, y - width); yy <= Math.Min(Height - 1, y + width); yy++)
            for (var xx = Math.Max(0, x - width); xx <= Math.Min(Width - 1, x + width); xx++)
                if (!Pixels[yy * Width + xx]) ring[yy * Width + xx] = true;
        }
        return new Region(Width, Height, ring);
    }

    /// <summary>Inner boundary: region pixels with a 4-neighbour outside the region or beyond the image edge.</summary>
    public Region Boundary()
    {
        var edge = new bool[Pixels.Length];
        for (var y = 0; y < Height; y++)
        for (var x = 0; x < Width; x++)
            edge[y * Width + x] = Pixels[y * Width + x] && (!this[x - 1, y] || !this[x + 1, y] || !this[x, y - 1] || !this[x, y + 1]);
        return new Region(Width, Height, edge);
    }
}

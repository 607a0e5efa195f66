namespace GmaiBench.Imaging.Colour;

/// <summary>How three colour samples are stored: one pixel's samples together, or one plane per sample (DICOM Planar Configuration).</summary>
public enum PlanarConfiguration
{
    /// <summary>R1 G1 B1 R2 G2 B2 ... (Planar Configuration 0).</summary>
    ByPixel = 0,

    /// <summary>R1 R2 ... G1 G2 ... B1 B2 ... (Planar Configuration 1).</summary>
    ByPlane = 1,
}

/// <summary>
/// Pure conversions of one frame of colour samples to 8-bit RGB, interleaved (R G B per pixel, row by row). Formulas
/// from DICOM PS3.3 C.7.6.3.1.2 (YBR_FULL and YBR_FULL_422 are ITU-R BT.601 full range YCbCr) and C.7.6.3.1.5 (palettes).
/// </summary>
public static class ColourSamples
{
    /// <summary>Three samples per pixel of 8 bits, as RGB, by pixel or by plane.</summary>
    public static byte[] FromRgb(ReadOnlySpan<byte> samples, int pixels, PlanarConfiguration planar)
    {
        Need(samples, pixels * 3);
        var rgb = new byte[pixels * 3];
        if (planar == PlanarConfiguration.ByPixel) samples[..rgb.Length].CopyTo(rgb);
        else
        {
            for (var n = 0; n < pixels; n++)
            {
                rgb[n * 3] = samples[n];
                rgb[n * 3 + 1] = samples[pixels + n];
                rgb[n * 3 + 2] = samples[2 * pixels + n];
            }
        }
        return rgb;
    }

    /// <summary>The inverse reordering: interleaved samples (R G B R G B ...) as three planes (R...R G...G B...B).</summary>
    public static byte[] ToPlanes(ReadOnlySpan<byte> interleaved)
    {
        var pixels = interleaved.Length / 3;
        var planes = new byte[pixels * 3];
        for (var n = 0; n < pixels; n++)
            for (var c = 0; c < 3; c++) planes[c * pixels + n] = interleaved[n * 3 + c];
        return planes;
    }

    /// <summary>YBR_FULL: full-range Y, Cb, Cr (by pixel or by plane) to RGB, rounded and clamped to 0..255.</summary>
    public static byte[] FromYbrFull(ReadOnlySpan<byte> samples, int pixels, PlanarConfiguration planar)
    {
        var ybr = FromRgb(samples, pixels, planar);   // the same reordering: Y, Cb, Cr take the places of R, G, B
        for (var n = 0; n < pixels; n++) Ybr(ybr[n * 3], ybr[n * 3 + 1], ybr[n * 3 + 2], ybr.AsSpan(n * 3, 3));
        return ybr;
    }

    /// <summary>
    /// YBR_FULL_422 as stored uncompressed: per two horizontally adjacent pixels Y1 Y2 Cb Cr (always by pixel). The
    /// chrominance is upsampled by giving both pixels of a pair the pair's Cb and Cr (replication, as the standard's
    /// sampling is co-sited with the first pixel). <paramref name="columns"/> must be even.
    /// </summary>
    public static byte[] FromYbrFull422(ReadOnlySpan<byte> samples, int columns, int rows)
    {
        if (columns % 2 != 0) throw new ArgumentException($"YBR_FULL_422 needs an even number of columns, got {columns}", nameof(columns));
        var pixels = columns * rows;
        Need(samples, pixels * 2);
        var rgb = new byte[pixels * 3];
        for (var pair = 0; pair < pixels / 2; pair++)
        {
            byte y1 = samples[pair * 4], y2 = samples[pair * 4 + 1], cb = samples[pair * 4 + 2], cr = samples[pair * 4 + 3];
            Ybr(y1, cb, cr, rgb.AsSpan(pair * 6, 3));
            Ybr(y2, cb, cr, rgb.AsSpan(pair * 6 + 3, 3));
        }
        return rgb;
    }

    /// <summary>PALETTE COLOR: each index through the red, green and blue tables (16-bit entries, the high byte kept); indices outside clamp to the ends.</summary>
    public static byte[] FromPalette(ReadOnlySpan<ushort> indices, int first, ushort[] red, ushort[] green, ushort[] blue)
    {
        ArgumentNullException.ThrowIfNull(red);
        ArgumentNullException.ThrowIfNull(green);
        ArgumentNullException.ThrowIfNull(blue);
        var rgb = new byte[indices.Length * 3];
        for (var n = 0; n < indices.Length; n++)
        {
            rgb[n * 3] = Entry(red, indices[n] - first);
            rgb[n * 3 + 1] = Entry(green, indices[n] - first);
            rgb[n * 3 + 2] = Entry(blue, indices[n] - first);
        }
        return rgb;
    }

    /// <summary>Samples of more than 8 bits (in <paramref name="bitsStored"/>) brought to 8 bits by dropping the low bits.</summary>
    public static byte[] To8Bit(ReadOnlySpan<ushort> samples, int bitsStored)
    {
        var shift = Math.Max(0, bitsStored - 8);
        var bytes = new byte[samples.Length];
        for (var n = 0; n < samples.Length; n++) bytes[n] = (byte)Math.Min(255, samples[n] >> shift);
        return bytes;
    }

    /// <summary>BT.601 luma of RGB, rounded: the grey an RGB pixel stands for where one value is needed.</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)Math.Clamp(Math.Round(0.299 * r + 0.587 * g + 0.114 * b, MidpointRounding.AwayFromZero), 0, 255);

    private static byte Entry(ushort[] table, int index) => (byte)(table[Math.Clamp(index, 0, table.Length - 1)] >> 8);

    /// <summary>PS3.3 C.7.6.3.1.2: R = Y + 1.402 (Cr - 128), G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128), B = Y + 1.772 (Cb - 128).</summary>
    private static void Ybr(byte y, byte cb, byte cr, Span<byte> rgb)
    {
        double b = cb - 128.0, r = cr - 128.0;
        rgb[0] = Clamp(y + 1.402 * r);
        rgb[1] = Clamp(y - 0.344136 * b - 0.714136 * r);
        rgb[2] = Clamp(y + 1.772 * b);
    }

    private static byte Clamp(double v) => (byte)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, 255);

    private static void Need(ReadOnlySpan<byte> samples, int count)
    {
        if (samples.Length < count) throw new ArgumentException($"{samples.Length} samples for {count} needed", nameof(samples));
    }
}

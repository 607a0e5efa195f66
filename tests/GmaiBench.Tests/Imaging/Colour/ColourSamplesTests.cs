using GmaiBench.Imaging.Colour;

namespace GmaiBench.Tests.Imaging.Colour;

/// <summary>The pure colour conversions on tiny literal inputs, expected values worked out by hand.</summary>
public class ColourSamplesTests
{
    [Fact]
    public void Planes_and_pixels_reorder_into_each_other()
    {
        byte[] interleaved = [1, 2, 3, 4, 5, 6];
        Assert.Equal(new byte[] { 1, 4, 2, 5, 3, 6 }, ColourSamples.ToPlanes(interleaved));
        Assert.Equal(interleaved, ColourSamples.FromRgb(ColourSamples.ToPlanes(interleaved), 2, PlanarConfiguration.ByPlane));
    }

    [Fact]
    public void Ybr_full_follows_the_standard_formula_rounded_and_clamped()
    {
        // (Y, Cb, Cr) = (128, 128, 128) is mid grey; (255, 128, 255): R = 255 + 1.402 x 127 clamps to 255, G = 255 - 0.714136 x 127 = 164.3.
        Assert.Equal(new byte[] { 128, 128, 128, 255, 164, 255 }, ColourSamples.FromYbrFull([128, 128, 128, 255, 128, 255], 2, PlanarConfiguration.ByPixel));
    }

    [Fact]
    public void Samples_over_eight_bits_keep_their_top_eight_and_palette_indices_clamp()
    {
        Assert.Equal(new byte[] { 0, 255, 128 }, ColourSamples.To8Bit([0x00F, 0xFFF, 0x800], 12));
        Assert.Equal(new byte[] { 1, 2, 3, 1, 2, 3 }, ColourSamples.FromPalette([0, 5], 0, [0x0100], [0x0200], [0x0300]));
        Assert.Equal(76, ColourSamples.Luma(255, 0, 0));
    }
}

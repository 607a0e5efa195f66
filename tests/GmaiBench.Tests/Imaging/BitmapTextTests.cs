using GmaiBench.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Imaging;

public class BitmapTextTests
{
    [Fact]
    public void A_glyph_is_drawn_pixel_exact_and_lower_case_as_capitals()
    {
        using var img = new Image<Rgb24>(12, 8);
        var ink = new Rgb24(255, 255, 255);
        BitmapText.Draw(img, 0, 0, "l1", ink);
        // 'L': the left column and the bottom row of the first cell.
        for (var y = 0; y < 7; y++) Assert.Equal(ink, img[0, y]);
        for (var x = 0; x < 5; x++) Assert.Equal(ink, img[x, 6]);
        Assert.Equal(default, img[1, 0]);
        // '1' starts one pixel after the 5-pixel cell: its stem is the cell's middle column.
        Assert.Equal(ink, img[6 + 2, 0]);
        Assert.Equal(default, img[5, 3]);   // the gap between cells stays empty
    }

    [Fact]
    public void Text_is_cut_to_fit_with_two_dots_and_measured_exactly()
    {
        Assert.Equal(5 * 6 - 1, BitmapText.Width("ABCDE"));
        Assert.Equal("ABCDE", BitmapText.Fit("ABCDE", 29));
        Assert.Equal("AB..", BitmapText.Fit("ABCDE", 28));
        using var img = new Image<Rgb24>(4, 4);
        BitmapText.Draw(img, -3, -3, "W", new Rgb24(1, 2, 3));   // partly outside: clipped, no exception
    }
}

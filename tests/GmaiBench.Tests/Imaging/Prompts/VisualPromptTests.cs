using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Imaging.Prompts;

/// <summary>Exact-pixel golden tests: masks and expected marks drawn as text ('#' set, '.' clear).</summary>
public class VisualPromptTests
{
    public static Region Parse(string art)
    {
        var rows = art.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var w = rows[0].Length;
        return new Region(w, rows.Length, rows.SelectMany(r => r.Select(c => c == '#')).ToArray());
    }

    public static string Art(Region r) =>
        string.Join("\n", Enumerable.Range(0, r.Height).Select(y => new string(Enumerable.Range(0, r.Width).Select(x => r[x, y] ? '#' : '.').ToArray())));

    private static string Clean(string art) => string.Join("\n", art.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private const string TwoComponents = """
        ..........
        .##.......
        .##.....#.
        .......##.
        ..........
        """;

    [Fact]
    public void Components_are_8_connected_with_areas_and_boxes()
    {
        var c = Parse(TwoComponents).Components();
        Assert.Equal([new Component(4, new PixelBox(1, 1, 2, 2)), new Component(3, new PixelBox(7, 2, 8, 3))], c);
    }

    [Fact]
    public void Outline_of_two_components_is_a_ring_outside_each()
    {
        var expected = """
            ####......
            #..#...###
            #..#..##.#
            ####..#..#
            ......####
            """;
        Assert.Equal(Clean(expected), Art(Parse(TwoComponents).Outline(1)));
    }

    [Fact]
    public void Outline_of_a_ring_shaped_region_traces_the_hole_too()
    {
        var ring = Parse("""
            .......
            .#####.
            .#...#.
            .#...#.
            .#####.
            .......
            """);
        var expected = """
            #######
            #.....#
            #.###.#
            #.###.#
            #.....#
            #######
            """;
        Assert.Equal(Clean(expected), Art(ring.Outline(1)));
        Assert.Single(ring.Components());
    }

    [Fact]
    public void Marks_of_a_region_touching_the_border_are_clipped_to_the_image()
    {
        var corner = Parse("""
            ##....
            ##....
            ......
            """);
        Assert.Equal(Clean("""
            ..##..
            ..##..
            ####..
            """), Art(corner.Outline(2)));
        var box = VisualPrompt.BoxPixels(6, 3, [new PixelBox(0, 0, 1, 1)], 1);
        Assert.Equal(Clean("""
            ..#...
            ..#...
            ###...
            """), Art(box));
        Assert.Equal(Clean("""
            #.....
            ##....
            ......
            """), Art(Parse("""
            #.....
            ##....
            ......
            """).Boundary()));
    }

    [Fact]
    public void Box_outline_encloses_the_box_without_covering_it()
    {
        var box = VisualPrompt.BoxPixels(7, 6, [new PixelBox(2, 2, 3, 3)], 1);
        Assert.Equal(Clean("""
            .......
            .####..
            .#..#..
            .#..#..
            .####..
            .......
            """), Art(box));
    }

    [Fact]
    public void Rendering_paints_exact_pixels_with_colour_and_alpha()
    {
        using var img = new Image<Rgb24>(10, 5, new Rgb24(100, 50, 0));
        var region = Parse(TwoComponents);
        VisualPrompt.Mask(img, region, new PromptStyle());
        // 0.6 * 100 + 0.4 * 255 = 162; 0.6 * 50 = 30; 0
        Assert.Equal(new Rgb24(162, 30, 0), img[1, 1]);
        Assert.Equal(new Rgb24(100, 50, 0), img[0, 0]);

        using var c = new Image<Rgb24>(10, 5, new Rgb24(0, 0, 0));
        VisualPrompt.Contour(c, region, new PromptStyle { MinLineWidth = 1, LineFraction = 0 });
        var painted = new Region(10, 5, Enumerable.Range(0, 50).Select(i => c[i % 10, i / 10].R == 255).ToArray());
        Assert.Equal(Art(region.Outline(1)), Art(painted));
    }

    [Fact]
    public void Line_width_scales_with_the_image_and_has_a_floor()
    {
        var s = new PromptStyle();
        Assert.Equal(2, s.LineWidth(100, 80));
        Assert.Equal(5, s.LineWidth(1024, 768));
    }
}

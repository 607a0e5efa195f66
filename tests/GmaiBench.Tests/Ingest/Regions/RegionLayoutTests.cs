using GmaiBench.Model;
using GmaiBench.Imaging.Regions;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources.Layouts;
using GmaiBench.Ingest.Regions;
using GmaiBench.Pipeline;
using GmaiBench.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Ingest;

namespace GmaiBench.Tests.Ingest.Regions;

public class RegionLayoutTests
{
    private static SourceDefinition Source(string root, string layout, LayoutOptions options) => new()
    {
        Id = "src", Name = "S", License = "MIT", Layout = LayoutRegistry.Find(layout)!, Root = root, Modality = "CT", Task = "DD", Options = options,
    };

    private static void Image(string path, int w = 40, int h = 30)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = new Image<Rgb24>(w, h, new Rgb24(50, 50, 50));
        img.SaveAsPng(path);
    }

    [Theory]
    // COCO: continuous pixel edges; [x, y, w, h] = [2.5, 3, 4, 2] covers pixels x 2..6, y 3..4.
    [InlineData(2.5, 3, 4, 2, BoxFormat.Xywh, BoxCoordinates.PixelEdge, 2, 3, 6, 4)]
    [InlineData(2, 3, 6, 5, BoxFormat.Xyxy, BoxCoordinates.PixelEdge, 2, 3, 5, 4)]
    // Pixel indices, inclusive: [2, 3, 6, 4] is x 2..6, y 3..4; as xywh a width of 5 pixels.
    [InlineData(2, 3, 6, 4, BoxFormat.Xyxy, BoxCoordinates.PixelIndex, 2, 3, 6, 4)]
    [InlineData(2, 3, 5, 2, BoxFormat.Xywh, BoxCoordinates.PixelIndex, 2, 3, 6, 4)]
    // Pascal VOC: 1-based inclusive.
    [InlineData(3, 4, 7, 5, BoxFormat.Xyxy, BoxCoordinates.OneBasedIndex, 2, 3, 6, 4)]
    public void Box_conventions_map_to_the_same_pixels(double a, double b, double c, double d, BoxFormat f, BoxCoordinates k, int x0, int y0, int x1, int y1)
    {
        Assert.Equal(new PixelBox(x0, y0, x1, y1), BoxConvention.ToPixels(a, b, c, d, f, k, out _, out _));
    }

    [Theory]
    [InlineData(2, 3, -1, 4, BoxFormat.Xywh, "negative-size")]
    [InlineData(2, 3, 0, 4, BoxFormat.Xywh, "empty-box")]
    [InlineData(6, 3, 2, 4, BoxFormat.Xyxy, "inverted-box")]
    [InlineData(double.NaN, 3, 2, 4, BoxFormat.Xyxy, "bad-box")]
    public void Bad_boxes_are_refused_with_a_reason(double a, double b, double c, double d, BoxFormat f, string reason)
    {
        Assert.Null(BoxConvention.ToPixels(a, b, c, d, f, BoxCoordinates.PixelEdge, out var r, out var message));
        Assert.Equal(reason, r);
        Assert.False(string.IsNullOrEmpty(message));
    }

    [Fact]
    public void Scaling_keeps_the_box_enclosing_what_it_covered()
    {
        Assert.Equal(new PixelBox(1, 1, 3, 2), BoxConvention.Scale(new PixelBox(2, 3, 6, 4), 40, 30, 20, 15));
        Assert.Equal(new PixelBox(2, 3, 6, 4), BoxConvention.Scale(new PixelBox(2, 3, 6, 4), 40, 30, 40, 30));
    }

    [Fact]
    public void Voc_reads_boxes_and_rejects_malformed_objects()
    {
        var root = TestData.TempDir("voc");
        Image(Path.Combine(root, "JPEGImages", "a.png"));
        Directory.CreateDirectory(Path.Combine(root, "Annotations"));
        File.WriteAllText(Path.Combine(root, "Annotations", "a.xml"), """
            <annotation><filename>a.png</filename><size><width>40</width><height>30</height></size>
              <object><name>nodule</name><bndbox><xmin>3</xmin><ymin>4</ymin><xmax>7</xmax><ymax>5</ymax></bndbox></object>
              <object><name>nodule</name><bndbox><xmin>9</xmin><ymin>4</ymin><xmax>7</xmax><ymax>5</ymax></bndbox></object>
              <object><name>mass</name><bndbox><xmin>100</xmin><ymin>100</ymin><xmax>120</xmax><ymax>110</ymax></bndbox></object>
              <object><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>
            </annotation>
            """);
        File.WriteAllText(Path.Combine(root, "Annotations", "b.xml"), "<annotation><filename>missing.png</filename>");
        File.WriteAllText(Path.Combine(root, "Annotations", "c.xml"), "<annotation><filename>nope.png</filename><object><name>x</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>");
        var d = new VocLayout().Discover(Source(root, "voc", new VocOptions("Annotations", "JPEGImages")));
        var item = Assert.Single(d.Items);
        var boxes = ((BoxAnnotation)item.Annotation!).Boxes;
        Assert.Equal([new PixelBox(2, 3, 6, 4)], boxes.Select(b => b.Box));
        Assert.Equal(["nodule"], item.RawLabels);
        var reasons = d.Rejects.Select(r => r.Reason).Order().ToList();
        Assert.Equal(["bad-annotation-file", "box-outside-image", "inverted-box", "missing-file", "unknown-category"], reasons);
        Assert.Contains(d.Rejects, r => r.Path == "Annotations/a.xml#object[1]" && r.Reason == "inverted-box");
    }

    [Fact]
    public void Csv_boxes_with_a_group_column_names_patient_groups()
    {
        // Regression: the build warned "names no patient group" for csv-boxes sources whose table has a group column.
        var root = TestData.TempDir("csvboxes-groups");
        var with = new CsvBoxesOptions("boxes.csv", "file", "label", BoxFormat.Xywh, BoxCoordinates.PixelIndex, "img", "patient");
        var without = with with { GroupColumn = null };
        ISourceLayout layout = new CsvBoxesLayout();
        Assert.True(layout.NamesPatientGroups(Source(root, "csv-boxes", with)));
        Assert.False(layout.NamesPatientGroups(Source(root, "csv-boxes", without)));
        Assert.True(((ISourceLayout)new ImageFolderLayout()).NamesPatientGroups(Source(root, "image-folder", new ImageFolderOptions([".png"])) with { GroupPattern = "^(?<group>[^_]+)_" }));
        Assert.True(new DicomLayout().NamesPatientGroups(Source(root, "dicom", without)));
    }

    [Fact]
    public void Csv_boxes_group_rows_by_image()
    {
        var root = TestData.TempDir("csvboxes");
        Image(Path.Combine(root, "img", "a.png"));
        Image(Path.Combine(root, "img", "b.png"));
        File.WriteAllText(Path.Combine(root, "boxes.csv"), "file,label,x,y,w,h\na.png,cell,1,1,4,4\na.png,cell,10,10,3,3\nb.png,blob,0,0,5,5\nb.png,blob,0,0,-5,5\nc.png,blob,0,0,5,5\n");
        var o = new CsvBoxesOptions("boxes.csv", "file", "label", BoxFormat.Xywh, BoxCoordinates.PixelIndex, "img", null);
        var d = new CsvBoxesLayout().Discover(Source(root, "csv-boxes", o));
        Assert.Equal(["src/img/a.png", "src/img/b.png"], d.Items.Select(i => i.Key));
        Assert.Equal([new PixelBox(1, 1, 4, 4), new PixelBox(10, 10, 12, 12)], ((BoxAnnotation)d.Items[0].Annotation!).Boxes.Select(b => b.Box));
        Assert.Equal(["missing-file", "negative-size"], d.Rejects.Select(r => r.Reason).Order());
    }

    [Fact]
    public void Label_maps_read_by_grey_value_palette_index_and_colour()
    {
        var dir = TestData.TempDir("masks");
        var settings = new ImageSettings();
        // Grey values.
        using (var g = new Image<L8>(4, 1)) { g[1, 0] = new L8(1); g[2, 0] = new L8(2); g[3, 0] = new L8(7); g.SaveAsPng(Path.Combine(dir, "g.png")); }
        var values = new Dictionary<int, string> { [1] = "liver", [2] = "spleen" };
        var m = LabelImageDecoder.Decode(File.ReadAllBytes(Path.Combine(dir, "g.png")), new MaskAnnotation("", "g.png", values, new Dictionary<string, string>()), settings);
        Assert.Equal([0, 1, 2, 0], m.Codes);
        Assert.Equal(["liver", "spleen"], m.Labels);
        // Colours.
        using (var c = new Image<Rgb24>(3, 1)) { c[0, 0] = new Rgb24(255, 0, 0); c[1, 0] = new Rgb24(0, 0, 255); c.SaveAsPng(Path.Combine(dir, "c.png")); }
        var colours = new Dictionary<string, string> { ["#ff0000"] = "liver", ["#0000ff"] = "kidney" };
        m = LabelImageDecoder.Decode(File.ReadAllBytes(Path.Combine(dir, "c.png")), new MaskAnnotation("", "c.png", new Dictionary<int, string>(), colours), settings);
        Assert.Equal(["kidney", "liver"], m.Labels);
        Assert.Equal([2, 1, 0], m.Codes);
        // Palette index: colours chosen so that index and grey level disagree.
        using (var p = new Image<Rgb24>(3, 1)) { p[0, 0] = new Rgb24(0, 0, 0); p[1, 0] = new Rgb24(200, 10, 10); p[2, 0] = new Rgb24(10, 200, 10); p.Save(Path.Combine(dir, "p.png"), new PngEncoder { ColorType = PngColorType.Palette }); }
        var bytes = File.ReadAllBytes(Path.Combine(dir, "p.png"));
        var palette = LabelImageDecoder.Palette(bytes)!;
        var red = palette.IndexOf(new Rgb24(200, 10, 10));
        var green = palette.IndexOf(new Rgb24(10, 200, 10));
        m = LabelImageDecoder.Decode(bytes, new MaskAnnotation("", "p.png", new Dictionary<int, string> { [red] = "liver", [green] = "spleen" }, new Dictionary<string, string>()), settings);
        Assert.Equal([0, 1, 2], m.Codes.Select(x => x == 0 ? 0 : m.Labels[x - 1] == "liver" ? 1 : 2));
    }

    [Fact]
    public void Nearest_resize_of_a_label_map_never_invents_values()
    {
        var m = new LabelImage(4, 2, [1, 1, 2, 2, 1, 1, 2, 2], ["a", "b"]).Resize(2, 1);
        Assert.Equal([1, 2], m.Codes);
        var up = new LabelImage(2, 1, [1, 2], ["a", "b"]).Resize(5, 1);
        Assert.Equal([1, 1, 2, 2, 2], up.Codes);
    }
}

public class RegionTargetTests
{
    [Fact]
    public void A_target_below_the_minimum_area_carries_a_named_reject_and_an_absent_label_no_target()
    {
        var labels = new int[10 * 10];
        labels[11] = labels[12] = labels[21] = 3;               // 3 pixels of label 3
        for (var i = 50; i < 80; i++) labels[i] = 5;            // 30 pixels of label 5
        var settings = new GmaiBench.Ingest.Regions.RegionSettings { MinArea = 16 };
        var small = GmaiBench.Ingest.Regions.RegionCases.FromLabels(labels, 10, 10, 3, "nodule", settings, "on slice 4");
        Assert.Equal("target-too-small", small!.Problem!.Value.Reason);
        Assert.Contains("3 px on slice 4", small.Problem.Value.Message);
        var big = GmaiBench.Ingest.Regions.RegionCases.FromLabels(labels, 10, 10, 5, "liver", settings, "on slice 4");
        Assert.Null(big!.Problem);
        Assert.Equal([Granularity.Mask, Granularity.Contour], big.Granularities);
        Assert.Null(GmaiBench.Ingest.Regions.RegionCases.FromLabels(labels, 10, 10, 9, "spleen", settings, ""));
    }
}

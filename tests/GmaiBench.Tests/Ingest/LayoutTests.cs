using GmaiBench.Sources.Layouts;
using GmaiBench.Sources;

namespace GmaiBench.Tests.Ingest;

public class LayoutTests
{
    private static SourceDefinition Source(string root, string layout, LayoutOptions options, string? groupPattern = null) => new()
    {
        Id = "src", Name = "S", License = "MIT", Layout = LayoutRegistry.Find(layout)!, Root = root, Modality = "CT", Task = "DD",
        Options = options, GroupPattern = groupPattern,
    };

    private static void Touch(string root, string rel)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, rel))!);
        File.WriteAllBytes(Path.Combine(root, rel), [1]);
    }

    [Fact]
    public void Image_folder_takes_the_class_from_the_first_folder_and_ignores_other_files()
    {
        var root = TestData.TempDir("imgfolder");
        Touch(root, "tumor/p1_a.png");
        Touch(root, "tumor/deeper/p2_b.JPG");
        Touch(root, "normal/p3_c.tif");
        Touch(root, "normal/notes.txt");
        Touch(root, "stray.png");
        var d = new ImageFolderLayout().Discover(Source(root, "image-folder", new ImageFolderOptions(ImageFolderLayout.DefaultExtensions), @"(?<group>p\d+)_"));
        Assert.Equal(["src/normal/p3_c.tif", "src/tumor/deeper/p2_b.JPG", "src/tumor/p1_a.png"], d.Items.Select(i => i.Key));
        Assert.Equal(["normal", "tumor", "tumor"], d.Items.Select(i => i.RawLabels.Single()));
        Assert.Equal(["src/p3", "src/p2", "src/p1"], d.Items.Select(i => i.GroupKey));
        Assert.Equal(["normal/notes.txt"], d.Ignored);
        var reject = Assert.Single(d.Rejects);
        Assert.Equal("not-in-class-folder", reject.Reason);
        Assert.Equal("stray.png", reject.Path);
    }

    [Fact]
    public void Csv_labels_reads_multi_labels_groups_and_rejects_bad_rows()
    {
        var root = TestData.TempDir("csv");
        Touch(root, "img/a.png");
        Touch(root, "img/b.png");
        Touch(root, "img/c.png");
        File.WriteAllText(Path.Combine(root, "t.csv"), """
            file,label,patient
            a.png,pneumonia; effusion,P1
            b.png,normal,P1
            missing.png,normal,P2
            ../../../etc/passwd,normal,P3
            c.png,,P4
            "b.png",normal,P1
            ,normal,P5
            """);
        var options = new CsvLabelsOptions("t.csv", "file", "label", ";", "patient", "img");
        var d = new CsvLabelsLayout().Discover(Source(root, "csv-labels", options));
        Assert.Equal(["src/img/a.png", "src/img/b.png"], d.Items.Select(i => i.Key));
        Assert.Equal(["pneumonia", "effusion"], d.Items[0].RawLabels);
        Assert.Equal("src/P1", d.Items[0].GroupKey);
        var reasons = d.Rejects.Select(r => (r.Reason, r.Message.Split(' ')[0])).ToList();
        Assert.Contains(("missing-file", "t.csv:4"), reasons);
        Assert.Contains(("path-escapes-root", "t.csv:5:"), reasons);
        Assert.Contains(("no-label", "t.csv:6"), reasons);
        Assert.Contains(("duplicate-row", "t.csv:7"), reasons);
        Assert.Contains(d.Rejects, r => r.Reason == "bad-row" && r.Path == "t.csv:8");
    }

    [Fact]
    public void Paths_that_leave_the_root_are_refused()
    {
        var root = TestData.TempDir("escape");
        Assert.NotNull(SourcePaths.ResolveInside(root, "a/b.png", out _));
        Assert.Null(SourcePaths.ResolveInside(root, "../x.png", out var problem));
        Assert.Contains("escapes the source root", problem);
        Assert.Null(SourcePaths.ResolveInside(root, "/etc/passwd", out _));
        var outside = Path.Combine(TestData.TempDir("outside"), "secret.png");
        File.WriteAllBytes(outside, [1]);
        File.CreateSymbolicLink(Path.Combine(root, "link.png"), outside);
        Assert.Null(SourcePaths.ResolveInside(root, "link.png", out problem));
        Assert.Contains("link", problem);
    }

    [Fact]
    public void Csv_parser_handles_quotes_embedded_delimiters_and_line_numbers()
    {
        var t = GmaiBench.Sources.Annotations.CsvTable.Parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\nlast,3");
        Assert.Equal(["a", "b"], t.Header);
        Assert.Equal(["x, y", "say \"hi\""], t.Rows[0].Cells);
        Assert.Equal(2, t.Rows[0].Line);
        Assert.Equal("multi\nline", t.Rows[1].Cells[0]);
        Assert.Equal(5, t.Rows[2].Line);
    }
}

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

    [Fact]
    public void Image_folder_reads_the_class_at_a_deeper_level_and_skips_excluded_files()
    {
        var root = TestData.TempDir("imgfolder-level");
        Touch(root, "train/CNV/CNV-1016042-1.jpeg");
        Touch(root, "test/NORMAL/NORMAL-4872585-1.jpeg");
        Touch(root, "train/CNV/CNV-1016042-1_mask.png");
        Touch(root, "train/shallow.jpeg");
        var options = new ImageFolderOptions(ImageFolderLayout.DefaultExtensions) { ClassFolder = 1, Exclude = ["*_mask.png"] };
        var d = new ImageFolderLayout().Discover(Source(root, "image-folder", options, @"-(?<group>\d+)-\d+\.jpeg$"));
        Assert.Equal(["src/test/NORMAL/NORMAL-4872585-1.jpeg", "src/train/CNV/CNV-1016042-1.jpeg"], d.Items.Select(i => i.Key));
        Assert.Equal(["NORMAL", "CNV"], d.Items.Select(i => i.RawLabels.Single()));
        Assert.Equal(["src/4872585", "src/1016042"], d.Items.Select(i => i.GroupKey));
        Assert.Equal(["train/CNV/CNV-1016042-1_mask.png"], d.Ignored);
        var reject = Assert.Single(d.Rejects);
        Assert.Equal("not-in-class-folder", reject.Reason);
        Assert.Contains("folder level 1", reject.Message);
    }

    [Fact]
    public void Csv_labels_completes_extensions_and_searches_several_image_folders()
    {
        var root = TestData.TempDir("csv-parts");
        Touch(root, "part_1/ISIC_0024306.jpg");
        Touch(root, "part_2/ISIC_0034320.jpg");
        File.WriteAllText(Path.Combine(root, "meta.csv"), "lesion_id,image_id,dx\nHAM_1,ISIC_0024306,nv\nHAM_2,ISIC_0034320,mel\nHAM_3,ISIC_9999999,bkl\n");
        var options = new CsvLabelsOptions("meta.csv", "image_id", "dx", ";", "lesion_id", "part_1") { FileExtension = ".jpg", MoreImageDirs = ["part_2"] };
        var d = new CsvLabelsLayout().Discover(Source(root, "csv-labels", options));
        Assert.Equal(["src/part_1/ISIC_0024306.jpg", "src/part_2/ISIC_0034320.jpg"], d.Items.Select(i => i.Key));
        Assert.Equal(["nv", "mel"], d.Items.Select(i => i.RawLabels.Single()));
        var reject = Assert.Single(d.Rejects);
        Assert.Equal("missing-file", reject.Reason);
        Assert.Contains("ISIC_9999999.jpg (looked in part_1, part_2)", reject.Message);
    }

    [Fact]
    public void Csv_labels_reads_one_hot_columns_as_labels()
    {
        var root = TestData.TempDir("csv-onehot");
        Touch(root, "in/a.jpg");
        Touch(root, "in/b.jpg");
        Touch(root, "in/c.jpg");
        File.WriteAllText(Path.Combine(root, "gt.csv"), "image,MEL,NV,BCC\na,1.0,0.0,0.0\nb,0.0,1.0,1\nc,0.0,-1.0,\n");
        var options = new CsvLabelsOptions("gt.csv", "image", "label", ";", null, "in") { FileExtension = ".jpg", LabelColumns = ["MEL", "NV", "BCC"] };
        var d = new CsvLabelsLayout().Discover(Source(root, "csv-labels", options));
        Assert.Equal(["src/in/a.jpg", "src/in/b.jpg"], d.Items.Select(i => i.Key));
        Assert.Equal(["MEL"], d.Items[0].RawLabels);
        Assert.Equal(["NV", "BCC"], d.Items[1].RawLabels);
        // -1.0 (CheXpert's "uncertain") and a blank are not positive: the row names no label.
        var reject = Assert.Single(d.Rejects);
        Assert.Equal("no-label", reject.Reason);
        Assert.Contains("marks none of the label columns (MEL, NV, BCC) with 1 or 1.0", reject.Message);
    }

    [Fact]
    public void Path_patterns_reach_into_folders_and_capture_what_each_star_matched()
    {
        var p = new PathPattern("*/BraTS2021_*_flair.nii.gz");
        Assert.Equal("", p.Folder);
        Assert.True(p.HasFolderWildcards);
        Assert.Equal(["BraTS2021_00000", "00000"], p.Match("BraTS2021_00000/BraTS2021_00000_flair.nii.gz"));
        Assert.Null(p.Match("BraTS2021_00000/BraTS2021_00000_t1.nii.gz"));
        Assert.Null(p.Match("a/b/BraTS2021_1_flair.nii.gz"));
        var q = new PathPattern("database/training/*/patient???_frame??.nii.gz");
        Assert.Equal("database/training", q.Folder);
        Assert.Equal(["patient001"], q.Match("database/training/patient001/patient001_frame01.nii.gz"));
        Assert.Null(q.Match("database/training/patient001/patient001_frame01_gt.nii.gz"));
        var r = new PathPattern("vols/");
        Assert.False(r.HasFolderWildcards);
        Assert.NotNull(r.Match("vols/x.nii.gz"));
    }

    [Fact]
    public void Nifti_pairs_pairs_images_and_labels_through_the_patterns_captures()
    {
        var root = TestData.TempDir("nifti-glob");
        Touch(root, "data/case_00000/imaging.nii.gz");
        Touch(root, "data/case_00000/segmentation.nii.gz");
        Touch(root, "data/case_00001/imaging.nii.gz");
        Touch(root, "RawData/Training/img/img0001.nii.gz");
        Touch(root, "RawData/Training/label/label0001.nii.gz");
        var values = new Dictionary<int, string> { [1] = "kidney" };
        var volume = new VolumeOptions(null, ["axial"], 0, 0);
        var kits = new NiftiPairsLayout().Discover(Source(root, "nifti-pairs", new NiftiPairsOptions("data/*/imaging.nii.gz", "{dir}/segmentation.nii.gz", values, volume)));
        Assert.Equal(["src/data/case_00000/imaging.nii.gz"], kits.Items.Select(i => i.Key));
        var missing = Assert.Single(kits.Rejects);
        Assert.Equal("missing-label-map", missing.Reason);
        Assert.Contains("data/case_00001/segmentation.nii.gz", missing.Message);
        var btcv = new NiftiPairsLayout().Discover(Source(root, "nifti-pairs", new NiftiPairsOptions("RawData/Training/img/img*.nii.gz", "RawData/Training/label/label{1}.nii.gz", values, volume)));
        var item = Assert.Single(btcv.Items);
        Assert.Equal("RawData/Training/label/label0001.nii.gz", ((VolumeAnnotation)item.Annotation!).LabelRelative);
        // A pattern whose first segment is a wildcard walks from the root (it once asked for the folder '.', which is refused).
        Touch(root, "BraTS2021_00000/BraTS2021_00000_flair.nii.gz");
        Touch(root, "BraTS2021_00000/BraTS2021_00000_seg.nii.gz");
        var brats = new NiftiPairsLayout().Discover(Source(root, "nifti-pairs", new NiftiPairsOptions("*/BraTS2021_*_flair.nii.gz", "{1}/{1}_seg.nii.gz", values, volume)));
        Assert.Empty(brats.Rejects);
        Assert.Equal("BraTS2021_00000/BraTS2021_00000_seg.nii.gz", ((VolumeAnnotation)Assert.Single(brats.Items).Annotation!).LabelRelative);
    }
}

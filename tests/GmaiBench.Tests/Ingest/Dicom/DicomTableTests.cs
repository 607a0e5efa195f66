using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Sources.Layouts;
using GmaiBench.Ingest.Raster;
using GmaiBench.Ingest.Volumes;
using GmaiBench.Pipeline;
using GmaiBench.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Regions;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>The <c>dicom</c> layout with labels from a table: series folders or single files -> whole-image cases.</summary>
public class DicomTableTests
{
    private static SourceDefinition Source(string root, VolumeOptions volume) => new()
    {
        Id = "src", Name = "S", License = "MIT", Layout = LayoutRegistry.Find("dicom")!, Root = root, Modality = "CT", Task = "DD",
        Options = new DicomOptions("series", "", new Dictionary<int, string>(), volume)
        {
            Table = new LabelTableOptions("table.csv", "path", "finding", ";", null, "series"),
        },
    };

    /// <summary>Two series (patients P-1 and P-2) and a table with one row of each kind the layout must handle.</summary>
    private static string Corpus()
    {
        var root = TestData.TempDir("dicom-table");
        var volume = DicomFixtures.Volume();
        DicomWriter.WriteSeries(Path.Combine(root, "series", "s1"), volume, new DicomWriteOptions { PatientId = "P-1", Seed = "s1" });
        DicomWriter.WriteSeries(Path.Combine(root, "series", "s2"), volume, new DicomWriteOptions { PatientId = "P-2", Seed = "s2", Monochrome1 = true });
        Directory.CreateDirectory(Path.Combine(root, "series", "empty"));
        DicomWriter.WriteSeries(Path.Combine(root, "series", "s3"), volume, new DicomWriteOptions { PatientId = "P-3", Seed = "s3" });
        File.WriteAllText(Path.Combine(root, "table.csv"), string.Join('\n',
            "path,finding",
            "s1,liver lesion",                 // a series folder: series-level label
            "s2/slice-0003.dcm,normal;cyst",   // one file: slice-level, two labels
            "s9,normal",                       // missing
            "s1,liver lesion",                 // repeated
            "./s1,liver lesion",               // repeated, written differently
            "s1/,liver lesion",                // repeated, with a trailing slash
            "empty,normal",                    // a folder with no file
            "../../outside,normal",            // outside the source root
            ",normal",                         // no path
            "s2,",                             // no label
            "s3,normal",                       // listed twice with different labels: refused, whatever the order
            "s3,cyst",
            "s2/slice-0003.dcm,cyst;normal") + "\n");   // the same labels in another order: a repeat
        return root;
    }

    [Fact]
    public void Every_row_becomes_an_item_or_a_named_reject()
    {
        var root = Corpus();
        var found = new DicomLayout().Discover(Source(root, new VolumeOptions(null, ["axial"], 0, 0)));

        Assert.Equal(["src/series/s1", "src/series/s2/slice-0003.dcm"], found.Items.Select(i => i.Key));
        var series = found.Items[0];
        Assert.Equal(["liver lesion"], series.RawLabels);
        var annotation = Assert.IsType<SeriesAnnotation>(series.Annotation);
        Assert.False(annotation.SingleFile);
        Assert.Equal(5, annotation.SeriesFiles.Count);
        Assert.Equal(annotation.SeriesFiles, series.Files);   // every file is fingerprinted
        var file = found.Items[1];
        Assert.Equal(["cyst", "normal"], file.RawLabels);   // two agreeing rows: the labels that read first are kept
        Assert.True(Assert.IsType<SeriesAnnotation>(file.Annotation).SingleFile);

        var reasons = found.Rejects.Select(r => (r.Path, r.Reason)).ToList();
        Assert.Contains(("series/s9", "missing-file"), reasons);
        Assert.Equal(3, reasons.Count(r => r == ("series/s1", "duplicate-row")));
        Assert.Contains(("series/s2/slice-0003.dcm", "duplicate-row"), reasons);
        var conflict = Assert.Single(found.Rejects, r => r.Reason == "conflicting-rows");
        Assert.Equal("series/s3", conflict.Path);
        Assert.Contains("table.csv:12 gives normal; table.csv:13 gives cyst", conflict.Message);
        Assert.Contains(("series/empty", "empty-series"), reasons);
        Assert.Contains(("series/../../outside", "path-escapes-root"), reasons);
        Assert.Contains(("table.csv:10", "bad-row"), reasons);
        Assert.Contains(("series/s2", "no-label"), reasons);
        Assert.Equal(10, found.Rejects.Count);
        Assert.All(found.Rejects, r => Assert.Contains("table.csv:", r.Message));
    }

    [Fact]
    public void Which_row_of_a_repeated_input_counts_does_not_depend_on_the_table_order()
    {
        var root = Corpus();
        var table = Path.Combine(root, "table.csv");
        var source = Source(root, new VolumeOptions(null, ["axial"], 0, 0));
        var forward = new DicomLayout().Discover(source);
        var lines = File.ReadAllLines(table);
        File.WriteAllLines(table, lines.Take(1).Concat(lines.Skip(1).Reverse()));
        var backward = new DicomLayout().Discover(source);
        // Labels in their kept order: the item's fingerprint includes them.
        Assert.Equal(forward.Items.Select(i => (i.Key, string.Join("+", i.RawLabels))), backward.Items.Select(i => (i.Key, string.Join("+", i.RawLabels))));
        Assert.Equal(["cyst", "normal"], forward.Items.Single(i => i.Key.EndsWith(".dcm", StringComparison.Ordinal)).RawLabels);
        // A row naming nothing can only be told by its line number, which the reversal changes.
        static IEnumerable<(string, string)> Named(Discovery d) =>
            d.Rejects.Select(r => (r.Path.StartsWith("table.csv:", StringComparison.Ordinal) ? "(a line)" : r.Path, r.Reason)).Order();
        Assert.Equal(Named(forward), Named(backward));
    }

    [Fact]
    public void A_series_gives_its_middle_and_spread_slices_as_whole_images_with_the_pixels_of_the_volume()
    {
        var root = Corpus();
        var source = Source(root, new VolumeOptions("soft_tissue", ["axial", "coronal"], 2, 0));
        var items = new DicomLayout().Discover(source).Items;
        var store = new ObjectStore(Path.Combine(root, "objects"));
        var stage = new VolumeStage(new ImageSettings(), new RegionSettings(), new PromptStyle(), store, new Dictionary<string, string> { ["src"] = "CT" }, parallelism: 2);

        var outcome = stage.Run(items[0], new DicomLayout(), "fp");
        Assert.Equal("ok", outcome.Result.Status);
        Assert.Empty(outcome.CaseRejects);
        // 5 axial slices, 6 coronal rows (RAS+): 3 evenly spread planes on each axis, the middle one among them.
        Assert.Equal(["src/series/s1/axial/0000", "src/series/s1/axial/0002", "src/series/s1/axial/0004",
                      "src/series/s1/coronal/0001", "src/series/s1/coronal/0003", "src/series/s1/coronal/0005"], outcome.Cases.Select(c => c.Key));
        Assert.All(outcome.Cases, c =>
        {
            Assert.Equal((Granularity.Image, "CLS_3D"), (c.Granularity, c.OriginalTask));
            Assert.Equal(["liver lesion"], c.RawLabels);
            Assert.StartsWith("src/patient-", c.GroupKey);   // the Patient ID, hashed; never the ID itself
            Assert.DoesNotContain("P-1", c.GroupKey);
        });

        // The stored image is exactly the windowed canonical slice of the series read in process.
        var canonical = DicomReader.ReadSeries([.. Directory.GetFiles(Path.Combine(root, "series", "s1"))]).Volume.ToCanonical();
        var plane = new SlicePlane(SliceAxis.Axial, 2);
        using var expected = SliceRenderer.RenderImage(canonical, plane, DisplayWindow.FromVoi(VoiLinearWindow.Preset("soft_tissue")),
            SliceRenderer.Sampling(canonical.Grid, plane, 1024));
        using var stored = Image.Load<Rgb24>(store.Get(outcome.Cases[1].ImageSha));
        Assert.Equal((expected.Width, expected.Height), (stored.Width, stored.Height));
        for (var y = 0; y < stored.Height; y++)
        for (var x = 0; x < stored.Width; x++)
            Assert.Equal(expected[x, y], stored[x, y]);
    }

    [Fact]
    public void A_single_file_is_one_axial_image_and_an_axis_across_it_is_a_named_reject()
    {
        var root = Corpus();
        var items = new DicomLayout().Discover(Source(root, new VolumeOptions("soft_tissue", ["axial", "sagittal"], 0, 0))).Items;
        var store = new ObjectStore(Path.Combine(root, "objects"));
        var stage = new VolumeStage(new ImageSettings(), new RegionSettings(), new PromptStyle(), store, new Dictionary<string, string> { ["src"] = "CT" });

        var outcome = stage.Run(items[1], new DicomLayout(), "fp");
        var only = Assert.Single(outcome.Cases);
        Assert.Equal(("src/series/s2/slice-0003.dcm/axial/0000", Granularity.Image, "CLS_2D"), (only.Key, only.Granularity, only.OriginalTask));
        var reject = Assert.Single(outcome.CaseRejects);
        Assert.Equal(("degenerate-plane", "series/s2/slice-0003.dcm"), (reject.Reason, reject.Path));
        Assert.Contains("sagittal slices would be 6x1 pixels", reject.Message);

        // MONOCHROME1: the displayed grey levels are inverted after windowing.
        var volume = DicomReader.ReadFile(Path.Combine(root, "series", "s2", "slice-0003.dcm"));
        Assert.True(volume.InvertDisplay);
        var canonical = volume.Volume.ToCanonical();
        var plane = new SlicePlane(SliceAxis.Axial, 0);
        using var plain = SliceRenderer.RenderImage(canonical, plane, DisplayWindow.FromVoi(VoiLinearWindow.Preset("soft_tissue")), SliceRenderer.Sampling(canonical.Grid, plane, 1024));
        using var stored = Image.Load<Rgb24>(store.Get(only.ImageSha));
        Assert.Equal(255 - plain[3, 2].R, stored[3, 2].R);
    }

    [Fact]
    public void A_group_column_in_the_table_wins_over_the_patient_id()
    {
        var root = Corpus();
        File.WriteAllText(Path.Combine(root, "groups.csv"), "path,finding,subject\ns1,liver lesion,subject-7\ns2/slice-0003.dcm,normal,subject-7\ns3,normal,\n");
        var source = Source(root, new VolumeOptions("soft_tissue", ["axial"], 0, 0)) with
        {
            Options = new DicomOptions("series", "", new Dictionary<int, string>(), new VolumeOptions("soft_tissue", ["axial"], 0, 0))
            {
                Table = new LabelTableOptions("groups.csv", "path", "finding", ";", "subject", "series"),
            },
        };
        var items = new DicomLayout().Discover(source).Items;
        var stage = new VolumeStage(new ImageSettings(), new RegionSettings(), new PromptStyle(), new ObjectStore(Path.Combine(root, "objects")),
            new Dictionary<string, string> { ["src"] = "CT" });
        var groups = items.ToDictionary(i => i.Key, i => Assert.Single(stage.Run(i, new DicomLayout(), "fp").Cases).GroupKey);
        // Different Patient IDs (P-1, P-2), one subject in the table: one split group.
        Assert.Equal("src/subject-7", groups["src/series/s1"]);
        Assert.Equal("src/subject-7", groups["src/series/s2/slice-0003.dcm"]);
        // An empty cell falls back to the hashed Patient ID.
        Assert.StartsWith("src/patient-", groups["src/series/s3"]);
    }

    [Theory]
    [InlineData(24, 0, new[] { 12 })]
    [InlineData(5, 2, new[] { 0, 2, 4 })]
    [InlineData(10, 1, new[] { 2, 7 })]
    [InlineData(1, 3, new[] { 0 })]
    public void Spread_slices_are_centred_in_equal_parts(int count, int extra, int[] expected) =>
        Assert.Equal(expected, VolumeStage.SpreadSlices(count, extra));

    [Fact]
    public void Configuration_refuses_a_table_mixed_with_label_maps_and_table_columns_without_a_table()
    {
        var root = Corpus();
        TestData.CopyDirectory(TestData.Taxonomy, Path.Combine(root, "label-taxonomy"));
        Directory.CreateDirectory(Path.Combine(root, "pipelines"));
        File.Copy(Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml"), Path.Combine(root, "pipelines", "demo.yaml"));
        File.WriteAllText(Path.Combine(root, "sources.yaml"), """
            version: 1
            sources:
              - {id: mixed, name: M, license: MIT, layout: dicom, root: ., modality: CT, task: DD, options: {table: table.csv, label_column: finding, labels: "l/{series}.nii.gz", values: {1: liver}}}
              - {id: stray, name: S, license: MIT, layout: dicom, root: ., modality: CT, task: DD, options: {labels: "l/{series}.nii.gz", values: {1: liver}, path_column: path}}
              - {id: column, name: C, license: MIT, layout: dicom, root: ., modality: CT, task: DD, options: {table: table.csv, label_column: label}}
              - {id: good, name: G, license: MIT, layout: dicom, root: ., modality: CT, task: DD, options: {table: table.csv, label_column: finding}}
            """);
        var config = ProjectConfig.Load(ProjectPaths.Default(root));
        Assert.Empty(config.FatalIssues);
        var issues = config.SourceIssues.Select(i => (ProjectConfig.SourceOf(i), i.Field, i.Message)).ToList();
        Assert.Contains(issues, i => i.Item1 == "mixed" && i.Field.EndsWith(".labels") && i.Message.Contains("options.table"));
        Assert.Contains(issues, i => i.Item1 == "mixed" && i.Field.EndsWith(".values"));
        Assert.Contains(issues, i => i.Item1 == "stray" && i.Field.EndsWith(".path_column") && i.Message.Contains("only applies with options.table"));
        Assert.Contains(issues, i => i.Item1 == "column" && i.Field.EndsWith(".label_column") && i.Message.Contains("column 'label' is not in table.csv"));
        Assert.DoesNotContain(issues, i => i.Item1 == "good");
    }
}

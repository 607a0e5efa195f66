using System.Security.Cryptography;
using GmaiBench.Demo;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Tests.Release;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Tests.Pipeline;

public class BuildEndToEndTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void The_demo_build_accounts_for_every_input_and_rejects_each_broken_file_with_its_reason()
    {
        var project = corpus.NewProject("accounting");
        var result = project.Build();
        var report = result.Report;
        Assert.Equal(0, report.Unaccounted);
        Assert.Equal(report.InputsDiscovered, report.ItemsEmitted + report.InputsRejected);
        Assert.Equal(project.Config().Sources.Count, report.Sources.Count);
        Assert.True(report.Sources.Count >= 6);
        Assert.All(report.Sources, s => Assert.True(s.Emitted > 0, s.Id));
        foreach (var (path, reason) in DemoCorpus.BrokenFiles)
        {
            var rel = path["fundus/".Length..];
            var reject = Assert.Single(report.Rejects, r => r.SourceId == "demo-fundus" && r.Path == rel);
            Assert.Equal(reason, reject.Reason);
        }
        Assert.Contains(report.Rejects, r => r is { SourceId: "demo-chest-xray", Reason: "missing-file" } && r.Message.Contains("labels.csv:") && r.Path == "images/cxr_999.png");
        Assert.Contains(report.Rejects, r => r is { SourceId: "demo-chest-xray", Reason: "unmapped-label" } && r.Message.Contains("ground-glass halo sign"));
        Assert.Contains(report.Rejects, r => r is { SourceId: "demo-dermoscopy", Reason: "duplicate-image" });
        Assert.Equal(1, report.IgnoredFiles);
        Assert.Equal(result.Questions.Count, report.Questions);
        Assert.True(report.Questions > report.ItemsEmitted, "region sources give several items per image");
        // Every emitted item traces back to a source file (or, for a DICOM series, its folder).
        Assert.All(result.Questions, q =>
        {
            var path = Path.Combine(project.Root, "demo", "corpus", q.Case.SourceId["demo-".Length..], q.Case.ItemKey[(q.Case.SourceId.Length + 1)..]);
            Assert.True(File.Exists(path) || Directory.Exists(path), q.Key);
        });
    }

    [Fact]
    public void A_second_build_decodes_nothing_and_writes_identical_files_and_a_changed_file_is_redone_alone()
    {
        var project = corpus.NewProject("incremental");
        var first = project.Build();
        var dir = Workflows.WriteBuildOutputs(first);
        var tsv = Path.Combine(dir, "GmaiDemo.tsv");
        var parquet = Path.Combine(dir, "GmaiDemo.parquet");
        var (tsv1, pq1) = (Sha(tsv), Sha(parquet));
        // samples.png names each row and captions each tile (source, answer) in the project's bitmap font.
        using (var sheet = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(Path.Combine(dir, "samples.png")))
        {
            bool Ink(int y0, int y1, SixLabors.ImageSharp.PixelFormats.Rgb24 colour) =>
                Enumerable.Range(y0, y1 - y0).Any(y => Enumerable.Range(0, 160).Any(x => sheet[4 + x, y].Equals(colour)));
            var top = 4;
            Assert.True(Ink(top, top + GmaiBench.Release.ContactSheet.Header, new(255, 210, 80)), "row name");
            var below = top + GmaiBench.Release.ContactSheet.Header + GmaiBench.Release.ContactSheet.Tile;
            Assert.True(Ink(below, below + GmaiBench.Release.ContactSheet.Caption, new(220, 220, 220)), "tile caption");
        }
        // Every input reaches the pixel stage except those refused at discovery (missing files and series, bad annotations).
        var discoveryRejects = first.Report.Rejects.Count(r => r.Stage == "discover");
        Assert.Equal(6, discoveryRejects);
        Assert.Equal(first.Report.InputsDiscovered - discoveryRejects, first.Report.Decoded);
        Assert.Equal(0, first.Report.Reused);
        // The Markdown report lists a repeated reject line once with its count, and says what its reason counts are.
        var markdown = GmaiBench.Release.BuildReportMarkdownOutput.Markdown(first.Report);
        var repeated = first.Report.Rejects.GroupBy(r => (r.SourceId, r.Path, r.Stage, r.Reason, r.Message)).First(g => g.Count() > 1);
        Assert.Single(markdown.Split('\n'), l => l.StartsWith($"- `{repeated.Key.SourceId}` `{repeated.Key.Path}` ({repeated.Key.Stage}, {repeated.Key.Reason}) x{repeated.Count()}: {repeated.Key.Message}", StringComparison.Ordinal));
        Assert.Contains("Counted in rejects, not inputs", markdown);

        var second = project.Build();
        Workflows.WriteBuildOutputs(second);
        Assert.Equal(0, second.Report.Decoded);
        Assert.Equal(first.Report.Decoded, second.Report.Reused);
        Assert.Equal(tsv1, Sha(tsv));
        Assert.Equal(pq1, Sha(parquet));

        // Change one image's content: only it is decoded again.
        var target = project.PathOf("demo/corpus/fundus/glaucoma/p200_OD.png");
        using (var img = Image.Load<Rgb24>(target))
        {
            img[0, 0] = new Rgb24(255, 255, 255);
            img.SaveAsPng(target);
        }
        var third = project.Build();
        Assert.Equal(1, third.Report.Decoded);
        Assert.Equal(first.Report.Decoded - 1, third.Report.Reused);

        // Edit the label table: one row's finding, another row's patient. Exactly those two items are redone, and the
        // benchmark carries the new label and group (cases never keep a label the table no longer gives).
        var table = project.PathOf("demo/corpus/chest-xray/labels.csv");
        var rows = File.ReadAllLines(table);
        Assert.StartsWith("cxr_000.png,Normal,", rows[1]);
        Assert.StartsWith("cxr_001.png,Normal,CXR000", rows[2]);
        rows[1] = rows[1].Replace(",Normal,", ",PNEUMOTHORAX,", StringComparison.Ordinal);
        rows[2] = "cxr_001.png,Normal,CXR777";
        File.WriteAllLines(table, rows);
        var fourth = project.Build();
        Assert.Equal(2, fourth.Report.Decoded);
        using var db = GmaiBench.Catalog.CatalogDb.Open(fourth.Work.CatalogPath);
        var cases = new GmaiBench.Catalog.CatalogStore(db).Cases().Where(c => c.SourceId == "demo-chest-xray").ToDictionary(c => c.ItemKey);
        Assert.Equal(["PNEUMOTHORAX"], cases["demo-chest-xray/images/cxr_000.png"].RawLabels);
        // The new patient, stored as its keyed hash under the project's secret (never the raw ID).
        var keys = new GmaiBench.Model.PatientKeys(System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(project.PathOf("demo/corpus/patient-key.demo")).Trim()));
        Assert.Equal(keys.Group("demo-chest-xray", "demo-chest-xray/CXR777"), cases["demo-chest-xray/images/cxr_001.png"].GroupKey);
        Assert.DoesNotContain("CXR777", cases["demo-chest-xray/images/cxr_001.png"].GroupKey);
    }

    [Fact]
    public void Outputs_open_in_independent_readers_and_every_image_decodes()
    {
        var project = corpus.NewProject("readers");
        var result = project.Build();
        var dir = Workflows.WriteBuildOutputs(result);
        var check = ParquetCheck.Read(Path.Combine(dir, "GmaiDemo.parquet"));
        Assert.Equal(result.Questions.Count, check.Rows);
        Assert.Equal("STRUCT(bytes BLOB, path VARCHAR)", check.Types["image"]);
        Assert.All(check.Images, png => Assert.True(Image.Load<Rgb24>(png).Width > 0));

        // A plain tab split (no quoting in the demo data) reads the TSV; every image cell is PNG or an index reference.
        var lines = File.ReadAllLines(Path.Combine(dir, "GmaiDemo.tsv"));
        var header = lines[0].Split('\t');
        Assert.Equal(BenchmarkTsv.Columns(withAnswer: true), header);
        var imageCol = Array.IndexOf(header, "image");
        var byIndex = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split('\t');
            Assert.Equal(header.Length, cells.Length);
            var cell = cells[imageCol];
            if (cell.Length <= 64) cell = byIndex[cell];
            byIndex[cells[0]] = cell;
            using var img = Image.Load<Rgb24>(Convert.FromBase64String(cell));
            Assert.True(img.Width <= 512 && img.Height <= 512);
        }
        Assert.Equal(result.Questions.Count, lines.Length - 1);
        var report = File.ReadAllText(Path.Combine(dir, "build-report.md"));
        Assert.Contains("| truncated-image | 1 |", report);
        Assert.Contains("p901_truncated.jpg", report);
    }

    [Fact]
    public void Thread_count_does_not_change_the_output()
    {
        var one = corpus.NewProject("jobs1");
        var two = corpus.NewProject("jobs2");
        var a = Workflows.WriteBuildOutputs(one.Build(jobs: 1));
        var b = Workflows.WriteBuildOutputs(two.Build(jobs: 4));
        foreach (var f in new[] { "GmaiDemo.tsv", "GmaiDemo.parquet", "rejects.tsv" })
            Assert.Equal(Sha(Path.Combine(a, f)), Sha(Path.Combine(b, f)));
    }

    [Fact]
    public void A_malformed_source_entry_rejects_that_source_and_the_rest_still_builds()
    {
        var project = corpus.NewProject("badsource");
        var path = project.PathOf("sources.yaml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("    layout: csv-labels\n    root: demo/corpus/dermoscopy", "    layout: csv-lables\n    root: demo/corpus/dermoscopy"));
        var config = project.Config();
        var issue = Assert.Single(config.SourceIssues);
        Assert.Equal("demo-dermoscopy", ProjectConfig.SourceOf(issue));
        Assert.Contains("unknown layout 'csv-lables'", issue.Message);
        Assert.Equal(path, issue.File);
        Assert.True(issue.Line > 0);
        var result = BuildRunner.Run(config, new BuildOptions { Jobs = 2 });
        Assert.Equal(config.Sources.Select(s => s.Id).Order(StringComparer.Ordinal), result.Report.Sources.Select(s => s.Id));
        Assert.DoesNotContain("demo-dermoscopy", result.Report.Sources.Select(s => s.Id));
        Assert.Equal(["demo-dermoscopy"], result.Report.RejectedSources);
        Assert.DoesNotContain(result.Questions, q => q.Case.SourceId == "demo-dermoscopy");
        Assert.True(result.Questions.Count > 200);
        Assert.Throws<GmaiBench.Configuration.ConfigException>(() => BuildRunner.Run(config, new BuildOptions { Strict = true }));
    }

    [Fact]
    public void Unmapped_labels_fail_the_build_by_default_with_suggestions()
    {
        var project = corpus.NewProject("unmapped");
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("unmapped: reject", "unmapped: fail"));
        var e = Assert.Throws<UnmappedLabelsException>(() => project.Build());
        var label = Assert.Single(e.Labels);
        Assert.Equal(("demo-chest-xray", "ground-glass halo sign"), (label.SourceId, label.Raw));
        Assert.Equal(3, label.Suggestions.Count);
    }
}

public class ConfigErrorCacheTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void A_source_skipped_for_a_config_error_keeps_its_cached_pixels_for_when_the_entry_is_fixed()
    {
        var project = corpus.NewProject("keep-cache");
        var path = project.PathOf("sources.yaml");
        var good = File.ReadAllText(path);
        var first = project.Build();
        File.WriteAllText(path, good.Replace("modality: Dermoscopy", "modality: Dermatoscope-ish"));
        var broken = project.Build();
        Assert.Contains("demo-dermoscopy", broken.Report.RejectedSources);
        File.WriteAllText(path, good);
        var fixedAgain = project.Build();
        Assert.Equal(0, fixedAgain.Report.Decoded);
        Assert.Equal(first.Questions.Count, fixedAgain.Questions.Count);
    }
}

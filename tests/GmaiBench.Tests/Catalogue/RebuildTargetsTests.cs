using System.Globalization;
using System.Text.Json;
using GmaiBench.Model;
using GmaiBench.Pipeline;
using GmaiBench.Release;

namespace GmaiBench.Tests.Catalogue;

/// <summary>pipelines/gmai-mmbench.yaml: the catalogue included whole, GMAI-MMBench's published composition as targets.</summary>
public class RebuildTargetsTests
{
    private static string RebuildPipeline => Path.Combine(TestData.RepoRoot, "pipelines", "gmai-mmbench.yaml");

    [Fact]
    public void The_rebuild_pipeline_includes_the_whole_catalogue_and_states_the_published_composition()
    {
        var paths = ProjectPaths.For(null, Path.Combine(TestData.RepoRoot, "sources.yaml"), TestData.Taxonomy, RebuildPipeline);
        Assert.Equal(Path.Combine(TestData.RepoRoot, "pipelines", "gmai-mmbench.sources.yaml"), paths.Sources);
        // A --sources named on the command line wins over the pipeline's.
        Assert.Equal("mine.yaml", ProjectPaths.For("mine.yaml", "sources.yaml", TestData.Taxonomy, RebuildPipeline).Sources);
        Assert.Equal("sources.yaml", ProjectPaths.For(null, "sources.yaml", TestData.Taxonomy, Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml")).Sources);

        var config = ProjectConfig.Load(paths);
        Assert.Empty(config.FatalIssues);
        var catalogue = Directory.GetFiles(CatalogueBuildFixture.CatalogueFolder, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var includes = File.ReadAllLines(paths.Sources).Where(l => l.TrimStart().StartsWith("- include: ", StringComparison.Ordinal))
            .Select(l => Path.GetFileName(l.Split("include: ")[1].Trim())).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(catalogue, includes);
        // Without the downloads in data/, each entry is one clear problem naming the folder to fill, and nothing is fatal.
        Assert.All(config.SourceIssues, i => Assert.Contains("point root: at the downloaded dataset", i.Message));

        var s = config.Settings;
        Assert.DoesNotContain("mmbench", s.DisplayName, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(30, s.Curation.MaxPerLabel);
        Assert.Equal(0.176, s.Curation.ValShare);
        var targets = s.Curation.Targets;
        Assert.Equal(25831, targets.Sum(t => t.Items));
        string Share(Granularity g) => (100.0 * targets.Single(t => t.Granularity == g && t.Task is null).Items / 25831).ToString("0.00", CultureInfo.InvariantCulture);
        Assert.Equal(["49.22", "22.01", "22.01", "6.76"], new[] { Granularity.Image, Granularity.Mask, Granularity.Contour, Granularity.Box }.Select(Share));
        // The published split: 4,550 VAL of 25,831 items is the 17.6 % the pipeline asks for.
        Assert.Equal(s.Curation.ValShare, Math.Round(4550.0 / 25831, 3));
    }

    [Fact]
    public void A_build_fills_the_targets_and_reports_achieved_against_target_with_the_sources_of_short_cells()
    {
        var root = TestData.TempDir("rebuild");
        string[] ids = ["oct2017", "kvasir-v2", "bccd", "btcv", "kits19"];
        var sources = new List<string> { "version: 1", "sources:" };
        foreach (var m in CatalogueMiniatures.All.Where(m => ids.Contains(m.Id)))
        {
            m.Write(new MiniatureWriter(Path.Combine(root, "data", m.Id)));
            sources.AddRange([$"  - include: {Path.Combine(CatalogueBuildFixture.CatalogueFolder, m.Id + ".yaml")}", $"    root: data/{m.Id}"]);
        }
        File.WriteAllText(Path.Combine(root, "sources.yaml"), string.Join('\n', sources) + "\n");
        // The rebuild pipeline with its targets scaled to the miniatures: image and mask cells overfull, box and contour short.
        var pipeline = File.ReadAllText(RebuildPipeline)
            .Replace("sources: gmai-mmbench.sources.yaml", "sources: sources.yaml")
            .Replace("work: ../work", "work: work").Replace("output: ../out", "output: out").Replace("reviews: ../reviews", "reviews: reviews")
            .Replace("items: 12715", "items: 10").Replace("items: 5685}\n    - {granularity: contour, items: 5685}", "items: 6}\n    - {granularity: contour, items: 500}")
            .Replace("items: 1746", "items: 400").Replace("max_side: 1024", "max_side: 64");
        File.WriteAllText(Path.Combine(root, "pipeline.yaml"), pipeline);
        var config = ProjectConfig.Load(ProjectPaths.For(null, "unused.yaml", TestData.Taxonomy, Path.Combine(root, "pipeline.yaml")));
        Assert.Empty(config.AllIssues);
        var (result, folder) = Workflows.Build(config, new BuildOptions { Jobs = 2 });

        var rows = result.Report.Composition!;
        Assert.Equal(["image 10", "mask 6", "contour 500", "box 400"], rows.Select(r => $"{r.Granularity} {r.Target}"));
        var image = rows[0];
        Assert.True(image.Candidates > 10, $"{image.Candidates} image candidates");
        Assert.Equal(10, image.Achieved);
        Assert.Equal(0, image.Short);
        Assert.Equal(10, result.Questions.Count(q => q.Case.Granularity == Granularity.Image));
        Assert.Equal(image.Candidates - 10, result.Report.Rejects.Count(r => r.Reason == "over-target" && r.Message.Contains("granularity image")));
        // Every image source still gives items: the fill goes round-robin over answer labels.
        Assert.Equal(["kvasir-v2", "oct2017"], image.Sources.Select(s => s.Source).Order(StringComparer.Ordinal));
        Assert.Equal(6, rows[1].Achieved);
        var contour = rows[2];
        Assert.Equal(contour.Candidates, contour.Achieved);
        Assert.Equal(500 - contour.Achieved, contour.Short);
        Assert.Equal(["btcv", "kits19"], contour.Sources.Select(s => s.Source).Order(StringComparer.Ordinal));
        Assert.Equal(contour.Achieved, contour.Sources.Sum(s => s.Items));
        Assert.Equal(["bccd"], rows[3].Sources.Select(s => s.Source));

        var md = File.ReadAllText(Path.Combine(folder, "build-report.md"));
        Assert.Contains("## Composition against targets", md);
        Assert.Contains($"| any | contour | 500 | {contour.Candidates} | {contour.Achieved} | {contour.Short} | {CompositionText.Sources(contour)} |", md);
        var html = File.ReadAllText(Path.Combine(folder, "build-report.html"));
        Assert.Contains("<h2 id=\"composition\">Composition against targets</h2>", html);
        Assert.Contains($"<td class=\"n\">{contour.Short}</td>", html);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "build-report.json")));
        var box = json.RootElement.GetProperty("Composition")[3];
        Assert.Equal(400, box.GetProperty("Target").GetInt32());
        Assert.Equal(rows[3].Achieved, box.GetProperty("Achieved").GetInt32());
    }

    [Fact]
    public void A_pipeline_without_targets_reports_no_composition()
    {
        // No composition key in the JSON and no section in the Markdown, so builds without targets keep their bytes.
        var report = new BuildReport
        {
            Name = "plain", ToolVersion = "t", Fingerprints = new Dictionary<string, string>(), ConfigIssues = [], RejectedSources = [], Sources = [],
            RejectsByReason = new Dictionary<string, int>(), Rejects = [], Distributions = new Dictionary<string, IReadOnlyDictionary<string, int>>(),
        };
        Assert.Null(CompositionReport.Of([], new Dictionary<GmaiBench.Curation.CompositionTarget, int>(), [], id => id));
        Assert.DoesNotContain("Composition", JsonSerializer.Serialize(report, BuildOutput.Json));
        Assert.DoesNotContain("composition", BuildReportMarkdownOutput.Markdown(report), StringComparison.OrdinalIgnoreCase);
    }
}

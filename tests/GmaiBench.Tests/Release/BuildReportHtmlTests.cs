using System.Text.RegularExpressions;
using GmaiBench.Pipeline;
using GmaiBench.Release;

namespace GmaiBench.Tests.Release;

/// <summary>build-report.html: self-contained, every distribution charted, the contact sheet captioned.</summary>
public class BuildReportHtmlTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void The_html_report_is_self_contained_and_charts_every_distribution()
    {
        var project = corpus.NewProject("report-html");
        var result = project.Build();
        var dir = Workflows.WriteBuildOutputs(result);
        var html = File.ReadAllText(Path.Combine(dir, BuildReportHtmlOutput.FileName));
        Assert.Contains(BuildReportHtmlOutput.FileName, OutputWriters.FilesOf(OutputWriters.Build, new OutputContext("x", [], result.Objects) { Report = result.Report }));
        Assert.Contains(BuildReportHtmlOutput.FileName, File.ReadAllText(Path.Combine(dir, "build-report.json")));
        // Nothing is fetched: no script, no stylesheet link, no URL but the SVG namespace name and inline data.
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        var urls = Regex.Matches(Regex.Replace(html, "data:image/png;base64,[A-Za-z0-9+/=]+", ""), "(?:https?:)?//[^\"\\s<]+").Select(m => m.Value).ToList();
        Assert.All(urls, u => Assert.Equal("http://www.w3.org/2000/svg", u));
        var srcs = Regex.Matches(html, "src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(srcs);
        Assert.All(srcs, s => Assert.StartsWith("data:image/png;base64,", s));
        // Each reject links to its file, relative to the report's folder (so the bytes depend on the layout, not the location).
        var links = Regex.Matches(html, "<a href=\"([^\"]*)\"><code>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.False(Path.IsPathRooted(l), l));
        Assert.Contains(links, l => File.Exists(Path.GetFullPath(Path.Combine(dir, Uri.UnescapeDataString(l)))));
        foreach (var name in new[] { "task", "department", "modality", "granularity", "source" })
        {
            Assert.Contains($"Items per {name}", html);
            foreach (var (value, _) in result.Report.Distributions[name]) Assert.Contains($"<title>{System.Net.WebUtility.HtmlEncode(value)}</title>", html);
        }
        Assert.Contains("Answer letter balance", html);
        foreach (var (reason, n) in result.Report.RejectsByReason) Assert.Contains($"{reason}</title>", html);
        // The contact sheet: a row name per granularity, each tile captioned with its source and answer.
        foreach (var (g, items) in ContactSheet.Rows(result.Questions))
        {
            Assert.Contains($"<div class=\"row-name\">{GmaiBench.Model.GranularityNames.Text(g)}</div>", html);
            foreach (var q in items) Assert.Contains($"#{q.Index} {q.Split}<br>{q.Case.SourceId}<br><b>{q.Answer}. ", html);
        }
        Assert.Equal(result.Report.DuplicateClusters.Sum(c => c.Items.Count), Regex.Matches(html, "<div class=\"cluster\">[\\s\\S]*?</div>").Sum(m => Regex.Matches(m.Value, "<img ").Count));
        // The same build writes the same bytes.
        Assert.Equal(html, BuildReportHtmlOutput.Html(new OutputContext(result.Config.Settings.DisplayName, result.Questions, result.Objects)
        {
            Report = result.Report with { Outputs = OutputWriters.FilesOf(OutputWriters.Build, new OutputContext("x", [], result.Objects) { Report = result.Report }) },
            ItemImages = ReadItemImages(result),
            SourceRoots = result.Config.Sources.ToDictionary(x => x.Id, x => x.Root),
            Folder = dir,
        }));

        var (subsetDir, _) = Workflows.Subset(project.Config(), "granularity = image", null);
        var subsetHtml = File.ReadAllText(Path.Combine(subsetDir, BuildReportHtmlOutput.FileName));
        Assert.Contains("Subset report", subsetHtml);
        Assert.Contains("granularity = image", subsetHtml);
        Assert.DoesNotContain("<div class=\"row-name\">mask</div>", subsetHtml);
    }

    private static Dictionary<string, string> ReadItemImages(BuildResult result)
    {
        using var db = result.Work.OpenCatalog();
        return new GmaiBench.Catalog.CatalogStore(db).ItemImages();
    }

    [Fact]
    public void A_bar_is_as_long_as_its_share_of_the_longest()
    {
        var svg = SvgChart.Bars("t", ["VAL", "TEST"], [new ChartBar("a", [1, 3]), new ChartBar("b", [2, 0])]);
        // Bar area 330 px for the largest total (4): 1 -> 82.5, 3 -> 247.5, 2 -> 165.
        Assert.Contains("x=\"250\" y=\"33\" width=\"82.5\"", svg);
        Assert.Contains("x=\"332.5\" y=\"33\" width=\"247.5\"", svg);
        Assert.Contains("x=\"250\" y=\"55\" width=\"165\"", svg);
        Assert.DoesNotContain("width=\"0\"", svg);
        Assert.Contains(">4 (1 / 3)</text>", svg);
    }
}

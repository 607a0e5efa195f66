using GmaiBench.Pipeline;
using GmaiBench.Model;
using GmaiBench.Taxonomy;

namespace GmaiBench.Tests.Configuration;

public class PipelineSettingsTests
{
    private static (PipelineSettings, IReadOnlyList<GmaiBench.Configuration.ConfigIssue>) Load(string yaml)
    {
        var path = Path.Combine(TestData.TempDir("pipeline"), "p.yaml");
        File.WriteAllText(path, yaml);
        return PipelineSettings.TryLoad(path);
    }

    [Fact]
    public void The_demo_pipeline_loads_with_its_paths_relative_to_the_file()
    {
        var s = PipelineSettings.Load(Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml"));
        Assert.Equal("GmaiDemo", s.DisplayName);
        Assert.Equal(Path.Combine(TestData.RepoRoot, "work"), s.WorkDir);
        Assert.Equal(512, s.Image.MaxSide);
        Assert.Equal(UnmappedLabelPolicy.Reject, s.UnmappedLabels);
        Assert.Equal(0.176, s.Curation.ValShare);
    }

    [Fact]
    public void Defaults_apply_where_the_file_is_silent()
    {
        var (s, issues) = Load("name: x\n");
        Assert.Empty(issues);
        Assert.Equal(1024, s.Image.MaxSide);
        Assert.Equal(UnmappedLabelPolicy.Fail, s.UnmappedLabels);
        Assert.Equal(30, s.Curation.MaxPerLabel);
        Assert.Equal(5, s.Questions.MaxOptions);
    }

    [Fact]
    public void Bad_values_are_each_reported_with_their_line()
    {
        var (_, issues) = Load("""
            name: x
            display_name: MyMMBench
            seed: -3
            image: {max_side: 5, percentiles: [99, 1], colour: red}
            questions: {min_options: 4, max_options: 3}
            labels: {unmapped: ignore}
            """);
        Assert.Contains(issues, i => i.Field == "display_name" && i.Message.Contains("circular") && i.Line == 2);
        Assert.Contains(issues, i => i.Field == "seed" && i.Line == 3);
        Assert.Contains(issues, i => i.Field == "image.max_side" && i.Message.Contains("between 16"));
        Assert.Contains(issues, i => i.Field == "image.percentiles");
        Assert.Contains(issues, i => i.Field == "image.colour" && i.Message.Contains("unknown key"));
        Assert.Contains(issues, i => i.Field == "questions" && i.Message.Contains("larger than max_options"));
        Assert.Contains(issues, i => i.Field == "labels.unmapped" && i.Message.Contains("'fail' or 'reject'"));
    }
}

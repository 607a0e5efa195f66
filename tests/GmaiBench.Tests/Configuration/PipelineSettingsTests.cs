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

    [Fact]
    public void Composition_targets_and_the_pipelines_sources_file_are_read()
    {
        var (s, issues) = Load("""
            sources: registry/sources.yaml
            curation:
              targets:
                - {granularity: image, items: 12}
                - {task: Disease Diagnosis, granularity: mask, items: 3}
                - {task: OR-A, items: 7}
            """);
        Assert.Empty(issues);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(s.File)!, "registry", "sources.yaml"), s.SourcesFile);
        Assert.Equal([(null, Granularity.Image, 12), ("Disease Diagnosis", Granularity.Mask, 3), ("OR-A", (Granularity?)null, 7)],
            s.Curation.Targets.Select(t => (t.Task, t.Granularity, t.Items)));
        Assert.Equal([4, 5, 6], s.Curation.Targets.Select(t => t.Line));
    }

    [Fact]
    public void Bad_composition_targets_are_named()
    {
        var (_, issues) = Load("""
            curation:
              targets:
                - {granularity: slice, items: 12}
                - {granularity: box}
                - {items: 4}
                - {granularity: mask, items: 2}
                - {granularity: mask, items: 3}
            """);
        Assert.Contains(issues, i => i.Field == "curation.targets[0].granularity" && i.Message.Contains("unknown granularity 'slice'; expected image, box, mask, contour"));
        Assert.Contains(issues, i => i.Field == "curation.targets[1].items" && i.Message.Contains("is required"));
        Assert.Contains(issues, i => i.Field == "curation.targets[2]" && i.Message.Contains("name a task, a granularity or both"));
        Assert.Contains(issues, i => i.Field == "curation.targets[4]" && i.Line == 7 && i.Message.Contains("has a target already"));
    }

    [Fact]
    public void An_unknown_task_in_a_target_is_a_fatal_issue_with_a_suggestion()
    {
        var project = new DemoProject("targets-task");
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("  val_share: 0.176\n", "  val_share: 0.176\n  targets:\n    - {task: Disease Diagnosys, items: 3}\n"));
        var config = project.Config();
        var issue = Assert.Single(config.FatalIssues);
        Assert.Equal("curation.targets.task", issue.Field);
        Assert.Contains("unknown task 'Disease Diagnosys'", issue.Message);
        Assert.Contains("Disease Diagnosis", issue.Message);
    }
}

using GmaiBench.Cli;

namespace GmaiBench.Tests.Cli;

public class CliTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private static int Run(DemoProject p, params string[] args) =>
        GmaiCommand.Build().Parse([.. args, "--sources", p.PathOf("sources.yaml"), "--taxonomy", p.PathOf("label-taxonomy"), "--pipeline", p.PathOf("pipelines/demo.yaml")]).Invoke();

    [Fact]
    public void Validate_and_build_succeed_on_the_demo_project()
    {
        var p = corpus.NewProject("cli-ok");
        Assert.Equal(ExitCodes.Ok, Run(p, "validate"));
        Assert.Equal(ExitCodes.Ok, Run(p, "build", "--jobs", "2"));
        foreach (var f in new[] { "GmaiDemo.tsv", "GmaiDemo.parquet", "build-report.json", "build-report.md", "rejects.tsv" })
            Assert.True(File.Exists(p.PathOf($"out/gmai-demo/{f}")), f);
        Assert.False(Directory.Exists(p.PathOf("out/gmai-demo.incomplete")));
    }

    [Fact]
    public void Validate_exits_non_zero_on_a_malformed_sources_file()
    {
        var p = corpus.NewProject("cli-bad");
        File.WriteAllText(p.PathOf("sources.yaml"), "version: 1\nsources:\n  - id: x\n    name: [oops\n");
        Assert.Equal(ExitCodes.Problems, Run(p, "validate"));
        Assert.Equal(ExitCodes.ConfigError, Run(p, "build"));
    }

    [Fact]
    public void Build_with_strict_refuses_an_invalid_source_entry()
    {
        var p = corpus.NewProject("cli-strict");
        File.WriteAllText(p.PathOf("sources.yaml"), File.ReadAllText(p.PathOf("sources.yaml")).Replace("modality: Dermoscopy", "modality: Dermatoscope"));
        Assert.Equal(ExitCodes.ConfigError, Run(p, "build", "--strict"));
        Assert.Equal(ExitCodes.Ok, Run(p, "build"));
    }

    [Fact]
    public void Demo_writes_a_deterministic_corpus()
    {
        var a = TestData.TempDir("demo-a");
        var b = TestData.TempDir("demo-b");
        Assert.Equal(ExitCodes.Ok, GmaiCommand.Build().Parse(["demo", "--out", a]).Invoke());
        Assert.Equal(ExitCodes.Ok, GmaiCommand.Build().Parse(["demo", "--out", b]).Invoke());
        // Run again over an existing corpus: it is rewritten, not refused halfway.
        Assert.Equal(ExitCodes.Ok, GmaiCommand.Build().Parse(["demo", "--out", b]).Invoke());
        var fa = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        Assert.Equal(fa, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order());
        Assert.All(fa, f => Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f))));
    }
}

public class CliTaxonomyTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void Validate_reports_a_broken_taxonomy_and_labels_tree_subset_run_on_a_build()
    {
        var p = corpus.NewProject("cli-tax");
        string[] paths = ["--sources", p.PathOf("sources.yaml"), "--taxonomy", p.PathOf("label-taxonomy"), "--pipeline", p.PathOf("pipelines/demo.yaml")];
        int Run(params string[] args) => GmaiCommand.Build().Parse([.. args, .. paths]).Invoke();
        Assert.Equal(ExitCodes.Ok, Run("build"));
        Assert.Equal(ExitCodes.Ok, Run("labels"));
        Assert.Equal(ExitCodes.Ok, Run("tree", "--json"));
        Assert.Equal(ExitCodes.Ok, Run("subset", "--where", "department = Dermatology", "--out", p.PathOf("derm")));
        Assert.True(File.Exists(p.PathOf("derm/GmaiDemo_subset.parquet")));
        Assert.Equal(ExitCodes.ConfigError, Run("subset", "--where", "colour = red"));
        File.AppendAllText(p.PathOf("label-taxonomy/labels/general.yaml"), "  - {id: odd, name: odd, task: NOPE}\n");
        Assert.Equal(ExitCodes.Problems, Run("validate"));
    }
}

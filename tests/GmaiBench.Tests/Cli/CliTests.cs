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
    public void Inspect_of_an_empty_path_is_a_usage_error_not_a_crash()
    {
        // A shell variable that came out empty (gmai inspect "$f") used to end in an unhandled exception.
        var error = new StringWriter();
        var before = Console.Error;
        Console.SetError(error);
        try { Assert.Equal(ExitCodes.ConfigError, GmaiCommand.Build().Parse(["inspect", ""]).Invoke()); }
        finally { Console.SetError(before); }
        Assert.Contains("the path is empty", error.ToString());
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

public class CliLabelsJsonTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    /// <summary>Runs the built <c>gmai</c> as a child process, so stdout and stderr are the real streams a shell pipes.</summary>
    private static (int Code, string Stdout, string Stderr) RunGmai(DemoProject p, params string[] args)
    {
        var gmai = Path.Combine(AppContext.BaseDirectory, "gmai.dll");
        var host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(host,
            [gmai, .. args, "--sources", p.PathOf("sources.yaml"), "--taxonomy", p.PathOf("label-taxonomy"), "--pipeline", p.PathOf("pipelines/demo.yaml")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = p.Root,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "gmai did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }

    [Fact]
    public void Labels_json_prints_exactly_one_json_document_on_stdout_and_everything_else_on_stderr()
    {
        var p = corpus.NewProject("cli-labels-json");
        // One broken source entry, so there is a diagnostic to keep off stdout as well as the summary.
        File.WriteAllText(p.PathOf("sources.yaml"), File.ReadAllText(p.PathOf("sources.yaml")).Replace("modality: Dermoscopy", "modality: Dermatoscope"));
        var (code, stdout, stderr) = RunGmai(p, "labels", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);   // throws on anything after the document
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Contains(rows, r => r.GetProperty("Raw").GetString() == "Kidney_L" && r.GetProperty("Canonical").GetString() == "kidney");
        Assert.Contains(rows, r => r.GetProperty("Raw").GetString() == "ground-glass halo sign" && r.GetProperty("Canonical").ValueKind == System.Text.Json.JsonValueKind.Null);
        Assert.DoesNotContain(rows, r => r.GetProperty("SourceId").GetString() == "demo-dermoscopy");
        Assert.Matches($@"(?m)^{rows.Count} raw label\(s\), 1 unmapped \(pipeline policy: labels.unmapped: reject\)\r?$", stderr);
        Assert.Contains("source errors (these sources are not listed)", stderr);
        Assert.Contains("Dermatoscope", stderr);
    }

    [Fact]
    public void Labels_json_on_a_broken_configuration_leaves_stdout_empty()
    {
        var p = corpus.NewProject("cli-labels-json-bad");
        File.AppendAllText(p.PathOf("label-taxonomy/labels/general.yaml"), "  - {id: odd, name: odd, task: NOPE, region: any}\n");
        var (code, stdout, stderr) = RunGmai(p, "labels", "--json");
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Equal("", stdout);
        Assert.Contains("unknown task 'NOPE'", stderr);
    }
}

public class CliUsageTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    /// <summary>The built <c>gmai</c> as a child process in <paramref name="cwd"/>, stdout and stderr piped as a shell would.</summary>
    private static (int Code, string Stdout, string Stderr) RunIn(string cwd, IDictionary<string, string>? env, params string[] args)
    {
        var gmai = Path.Combine(AppContext.BaseDirectory, "gmai.dll");
        var host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(host, [gmai, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = cwd,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "gmai did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }

    [Theory]
    [InlineData(new[] { "biuld" }, "gmai: unknown command 'biuld' (did you mean: build")]
    [InlineData(new[] { "build", "--job", "2" }, "gmai build: unknown option '--job' (did you mean: --jobs")]
    [InlineData(new[] { "subset" }, "gmai subset: ")]
    public void A_usage_error_is_one_line_with_a_suggestion_and_exit_code_2(string[] args, string expected)
    {
        var (code, stdout, stderr) = RunIn(TestData.TempDir("cli-usage"), null, args);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line);
    }

    [Fact]
    public void Default_paths_resolve_from_the_project_found_upward()
    {
        var p = corpus.NewProject("cli-root");
        var (code, stdout, _) = RunIn(p.PathOf("pipelines"), null, "validate");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("valid:", stdout);
        // Outside any project, the error names the full path it looked at.
        var nowhere = TestData.TempDir("cli-nowhere");
        var (bad, outText, _) = RunIn(nowhere, null, "validate");
        Assert.NotEqual(ExitCodes.Ok, bad);
        Assert.Contains(Path.Combine(nowhere, "sources.yaml"), outText);
    }

    [Fact]
    public void A_piped_build_prints_progress_lines_for_hashing_decoding_and_writing()
    {
        var p = corpus.NewProject("cli-progress");
        var (code, stdout, _) = RunIn(p.Root, null, "build", "--jobs", "2");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("hash: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("decode: ", StringComparison.Ordinal));
        var writes = lines.Where(l => l.StartsWith("write: ", StringComparison.Ordinal)).ToList();
        Assert.Equal($"write: {writes.Count}/{writes.Count}", writes[^1]);
        Assert.DoesNotContain('\u001b', stdout);   // no terminal escape codes in a pipe
    }

    [Fact]
    public void Tables_are_not_wrapped_when_piped()
    {
        var p = corpus.NewProject("cli-wrap");
        var (code, stdout, _) = RunIn(p.Root, new Dictionary<string, string> { ["COLUMNS"] = "80" }, "labels");
        Assert.Equal(ExitCodes.Ok, code);
        // Each raw label's row is one line holding its source, raw label and canonical label.
        Assert.Contains(stdout.Split('\n'), l => l.Contains("demo-abdomen-ct-2d") && l.Contains("Kidney_L") && l.Contains("kidney"));
    }
}

using GmaiBench.Demo;
using GmaiBench.Pipeline;

namespace GmaiBench.Tests;

/// <summary>Locates the repository's data (taxonomy, pipelines) and makes throw-away project folders.</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Taxonomy => Path.Combine(RepoRoot, "label-taxonomy");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GmaiBench.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("GmaiBench.sln not found above the test binaries");
    }

    /// <summary>This test run's scratch folder; removed when the run ends, and left-overs of dead runs on the next start.</summary>
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        var parent = Path.Combine(Path.GetTempPath(), "gmai-tests");
        Directory.CreateDirectory(parent);
        foreach (var dir in Directory.GetDirectories(parent))
        {
            var name = Path.GetFileName(dir);
            var alive = name.StartsWith("run-", StringComparison.Ordinal) && int.TryParse(name[4..], out var pid) && IsAlive(pid);
            if (!alive) TryDelete(dir);
        }
        var root = Path.Combine(parent, $"run-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    });

    private static bool IsAlive(int pid)
    {
        try { return !System.Diagnostics.Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(RunRoot.Value, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }
}

/// <summary>
/// A project folder laid out like the repository (sources.yaml, label-taxonomy/, pipelines/demo.yaml) over a
/// freshly generated demo corpus, so tests can change any part of it.
/// </summary>
public sealed class DemoProject
{
    public string Root { get; }
    public ProjectPaths Paths => ProjectPaths.Default(Root);

    public DemoProject(string name = "demo", string? corpusTemplate = null)
    {
        Root = TestData.TempDir(name);
        TestData.CopyDirectory(TestData.Taxonomy, Path.Combine(Root, "label-taxonomy"));
        Directory.CreateDirectory(Path.Combine(Root, "pipelines"));
        System.IO.File.Copy(Path.Combine(TestData.RepoRoot, "sources.yaml"), Path.Combine(Root, "sources.yaml"));
        System.IO.File.Copy(Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml"), Path.Combine(Root, "pipelines", "demo.yaml"));
        var corpus = Path.Combine(Root, "demo", "corpus");
        if (corpusTemplate is not null) TestData.CopyDirectory(corpusTemplate, corpus);
        else DemoCorpus.Write(corpus);
    }

    public ProjectConfig Config() => ProjectConfig.Load(Paths);

    public BuildResult Build(int jobs = 2) => BuildRunner.Run(Config(), new BuildOptions { Jobs = jobs });

    public string PathOf(string relative) => Path.Combine(Root, relative);
}

/// <summary>One generated demo corpus shared by the tests of a class (generation takes a second).</summary>
public sealed class DemoCorpusFixture
{
    public string Corpus { get; }

    public DemoCorpusFixture()
    {
        Corpus = Path.Combine(TestData.TempDir("corpus"), "corpus");
        DemoCorpus.Write(Corpus);
    }

    public DemoProject NewProject(string name) => new(name, Corpus);
}

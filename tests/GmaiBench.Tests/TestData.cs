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

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gmai-tests", $"{name}-{Guid.NewGuid():N}");
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

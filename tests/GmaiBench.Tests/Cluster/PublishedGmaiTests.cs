using System.Diagnostics;

namespace GmaiBench.Tests.Cluster;

/// <summary>What the container image holds: the published gmai, run from its publish folder, in a project folder with no repository around it.</summary>
public class PublishedGmaiTests
{
    private static (int Exit, string Output) Run(string cwd, IDictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }

    [Fact]
    public void The_published_gmai_builds_the_demo_from_its_publish_folder_in_a_project_outside_the_repository()
    {
        var publish = TestData.TempDir("publish");
        var (published, log) = Run(TestData.RepoRoot, null, "publish", Path.Combine(TestData.RepoRoot, "src", "GmaiBench.Cli"), "-c", "Release", "-o", publish, "-nologo", "-v", "quiet");
        Assert.True(published == 0, log);
        var gmai = Path.Combine(publish, "gmai.dll");

        var project = TestData.TempDir("image-project");
        TestData.CopyDirectory(TestData.Taxonomy, Path.Combine(project, "label-taxonomy"));
        File.Copy(Path.Combine(TestData.RepoRoot, "sources.yaml"), Path.Combine(project, "sources.yaml"));
        Directory.CreateDirectory(Path.Combine(project, "pipelines"));
        File.Copy(Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml"), Path.Combine(project, "pipelines", "demo.yaml"));

        var (demo, demoLog) = Run(project, null, gmai, "demo");
        Assert.True(demo == 0, demoLog);
        // As a pod of an Indexed Job runs it: the shard index from JOB_COMPLETION_INDEX (DICOM series decode in children of
        // the published gmai), then the merge.
        foreach (var k in new[] { "0", "1" })
        {
            var (shard, shardLog) = Run(project, new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = k }, gmai, "build", "--jobs", "2", "--shard", "auto/2");
            Assert.True(shard == 0, shardLog);
            Assert.Contains($"Shard {k}/2: ", shardLog);
        }
        var (merge, mergeLog) = Run(project, null, gmai, "merge");
        Assert.True(merge == 0, mergeLog);
        Assert.Matches(@"Questions: [1-9]\d* \(TEST \d+, VAL \d+\)", mergeLog);
        // The DICOM series were decoded (their source emitted items), so the published gmai started its decoder children.
        Assert.Matches(@"demo-ct-dicom\s*│\s*\d+\s*│\s*[1-9]\d*\s*│", mergeLog);
        Assert.True(File.Exists(Path.Combine(project, "out", "gmai-demo", "GmaiDemo.parquet")));
    }
}

using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Pipeline;
using GmaiBench.Review;

namespace GmaiBench.Tests.Cluster;

/// <summary>
/// A rebuild whose whole-benchmark inputs are unchanged reuses the last result (the memo in the work folder). Every kind of
/// input those stages read is changed here in turn, and the rebuild must equal what the stages compute afresh.
/// </summary>
public class BenchmarkMemoTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private static string Json(BuildResult r) => JsonSerializer.Serialize(r.Questions) + "\n" + JsonSerializer.Serialize(r.Report);

    /// <summary>Builds twice: as the memo allows, then with the memo removed (the stages run). Both must agree.</summary>
    private static BuildResult BuildAndCheck(DemoProject project, string because)
    {
        var memo = new WorkArea(project.Config().Settings.WorkDir).BenchmarkMemoPath;
        var served = project.Build();
        File.Delete(memo);
        var computed = project.Build();
        Assert.True(Json(served) == Json(computed), $"after {because}, the rebuild differs from the stages run afresh");
        Assert.Equal(served.Digest, computed.Digest);
        Assert.True(File.Exists(memo));
        return computed;
    }

    [Fact]
    public void An_unchanged_rebuild_reuses_the_result_writes_the_same_bytes_and_every_input_of_the_whole_benchmark_stages_invalidates_it()
    {
        var project = corpus.NewProject("memo");
        var cold = project.Build();
        Assert.True(cold.Report.Decoded > 100);
        var memo = new WorkArea(cold.Config.Settings.WorkDir).BenchmarkMemoPath;
        var saved = File.GetLastWriteTimeUtc(memo);

        // Nothing changed: the memo serves the same questions and report, with this run's own pixel counts.
        var again = project.Build();
        Assert.Equal(Json(cold), Json(again));
        Assert.Equal(0, again.Report.Decoded);
        Assert.Equal(cold.Report.Decoded, again.Report.Reused);
        Assert.Equal(cold.Digest, again.Digest);
        Assert.Equal(saved, File.GetLastWriteTimeUtc(memo));   // served, not rewritten

        // The same project named by a relative pipeline path is the same input.
        var relative = project.Paths with { Pipeline = Path.GetRelativePath(Directory.GetCurrentDirectory(), project.Paths.Pipeline) };
        Assert.Equal(cold.Digest, BuildRunner.Run(ProjectConfig.Load(relative), new BuildOptions { Jobs = 2 }).Digest);
        Assert.Equal(saved, File.GetLastWriteTimeUtc(memo));

        // The build folder removed: rewritten from the memo, byte for byte.
        var folder = Workflows.WriteBuildOutputs(cold);
        var written = ShardedBuildTests.DigestsOf(folder);
        Directory.Delete(folder, recursive: true);
        var (served, rewritten) = Workflows.Build(project.Config(), new BuildOptions { Jobs = 2 });
        Assert.Equal(0, served.Report.Decoded);
        Assert.Equal(written, ShardedBuildTests.DigestsOf(rewritten));

        // A release from the memo equals the same version released with the memo gone (the first moved aside, so both
        // see the same history); then neither stays published.
        var (first, _) = Workflows.Release(project.Config(), new BuildOptions { Jobs = 2 }, "1.0.0");
        Assert.Equal(saved, File.GetLastWriteTimeUtc(memo));
        var fromMemo = ShardedBuildTests.DigestsOf(first);
        Directory.Move(first, Path.Combine(TestData.TempDir("memo-release"), "1.0.0"));
        File.Delete(memo);
        var (second, _) = Workflows.Release(project.Config(), new BuildOptions { Jobs = 2 }, "1.0.0");
        Assert.Equal(fromMemo, ShardedBuildTests.DigestsOf(second));
        Directory.Delete(second, recursive: true);

        // A reviewer's decision.
        var settings = cold.Config.Settings;
        ReviewFile.Append(ReviewFile.PathFor(settings.ReviewsDir, settings.Name), new ReviewDecision
        {
            Item = ReviewFingerprint.Of(cold.Questions[0]), Index = cold.Questions[0].Index, Reviewer = "ann", Verdict = "reject",
            Time = "2026-03-01T09:00:00.000Z", Reason = "mark misaligned",
        });
        var reviewed = BuildAndCheck(project, "a review decision");
        Assert.Equal(cold.Questions.Count - 1, reviewed.Questions.Count);

        // The pipeline file (the seed changes the split and the letters).
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("seed: 20240807", "seed: 20240808", StringComparison.Ordinal));
        var reseeded = BuildAndCheck(project, "a new seed");
        Assert.NotEqual(Json(reviewed), Json(reseeded));

        // The source registry (a source's department tags its items).
        var sources = project.PathOf("sources.yaml");
        File.WriteAllText(sources, File.ReadAllText(sources).Replace("department: Hematology", "department: Oncology", StringComparison.Ordinal));
        var retagged = BuildAndCheck(project, "a source's department");
        Assert.NotEqual(Json(reseeded), Json(retagged));

        // The taxonomy (a label's name is an option text).
        var label = retagged.Questions[0].AnswerLabels[0];
        var entry = new System.Text.RegularExpressions.Regex("\\{id: " + System.Text.RegularExpressions.Regex.Escape(label) + ", name: ([^,}]+)");
        var file = Directory.GetFiles(project.PathOf("label-taxonomy/labels"), "*.yaml").Single(f => entry.IsMatch(File.ReadAllText(f)));
        File.WriteAllText(file, entry.Replace(File.ReadAllText(file), m => m.Value + " variant", 1));
        var renamed = BuildAndCheck(project, "a label's name");
        Assert.Contains(renamed.Questions, q => q.Category.EndsWith(" variant", StringComparison.Ordinal));

        // A published release (its items carry indices and options forward).
        var digestBefore = renamed.Digest;
        Workflows.Release(project.Config(), new BuildOptions { Jobs = 2 }, "1.0.0");
        var afterRelease = BuildAndCheck(project, "a published release");
        Assert.NotEqual(digestBefore, afterRelease.Digest);

        // An input removed (discovery), and a damaged memo.
        var input = Directory.GetFiles(project.PathOf("demo/corpus/fundus"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.Delete(input);
        var fewer = BuildAndCheck(project, "an input removed");
        Assert.Equal(afterRelease.Report.InputsDiscovered - 1, fewer.Report.InputsDiscovered);
        File.WriteAllText(memo, "{\"Digest\": \"" + fewer.Digest + "\", \"Questions\": [");
        Assert.Equal(Json(fewer), Json(project.Build()));
    }
}

using System.Security.Cryptography;
using GmaiBench.Pipeline;

namespace GmaiBench.Tests.Cluster;

/// <summary>The demo corpus and the digests of a one-machine build's output folder, made once for the class.</summary>
public sealed class OneMachineBuildFixture
{
    public DemoCorpusFixture Corpus { get; } = new();
    public IReadOnlyDictionary<string, string> Digests { get; }

    public OneMachineBuildFixture()
    {
        var project = Corpus.NewProject("one-machine");
        var (_, folder) = Workflows.Build(project.Config(), new BuildOptions { Jobs = 2 });
        Digests = ShardedBuildTests.DigestsOf(folder);
    }
}

public class ShardedBuildTests(OneMachineBuildFixture reference) : IClassFixture<OneMachineBuildFixture>
{
    public static IReadOnlyDictionary<string, string> DigestsOf(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    private static ShardResult Shard(DemoProject project, int k, int n, IProgress<BuildProgress>? progress = null) =>
        BuildRunner.RunShard(project.Config(), new BuildOptions { Jobs = 2, Progress = progress }, new ShardSpec(k, n));

    private static (MergeResult Result, string Folder) Merge(DemoProject project, int? n = null) =>
        Workflows.Merge(project.Config(), new BuildOptions { Jobs = 2 }, n);

    [Fact]
    public void Shards_merged_give_the_bytes_of_one_build_whatever_the_shard_count()
    {
        var project = reference.Corpus.NewProject("sharded");
        foreach (var n in new[] { 1, 2, 3, 7 })
        {
            // Shards run in reverse order: nothing may depend on shard 0 going first.
            var shards = Enumerable.Range(0, n).Reverse().Select(k => Shard(project, k, n)).OrderBy(s => s.Shard.Index).ToList();
            Assert.All(shards, s => Assert.Equal(s.Manifest.Items, s.Manifest.Decoded));
            var (merge, folder) = Merge(project, n);
            Assert.Equal(0, merge.Build.Report.Decoded);
            Assert.Equal(merge.Build.Report.Reused, shards.Sum(s => s.Manifest.Items));
            Assert.Equal(Enumerable.Range(0, n), merge.Shards.Select(m => m.Index));
            Assert.Equal(reference.Digests, DigestsOf(folder));
        }
        // Several shard sets in one work folder: merge asks which.
        var e = Assert.Throws<ShardMergeException>(() => Merge(project));
        Assert.Contains("1, 2, 3, 7", e.Message);
    }

    [Fact]
    public void A_shard_killed_midway_is_refused_by_merge_and_rerun_alone_redoes_only_its_missing_work()
    {
        var project = reference.Corpus.NewProject("killed-shard");
        Shard(project, 0, 3);
        Shard(project, 1, 3);
        // Shard 2 stops abruptly after some of its outcomes were saved (every 64 items), as a killed job would.
        var stop = new Progress(p => { if (p.Stage.EndsWith("decode", StringComparison.Ordinal) && p.Done == 70) throw new OperationCanceledException("killed"); });
        Assert.ThrowsAny<Exception>(() => Shard(project, 2, 3, stop));
        var refused = Assert.Throws<ShardMergeException>(() => Merge(project));
        Assert.Contains("shard 2/3 did not finish", refused.Message);

        var rerun = Shard(project, 2, 3);
        Assert.True(rerun.Manifest.Reused >= 64, $"the re-run reused {rerun.Manifest.Reused} outcomes");
        Assert.Equal(rerun.Manifest.Items, rerun.Manifest.Decoded + rerun.Manifest.Reused);
        var (_, folder) = Merge(project);
        Assert.Equal(reference.Digests, DigestsOf(folder));
    }

    [Fact]
    public void Merge_refuses_a_missing_shard_and_one_built_from_other_inputs_or_settings_naming_it()
    {
        var project = reference.Corpus.NewProject("foreign-shard");
        var none = Assert.Throws<ShardMergeException>(() => Merge(project));
        Assert.Contains("gmai build --shard K/N", none.Message);

        Shard(project, 0, 2);
        var missing = Assert.Throws<ShardMergeException>(() => Merge(project));
        Assert.Contains("shard 1/2 is missing", missing.Message);
        Assert.Contains("gmai build --shard 1/2", missing.Message);

        Shard(project, 1, 2);
        // An input replaced after the shards ran: the merge names the shard that holds it and the file.
        var fundus = Directory.GetFiles(project.PathOf("demo/corpus/fundus"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        File.Copy(fundus[1], fundus[0], overwrite: true);
        var changed = Assert.Throws<ShardMergeException>(() => Merge(project));
        // The copy changed the file's size, which moves the plan's cut: the work is still taken from whichever shard did it.
        Assert.Matches(@"^shard [01]/2 was built from other inputs or settings: 1 item\(s\) changed since it ran \(first: demo-fundus/", changed.Message);
        Assert.True(changed.Message.Contains(Path.GetFileName(fundus[0]), StringComparison.Ordinal), changed.Message);
        Assert.DoesNotContain("; shard", changed.Message);

        // An input added after the shards ran: merge names the shard whose share it falls in.
        File.Copy(fundus[2], fundus[0], overwrite: true);
        Shard(project, 0, 2);
        Shard(project, 1, 2);
        File.Copy(fundus[3], Path.Combine(Path.GetDirectoryName(fundus[3])!, "p999_new.png"));
        var added = Assert.Throws<ShardMergeException>(() => Merge(project));
        Assert.Matches(@"^shard [01]/2 has not done 1 item\(s\) added since the shards ran \(first: demo-fundus/.*p999_new\.png\)", added.Message);

        // Other stage settings (a pipeline edit after the shards ran) are refused the same way.
        var project2 = reference.Corpus.NewProject("foreign-settings");
        Shard(project2, 0, 2);
        Shard(project2, 1, 2);
        var pipeline = project2.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("max_side: 512", "max_side: 448", StringComparison.Ordinal));
        var settings = Assert.Throws<ShardMergeException>(() => Merge(project2));
        Assert.Contains("shard 0/2 was built from other inputs or settings", settings.Message);
    }

    [Fact]
    public void Shard_specs_parse_from_the_option_or_the_array_index_of_Slurm_and_Kubernetes()
    {
        Assert.Equal(new ShardSpec(3, 7), ShardSpec.Parse("3/7"));
        Assert.Equal(new ShardSpec(2, 4), ShardSpec.Parse("auto/4", v => v == "SLURM_ARRAY_TASK_ID" ? "2" : null));
        Assert.Equal(new ShardSpec(1, 4), ShardSpec.Parse("auto/4", v => v == "JOB_COMPLETION_INDEX" ? "1" : null));
        Assert.Contains("out of range for 4 shard(s): indices count from 0 to 3", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("4/4")).Message);
        Assert.Contains("SLURM_ARRAY_TASK_ID 9 is out of range", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("auto/4", v => v == "SLURM_ARRAY_TASK_ID" ? "9" : null)).Message);
        Assert.Contains("none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX is set", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("auto/4", _ => null)).Message);
        Assert.Contains("is not K/N", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("3")).Message);
        Assert.Contains("N must be a whole number", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("0/0")).Message);
        Assert.Contains("is not a shard index", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("-1/3")).Message);
    }

    [Fact]
    public void The_plan_cuts_key_order_into_contiguous_runs_of_about_equal_bytes()
    {
        var rng = new Random(7);
        var sizes = Enumerable.Range(0, 1000).Select(_ => (long)rng.Next(1, 5_000_000)).ToList();
        foreach (var n in new[] { 1, 2, 3, 7, 16 })
        {
            var plan = ShardPlan.Assign(sizes, n);
            Assert.Equal(plan.Order(), plan);                      // contiguous runs in key order
            Assert.Equal(Enumerable.Range(0, n), plan.Distinct()); // every shard gets work
            var bytes = Enumerable.Range(0, n).Select(k => sizes.Where((_, i) => plan[i] == k).Sum()).ToList();
            Assert.True(bytes.Max() - bytes.Min() <= 2 * sizes.Max(), $"N={n}: shard bytes {string.Join(", ", bytes)}");
            Assert.Equal(plan, ShardPlan.Assign(sizes, n));
        }
        // Adding one item at the end moves no earlier item to another shard but those at the last cut.
        var grown = ShardPlan.Assign([.. sizes, 1000], 4);
        var before = ShardPlan.Assign(sizes, 4);
        Assert.True(Enumerable.Range(0, sizes.Count).Count(i => grown[i] != before[i]) <= 3);
        // Empty inputs still spread.
        Assert.Equal([0, 0, 1, 1], ShardPlan.Assign([0, 0, 0, 0], 2));
        Assert.Equal([1], ShardPlan.Assign([5], 3));   // a lone item goes where its midpoint falls
    }

    private sealed class Progress(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }
}

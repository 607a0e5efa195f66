using GmaiBench.Pipeline;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Pipeline;

/// <summary>Work proportional to what is kept: seeded candidate pools per (source, label), refilled past rejects and near-duplicates.</summary>
public class CandidateSamplingTests
{
    [Fact]
    public void A_walk_stops_when_the_pool_holds_enough_and_goes_past_rejects_and_near_duplicates()
    {
        int[] order = [0, 1, 2, 3, 4, 5, 6, 7];
        // Nothing decoded: exactly `need` inputs are asked for.
        var (walked, todo) = CandidatePool.Walk(order, _ => (CandidateState.Undecoded, null), need: 3, nearDuplicateBits: 4);
        Assert.Equal(3, walked);
        Assert.Equal([0, 1, 2], todo);

        // 1 rejected, 2 nearly the same image as 0 (2 bits apart): the walk refills with 3 and 4.
        var state = new Dictionary<int, (CandidateState, ulong?)>
        {
            [0] = (CandidateState.Usable, 0xF0F0_0000_0000_0000UL), [1] = (CandidateState.Rejected, null),
            [2] = (CandidateState.Usable, 0xF0F0_0000_0000_0003UL),
        };
        (walked, todo) = CandidatePool.Walk(order, i => state.GetValueOrDefault(i, (CandidateState.Undecoded, null)), 3, 4);
        Assert.Equal(5, walked);
        Assert.Equal([3, 4], todo);

        // Once decoded and usable, the walk is final: nothing more to decode, five inputs passed, three not sampled.
        state[3] = (CandidateState.Usable, 0x0000_0000_FFFF_0000UL);
        state[4] = (CandidateState.Usable, 0x0F0F_0F0F_0000_0000UL);
        (walked, todo) = CandidatePool.Walk(order, i => state.GetValueOrDefault(i, (CandidateState.Undecoded, null)), 3, 4);
        Assert.Equal(5, walked);
        Assert.Empty(todo);
    }

    [Fact]
    public void The_order_is_seeded_by_key_whatever_order_the_inputs_come_in()
    {
        var keys = Enumerable.Range(0, 50).Select(i => $"src/AMD/img{i:000}.png").ToList();
        var members = Enumerable.Range(0, 50).ToList();
        var forward = CandidatePool.Order(keys, members, 7).Select(i => keys[i]).ToList();
        var reversed = CandidatePool.Order(keys, members.AsEnumerable().Reverse().ToList(), 7).Select(i => keys[i]).ToList();
        Assert.Equal(forward, reversed);
        Assert.NotEqual(keys, forward);   // not the key order: a cap must not favour the first files of a folder
        Assert.NotEqual(forward, CandidatePool.Order(keys, members, 8).Select(i => keys[i]).ToList());
    }

    /// <summary>A project of one image-folder source: 40 distinct noise images per label, a few damaged, a few near-copies.</summary>
    private static string Project(string name, int cap)
    {
        var root = TestData.TempDir(name);
        TestData.CopyDirectory(TestData.Taxonomy, Path.Combine(root, "label-taxonomy"));
        Directory.CreateDirectory(Path.Combine(root, "pipelines"));
        File.WriteAllText(Path.Combine(root, "pipelines", "p.yaml"), $"""
            name: sampled
            display_name: Sampled
            seed: 11
            work: ../work
            output: ../out
            patient_key:
              file: ../key
            curation:
              max_per_label: {cap}
            """);
        File.WriteAllText(Path.Combine(root, "key"), new string('k', 64));
        File.WriteAllText(Path.Combine(root, "sources.yaml"), """
            version: 1
            sources:
              - id: photos
                name: Photos
                license: CC0-1.0
                citation: test
                layout: image-folder
                root: corpus
                modality: fundus photo
                task: Disease Diagnosis
                department: Ophthalmology
                group_pattern: '^[^/]+/(?<group>p\d+)_'
            """);
        var random = new Random(5);
        foreach (var label in new[] { "AMD", "glaucoma" })
        {
            var dir = Path.Combine(root, "corpus", label);
            Directory.CreateDirectory(dir);
            for (var i = 0; i < 40; i++)
            {
                using var img = new Image<Rgb24>(48, 48);
                for (var y = 0; y < 48; y++)
                for (var x = 0; x < 48; x++)
                    img[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                img.SaveAsPng(Path.Combine(dir, $"p{i:00}_a.png"));
                if (i % 4 == 0)   // a near-copy: the same picture, one pixel changed
                {
                    img[0, 0] = new Rgb24(0, 0, 0);
                    img.SaveAsPng(Path.Combine(dir, $"p{i:00}_b.png"));
                }
            }
            for (var i = 0; i < 6; i++) File.WriteAllBytes(Path.Combine(dir, $"p9{i}_x.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        }
        return root;
    }

    private static ProjectConfig Config(string root) =>
        ProjectConfig.Load(new ProjectPaths(Path.Combine(root, "sources.yaml"), Path.Combine(root, "label-taxonomy"), Path.Combine(root, "pipelines", "p.yaml")));

    private static BuildResult Build(string root, int jobs, bool fullScan = false) =>
        BuildRunner.Run(Config(root), new BuildOptions { Jobs = jobs, FullScan = fullScan });

    private static IReadOnlyDictionary<string, string> Written(BuildResult r) => Cluster.ShardedBuildTests.DigestsOf(Workflows.WriteBuildOutputs(r));

    [Fact]
    public void A_capped_source_decodes_only_its_candidates_and_a_full_scan_or_other_thread_count_emits_the_same_items()
    {
        var sampled = Build(Project("sampled", cap: 5), jobs: 2);
        var report = sampled.Report;
        Assert.Equal(112, report.InputsDiscovered);   // 2 x (40 + 10 near-copies + 6 damaged)
        Assert.Equal(0, report.Unaccounted);
        Assert.Equal(report.InputsDiscovered, report.ItemsEmitted + report.InputsRejected + report.NotSampled);
        Assert.True(report.Decoded < 30, $"decoded {report.Decoded} of 112 for a cap of 5 per label");
        Assert.True(report.NotSampled > 80, $"{report.NotSampled} not sampled");
        Assert.Equal(report.NotSampled, Assert.Single(report.Sources).NotSampled);
        Assert.Equal(10, report.ItemsEmitted);   // the cap, both labels, after the damaged files and near-copies the walk met
        Assert.DoesNotContain(report.Rejects, r => r.Reason == "label-cap");
        // Inputs the walks never reached were not even read: only the decoded ones are in the stat cache.
        using (var db = Catalog.CatalogDb.Open(new Catalog.WorkArea(sampled.Config.Settings.WorkDir).CatalogPath))
            Assert.Equal(report.Decoded, new Catalog.CatalogStore(db).FileHashes().Count);

        var full = Build(Project("full-scan", cap: 5), jobs: 2, fullScan: true);
        Assert.Equal(112, full.Report.Decoded);
        Assert.Equal(report.NotSampled, full.Report.NotSampled);
        Assert.Equal(Written(sampled), Written(full));

        var serial = Build(Project("sampled-serial", cap: 5), jobs: 1);
        Assert.Equal(Written(sampled), Written(serial));

        // Shards decode all their inputs; the merge walks the same pools and emits the same items.
        var sharded = Project("sampled-shards", cap: 5);
        var config = Config(sharded);
        for (var k = 0; k < 2; k++) BuildRunner.RunShard(config, new BuildOptions { Jobs = 2 }, new ShardSpec(k, 2));
        var (merged, folder) = Workflows.Merge(config, new BuildOptions { Jobs = 2 }, 2);
        Assert.Equal(report.NotSampled, merged.Build.Report.NotSampled);
        Assert.Equal(Written(sampled), Cluster.ShardedBuildTests.DigestsOf(folder));

        // Raising the cap later decodes only the inputs the longer walks add.
        var root = Project("raised", cap: 5);
        Build(root, jobs: 2);
        var pipeline = Path.Combine(root, "pipelines", "p.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("max_per_label: 5", "max_per_label: 8", StringComparison.Ordinal));
        var raised = Build(root, jobs: 2);
        Assert.Equal(16, raised.Report.ItemsEmitted);
        Assert.InRange(raised.Report.Decoded, 6, 20);
        var md = File.ReadAllText(Path.Combine(Workflows.WriteBuildOutputs(raised), "build-report.md"));
        Assert.Contains($"- Inputs not sampled: {raised.Report.NotSampled} (", md);
    }
}

using GmaiBench.Cli;
using GmaiBench.Model;
using GmaiBench.Pipeline;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Tests.Cluster;

public class ClusterJobFileTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private static int Run(DemoProject p, params string[] args) =>
        GmaiCommand.Build().Parse([.. args, "--sources", p.PathOf("sources.yaml"), "--taxonomy", p.PathOf("label-taxonomy"), "--pipeline", p.PathOf("pipelines/demo.yaml")]).Invoke();

    [Fact]
    public void The_Kubernetes_manifests_are_an_Indexed_Job_and_a_merge_Job_that_read_back_through_the_real_API_types()
    {
        var p = corpus.NewProject("k8s");
        Assert.Equal(ExitCodes.Ok, Run(p, "cluster", "k8s", "--shards", "5", "--jobs", "3", "--image", "registry.example/gmaibench:1.2", "--claim", "bench-data"));
        var folder = p.PathOf("cluster/k8s");
        var shards = ReadBack(Path.Combine(folder, "shards-job.yaml"));
        var merge = ReadBack(Path.Combine(folder, "merge-job.yaml"));

        Assert.Equal(("batch/v1", "Job"), (shards.ApiVersion, shards.Kind));
        Assert.Equal("Indexed", shards.Spec.CompletionMode);
        Assert.Equal(5, shards.Spec.Completions);
        Assert.Equal(5, shards.Spec.Parallelism);
        var pod = shards.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy);
        var container = Assert.Single(pod.Containers);
        Assert.Equal("registry.example/gmaibench:1.2", container.Image);
        Assert.Equal(["gmai", "build", "--sources", "/project/sources.yaml", "--taxonomy", "/project/label-taxonomy", "--pipeline", "/project/pipelines/demo.yaml",
            "--jobs", "3", "--shard", "auto/5"], container.Command);
        Assert.Equal("/project", container.WorkingDir);
        Assert.Equal(RuntimeSettings.Environment, container.Env.Select(e => (e.Name, e.Value)));
        // kubectl reads YAML 1.1: a plain 3 or 0x800000 would be a number where Kubernetes wants a string, and be refused.
        // (The read-back above cannot tell: the client's reader takes any scalar as a string.)
        foreach (var file in new[] { "shards-job.yaml", "merge-job.yaml" })
            Assert.All(StringScalars(Path.Combine(folder, file)), n => Assert.Equal(ScalarStyle.DoubleQuoted, n.Style));
        Assert.Equal("3", container.Resources.Requests["cpu"].ToString());
        var memory = container.Resources.Requests["memory"];
        Assert.Equal(memory, container.Resources.Limits["memory"]);
        Assert.True(memory.ToInt64() >= ResourceModel.RuntimeMb * 1024L * 1024, $"memory request {memory}");
        Assert.Equal("bench-data", Assert.Single(pod.Volumes).PersistentVolumeClaim.ClaimName);
        Assert.Equal("/project", Assert.Single(container.VolumeMounts).MountPath);

        Assert.Null(merge.Spec.CompletionMode);
        Assert.Equal(1, merge.Spec.Completions);
        Assert.Equal(["gmai", "merge", "--sources", "/project/sources.yaml", "--taxonomy", "/project/label-taxonomy", "--pipeline", "/project/pipelines/demo.yaml",
            "--jobs", "3", "--shards", "5"], Assert.Single(merge.Spec.Template.Spec.Containers).Command);
        // The read-back notices a field the API does not have.
        var misspelt = Path.Combine(folder, "misspelt.yaml");
        File.WriteAllText(misspelt, File.ReadAllText(Path.Combine(folder, "shards-job.yaml")).Replace("completionMode:", "completionMod:", StringComparison.Ordinal));
        Assert.Contains(".spec.completionMod", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ReadBack(misspelt)).Message);

        var submit = File.ReadAllText(Path.Combine(folder, "submit.sh"));
        Assert.Contains("kubectl wait --for=condition=complete --timeout=-1s job/gmai-gmai-demo-shards", submit);
        Assert.True(submit.IndexOf("merge-job.yaml", StringComparison.Ordinal) > submit.IndexOf("job/gmai-gmai-demo-shards", StringComparison.Ordinal));
    }

    [Fact]
    public void Slurm_files_ask_for_what_the_corpus_needs_and_chain_the_merge_after_every_shard()
    {
        var p = corpus.NewProject("slurm-files");
        Assert.Equal(ExitCodes.Ok, Run(p, "cluster", "slurm", "--shards", "4", "--jobs", "2", "--partition", "gpu-free", "--time", "02:00:00", "--gmai", "/opt/gmai/gmai"));
        var shards = File.ReadAllText(p.PathOf("cluster/slurm/shards.sbatch"));
        Assert.Contains("#SBATCH --array=0-3", shards);
        Assert.Contains("#SBATCH --cpus-per-task=2", shards);
        Assert.Contains("#SBATCH --partition=gpu-free", shards);
        Assert.Contains("#SBATCH --time=02:00:00", shards);
        Assert.Matches(@"#SBATCH --mem=\d+M", shards);
        Assert.Contains($"#SBATCH --chdir={p.Root}", shards);
        Assert.Contains("exec /opt/gmai/gmai build ", shards);
        Assert.Contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\"", shards);
        Assert.Contains("# largest input: ", shards);
        Assert.Contains("exec /opt/gmai/gmai merge ", File.ReadAllText(p.PathOf("cluster/slurm/merge.sbatch")));
        Assert.Contains($"export DOTNET_GCgen0size=\"${{DOTNET_GCgen0size:-{RuntimeSettings.Gen0Budget}}}\"\n", shards);
        Assert.True(shards.IndexOf("export DOTNET_GCgen0size", StringComparison.Ordinal) < shards.IndexOf("exec ", StringComparison.Ordinal));
        Assert.Contains("--dependency=afterok:\"$shards\" --kill-on-invalid-dep=yes", File.ReadAllText(p.PathOf("cluster/slurm/submit.sh")));
    }

    [Fact]
    public void The_launchers_export_the_runtime_settings_unless_the_environment_has_them()
    {
        var script = File.ReadAllText(Path.Combine(TestData.RepoRoot, "gmai"));
        var dockerfile = File.ReadAllText(Path.Combine(TestData.RepoRoot, "Dockerfile"));
        foreach (var (name, value) in RuntimeSettings.Environment)
        {
            Assert.Contains($"export {name}=\"${{{name}:-{value}}}\"\n", script);
            Assert.True(script.IndexOf(name, StringComparison.Ordinal) < script.IndexOf("exec dotnet", StringComparison.Ordinal));
            Assert.Contains($"ENV {name}={value}\n", dockerfile);
        }
        Assert.Equal($"export DOTNET_GCgen0size=\"${{DOTNET_GCgen0size:-{RuntimeSettings.Gen0Budget}}}\"\n", RuntimeSettings.ShellExports());
        // A decoder child replaces the launchers' own budget with its own, and keeps a value the user set.
        Assert.True(RuntimeSettings.IsLaunchersDefault("DOTNET_GCgen0size", RuntimeSettings.Gen0Budget.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)));
        Assert.False(RuntimeSettings.IsLaunchersDefault("DOTNET_GCgen0size", "0x4000000"));
        Assert.False(RuntimeSettings.IsLaunchersDefault("DOTNET_TieredPGO", RuntimeSettings.Gen0Budget));
    }

    [Fact]
    public void The_memory_model_grows_with_the_largest_input_and_stops_at_the_decoder_cap()
    {
        var settings = corpus.NewProject("model").Config().Settings;
        CorpusSurvey Survey(long largest) => new(100, largest * 10, largest, "s/x.nii.gz", GmaiBench.Model.StageKind.Volume, [largest * 10], [100]);
        var small = ResourceModel.For(Survey(1 << 20), settings, 2);
        var large = ResourceModel.For(Survey(60L << 20), settings, 2);
        var huge = ResourceModel.For(Survey(10L << 30), settings, 2);
        Assert.Equal(768, small.ShardMemoryMb);    // 512 + 2 x the 64 MiB floor per worker = 640, rounded up to 256 MiB
        Assert.Equal(1792, large.ShardMemoryMb);   // 512 + 2 x (10 x 60 MiB) = 1712, rounded up to 256 MiB
        Assert.Equal(ResourceModel.RuntimeMb + 2 * settings.Image.MemoryLimitMegabytes, huge.ShardMemoryMb);
        Assert.All(new[] { small, large, huge }, r => Assert.Equal(0, r.ShardMemoryMb % 256));

        // DICOM series add a decoder child per worker: its runtime and 10x the largest series, under the same cap.
        var series = ResourceModel.For(Survey(1 << 20) with { LargestSeriesBytes = 20L << 20 }, settings, 2);
        Assert.Equal(1536, series.ShardMemoryMb);   // 512 + 2 x (64 + 128 + 200) = 1296, rounded up to 256 MiB
        Assert.Contains(series.Reasoning, r => r.StartsWith("DICOM series: one decoder child per worker", StringComparison.Ordinal) && r.EndsWith("= 328 MiB", StringComparison.Ordinal));
        Assert.Contains(small.Reasoning, r => r == "DICOM series: none, so no decoder children");
        var hugeSeries = ResourceModel.For(Survey(1 << 20) with { LargestSeriesBytes = 10L << 30 }, settings, 1);
        Assert.Equal(RoundUp(ResourceModel.RuntimeMb + 64 + ResourceModel.DecoderChildRuntimeMb + settings.Image.MemoryLimitMegabytes), hugeSeries.ShardMemoryMb);
        static int RoundUp(int mb) => (mb + 255) / 256 * 256;
    }

    [Fact]
    public void The_survey_names_the_largest_DICOM_series_of_the_corpus()
    {
        var p = corpus.NewProject("survey-dicom");
        var survey = BuildRunner.Survey(p.Config(), 2);
        Assert.True(survey.LargestSeriesBytes > 0, "the demo corpus has DICOM series");
        Assert.True(survey.LargestSeriesBytes <= survey.LargestBytes);
    }

    /// <summary>
    /// Reads a manifest into the client's <see cref="V1Job"/> and checks nothing was lost on the way: every key of the
    /// file must come back when the typed object is written out again (a misspelt or misplaced field would not).
    /// </summary>
    private static V1Job ReadBack(string path)
    {
        var text = File.ReadAllText(path);
        var job = KubernetesYaml.Deserialize<V1Job>(text);
        var again = KubernetesYaml.Serialize(job);
        var missing = Keys(text).Except(Keys(again)).ToList();
        Assert.True(missing.Count == 0, $"{Path.GetFileName(path)}: fields the V1Job type does not know: {string.Join(", ", missing)}");
        return job;
    }

    /// <summary>The scalars of a manifest's command lists and environment values, as written.</summary>
    private static List<YamlScalarNode> StringScalars(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var found = new List<YamlScalarNode>();
        void Walk(YamlNode node, string? key)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children) Walk(v, ((YamlScalarNode)k).Value);
                    break;
                case YamlSequenceNode list:
                    foreach (var item in list.Children) Walk(item, key);
                    break;
                case YamlScalarNode scalar when key is "command" or "value" or "image" or "workingDir" or "mountPath" or "claimName":
                    found.Add(scalar);
                    break;
            }
        }
        Walk(stream.Documents[0].RootNode, null);
        Assert.Contains(found, n => n.Value == "3");            // --jobs 3: a number unless quoted
        Assert.Contains(found, n => n.Value == RuntimeSettings.Gen0Budget);
        return found;
    }

    private static HashSet<string> Keys(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        void Walk(YamlNode node, string prefix)
        {
            switch (node)
            {
                case YamlMappingNode m:
                    foreach (var (k, v) in m.Children) { var key = $"{prefix}.{k}"; keys.Add(key); Walk(v, key); }
                    break;
                case YamlSequenceNode s:
                    foreach (var item in s.Children) Walk(item, prefix + "[]");
                    break;
            }
        }
        Walk(stream.Documents[0].RootNode, "");
        return keys;
    }
}

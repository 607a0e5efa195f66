using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GmaiBench.Model;

namespace GmaiBench.Pipeline;

/// <summary>What <c>gmai cluster</c> writes job files for.</summary>
public sealed record ClusterRequest
{
    public required ProjectConfig Config { get; init; }
    /// <summary>The project folder (sources.yaml, label-taxonomy/, pipelines/, the data and the work folder under it or beside it).</summary>
    public required string ProjectRoot { get; init; }
    public required int Shards { get; init; }
    /// <summary>Workers per shard (<c>--jobs</c>) and so the CPUs each shard asks for.</summary>
    public int JobsPerShard { get; init; } = 2;
    /// <summary>How a Slurm job starts gmai on the nodes (a path to the published <c>gmai</c>, or <c>dotnet /…/gmai.dll</c>).</summary>
    public string Gmai { get; init; } = "gmai";
    public string? Partition { get; init; }
    /// <summary>Slurm <c>--time</c> per task (e.g. <c>04:00:00</c>); none means the partition's default.</summary>
    public string? TimeLimit { get; init; }
    /// <summary>The container image the Kubernetes Jobs run (built from the repository's Dockerfile).</summary>
    public string Image { get; init; } = "gmaibench:latest";
    /// <summary>The PersistentVolumeClaim holding the project folder, shared by every pod (ReadWriteMany).</summary>
    public string Claim { get; init; } = "gmaibench-project";
    /// <summary>Where the claim is mounted in the pods; the project folder's paths are rewritten under it.</summary>
    public string MountPath { get; init; } = "/project";
    /// <summary>Shards of the Indexed Job running at once (0: all).</summary>
    public int Parallelism { get; init; }
}

/// <summary>Memory and CPUs a shard task and the merge task ask for, with the reasoning written into the job files.</summary>
public sealed record ResourceRequest(int Cpus, int ShardMemoryMb, int MergeMemoryMb, IReadOnlyList<string> Reasoning);

/// <summary>
/// The stages' memory model, from the corpus survey: a process needs about <see cref="RuntimeMb"/> for the runtime, the
/// catalog and headroom; each worker at most what decoding the largest input takes (10x a volume input, rasters 20x, as
/// RGB with a resized copy; the build streams volumes and keeps planes only, so this is headroom for label maps that
/// must be read again and for compressed inputs), never more than the decoders' own cap (<c>image.memory_limit_mb</c>);
/// where the corpus has DICOM series, each job also has a decoder child of its own (<see cref="DecoderChildRuntimeMb"/>
/// for its runtime, measured at about 100 MiB resident, plus the series it assembles whole before sending it slice by
/// slice: 10x the largest series' files, for compressed transfer syntaxes, under the same cap); the merge holds the
/// questions and writes the outputs a row group at a time, with the images of the build (max_side^2 x 3 bytes, about
/// half after PNG) passing through it.
/// </summary>
public static class ResourceModel
{
    public const int RuntimeMb = 512;
    public const int DecoderChildRuntimeMb = 128;

    public static ResourceRequest For(CorpusSurvey survey, PipelineSettings settings, int jobs)
    {
        const double MB = 1024 * 1024;
        var factor = survey.LargestStage == StageKind.Volume ? 10 : 20;
        var cap = settings.Image.MemoryLimitMegabytes;
        var perWorker = Math.Max(64, Math.Min(cap, (int)Math.Ceiling(survey.LargestBytes * factor / MB)));
        var perChild = survey.LargestSeriesBytes > 0 ? DecoderChildRuntimeMb + Math.Min(cap, (int)Math.Ceiling(survey.LargestSeriesBytes * 10 / MB)) : 0;
        var shard = RoundUp(RuntimeMb + jobs * (perWorker + perChild));
        var side = settings.Image.MaxSide;
        var outputMb = survey.Items * (double)side * side * 3 / 2 / MB;
        var merge = RoundUp(RuntimeMb + (int)Math.Ceiling(3 * settings.Release.RowGroupBytes / MB + 2 * outputMb));
        return new ResourceRequest(jobs, shard, merge,
        [
            $"largest input: {survey.Largest} ({survey.LargestBytes / MB:0.0} MiB, {survey.LargestStage.Text()} stage): up to {perWorker} MiB per worker " +
            $"({factor}x the input, capped by image.memory_limit_mb = {cap})",
            survey.LargestSeriesBytes > 0
                ? $"DICOM series: one decoder child per worker, {DecoderChildRuntimeMb} MiB runtime + the largest series assembled " +
                  $"({survey.LargestSeriesBytes / MB:0.0} MiB of files, 10x, capped by image.memory_limit_mb) = {perChild} MiB"
                : "DICOM series: none, so no decoder children",
            $"shard: {RuntimeMb} MiB runtime + {jobs} worker(s) x ({perWorker} + {perChild}) MiB, rounded up to 256 MiB = {shard} MiB",
            $"merge: {RuntimeMb} MiB runtime + 3 row groups of {settings.Release.RowGroupBytes / MB:0} MiB + twice the estimated output " +
            $"({survey.Items} inputs x {side}x{side} RGB, about half after PNG: {outputMb:0} MiB) = {merge} MiB",
        ]);
    }

    private static int RoundUp(int mb) => (mb + 255) / 256 * 256;
}

/// <summary>
/// Writes the job files of a sharded build for a cluster: a Slurm array and a merge chained with
/// <c>--dependency=afterok</c>, or a Kubernetes Indexed Job and a merge Job. Both run <c>gmai build --shard auto/N</c>,
/// which reads the task's index from the engine's variable, then <c>gmai merge</c>.
/// </summary>
public static class ClusterJobs
{
    public static IReadOnlyList<string> WriteSlurm(ClusterRequest request, CorpusSurvey survey, string folder)
    {
        var r = ResourceModel.For(survey, request.Config.Settings, request.JobsPerShard);
        var logs = Path.Combine(folder, "logs");
        Directory.CreateDirectory(logs);
        var name = JobName(request.Config.Settings.Name);
        var paths = request.Config.Paths;
        var args = $"--sources {Quote(Path.GetFullPath(paths.Sources))} --taxonomy {Quote(Path.GetFullPath(paths.Taxonomy))} --pipeline {Quote(Path.GetFullPath(paths.Pipeline))}";
        string Header(string job, int memory, int cpus, string log, string? array) =>
            new StringBuilder()
                .Append("#!/bin/bash\n")
                .Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={job}\n")
                .Append(array is null ? "" : $"#SBATCH --array={array}\n")
                .Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={cpus}\n")
                .Append(CultureInfo.InvariantCulture, $"#SBATCH --mem={memory}M\n")
                .Append(CultureInfo.InvariantCulture, $"#SBATCH --output={log}\n")
                .Append(CultureInfo.InvariantCulture, $"#SBATCH --chdir={request.ProjectRoot}\n")
                .Append(request.Partition is null ? "" : $"#SBATCH --partition={request.Partition}\n")
                .Append(request.TimeLimit is null ? "" : $"#SBATCH --time={request.TimeLimit}\n")
                .Append(CultureInfo.InvariantCulture, $"# Written by gmai cluster slurm for {request.Config.Settings.Name}: {survey.Items} inputs, {survey.Bytes / 1048576.0:0.0} MiB.\n")
                .Append(string.Concat(r.Reasoning.Select(x => $"# {x}\n")))
                .Append("# The work folder must be on storage every node sees (each shard writes its own catalog; objects are content-addressed).\n")
                .Append("set -euo pipefail\n")
                .Append("# .NET runtime settings gmai starts with (the first-generation budget; see Model/RuntimeSettings.cs in the sources).\n")
                .Append(RuntimeSettings.ShellExports())
                .ToString();
        var shards = Header($"{name}-shards", r.ShardMemoryMb, r.Cpus, Path.Combine(logs, "shard-%a.log"), $"0-{request.Shards - 1}") +
            string.Concat(survey.ShardItems.Select((n, k) => $"# shard {k}: {n} input(s), {survey.ShardBytes[k] / 1048576.0:0.0} MiB\n")) +
            $"exec {request.Gmai} build {args} --jobs {request.JobsPerShard} --shard \"${{SLURM_ARRAY_TASK_ID}}/{request.Shards}\"\n";
        var merge = Header($"{name}-merge", r.MergeMemoryMb, r.Cpus, Path.Combine(logs, "merge.log"), null) +
            $"exec {request.Gmai} merge {args} --jobs {request.JobsPerShard} --shards {request.Shards}\n";
        var submit = """
            #!/bin/bash
            # Submits the shard array, then the merge, which starts only when every shard succeeded (afterok) and is
            # cancelled if one fails. With --wait, returns when the merge has finished, with its exit status.
            set -euo pipefail
            here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
            wait_flag=()
            [ "${1:-}" = "--wait" ] && wait_flag=(--wait)
            shards=$(sbatch --parsable "$here/shards.sbatch")
            shards=${shards%%;*}
            echo "submitted shard array: job $shards"
            echo "submitting merge after the array (afterok:$shards)"
            sbatch --parsable --dependency=afterok:"$shards" --kill-on-invalid-dep=yes "${wait_flag[@]}" "$here/merge.sbatch"

            """;
        return
        [
            WriteScript(Path.Combine(folder, "shards.sbatch"), shards),
            WriteScript(Path.Combine(folder, "merge.sbatch"), merge),
            WriteScript(Path.Combine(folder, "submit.sh"), submit),
        ];
    }

    public static IReadOnlyList<string> WriteKubernetes(ClusterRequest request, CorpusSurvey survey, string folder)
    {
        var r = ResourceModel.For(survey, request.Config.Settings, request.JobsPerShard);
        Directory.CreateDirectory(folder);
        var name = JobName(request.Config.Settings.Name);
        var paths = request.Config.Paths;
        string InPod(string path)
        {
            var relative = Path.GetRelativePath(request.ProjectRoot, Path.GetFullPath(path));
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
                throw new ArgumentException($"{path} is outside the project folder {request.ProjectRoot}: the pods see only the project's volume");
            return request.MountPath.TrimEnd('/') + "/" + relative.Replace(Path.DirectorySeparatorChar, '/');
        }
        var args = new[] { "--sources", InPod(paths.Sources), "--taxonomy", InPod(paths.Taxonomy), "--pipeline", InPod(paths.Pipeline), "--jobs", $"{request.JobsPerShard}" };
        var parallelism = request.Parallelism > 0 ? Math.Min(request.Parallelism, request.Shards) : request.Shards;
        string Job(string job, string role, string[] command, int memory, bool indexed)
        {
            var sb = new StringBuilder();
            sb.Append("# Written by gmai cluster k8s for ").Append(request.Config.Settings.Name).Append(CultureInfo.InvariantCulture, $": {survey.Items} inputs, {survey.Bytes / 1048576.0:0.0} MiB.\n");
            foreach (var line in r.Reasoning) sb.Append("# ").Append(line).Append('\n');
            sb.Append("apiVersion: batch/v1\nkind: Job\nmetadata:\n");
            sb.Append("  name: ").Append(job).Append('\n');
            sb.Append("  labels:\n    app.kubernetes.io/name: gmaibench\n    app.kubernetes.io/component: ").Append(role).Append('\n');
            sb.Append("spec:\n");
            if (indexed)
            {
                sb.Append("  completionMode: Indexed\n");
                sb.Append(CultureInfo.InvariantCulture, $"  completions: {request.Shards}\n");
                sb.Append(CultureInfo.InvariantCulture, $"  parallelism: {parallelism}\n");
                sb.Append("  backoffLimitPerIndex: 2\n");
                sb.Append(CultureInfo.InvariantCulture, $"  maxFailedIndexes: 0\n");
            }
            else
            {
                sb.Append("  completions: 1\n  parallelism: 1\n  backoffLimit: 2\n");
            }
            sb.Append("  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: gmaibench\n        app.kubernetes.io/component: ").Append(role).Append('\n');
            sb.Append("    spec:\n      restartPolicy: Never\n      containers:\n");
            sb.Append("        - name: gmai\n");
            sb.Append("          image: ").Append(Yaml(request.Image)).Append('\n');
            sb.Append("          workingDir: ").Append(Yaml(request.MountPath)).Append('\n');
            sb.Append("          command: [").Append(string.Join(", ", command.Select(Yaml))).Append("]\n");
            sb.Append("          env:\n");
            foreach (var (variable, value) in RuntimeSettings.Environment)
                sb.Append("            - name: ").Append(variable).Append("\n              value: ").Append(Yaml(value)).Append('\n');
            sb.Append("          resources:\n");
            sb.Append(CultureInfo.InvariantCulture, $"            requests:\n              cpu: \"{r.Cpus}\"\n              memory: {memory}Mi\n");
            sb.Append(CultureInfo.InvariantCulture, $"            limits:\n              memory: {memory}Mi\n");
            sb.Append("          volumeMounts:\n            - name: project\n              mountPath: ").Append(Yaml(request.MountPath)).Append('\n');
            sb.Append("      volumes:\n        - name: project\n          persistentVolumeClaim:\n            claimName: ").Append(Yaml(request.Claim)).Append('\n');
            return sb.ToString();
        }
        // JOB_COMPLETION_INDEX is set in every pod of an Indexed Job; --shard auto/N reads it.
        var shardsYaml = Job($"{name}-shards", "shard", ["gmai", "build", .. args, "--shard", $"auto/{request.Shards}"], r.ShardMemoryMb, indexed: true);
        var mergeYaml = Job($"{name}-merge", "merge", ["gmai", "merge", .. args, "--shards", $"{request.Shards}"], r.MergeMemoryMb, indexed: false);
        var submit = $$"""
            #!/bin/bash
            # Runs the shards as an Indexed Job, waits until every index completed, then runs the merge Job.
            # Kubernetes has no job-to-job dependency: the wait is here. Re-running after a failure re-creates the Jobs;
            # finished shards reuse their saved work.
            set -euo pipefail
            here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
            kubectl delete job {{name}}-shards {{name}}-merge --ignore-not-found
            kubectl apply -f "$here/shards-job.yaml"
            kubectl wait --for=condition=complete --timeout=-1s job/{{name}}-shards
            kubectl apply -f "$here/merge-job.yaml"
            kubectl wait --for=condition=complete --timeout=-1s job/{{name}}-merge
            kubectl logs job/{{name}}-merge

            """;
        return
        [
            WriteScript(Path.Combine(folder, "shards-job.yaml"), shardsYaml, executable: false),
            WriteScript(Path.Combine(folder, "merge-job.yaml"), mergeYaml, executable: false),
            WriteScript(Path.Combine(folder, "submit.sh"), submit),
        ];
    }

    /// <summary>A DNS-1123 label (Kubernetes object names; Slurm takes it too): lower case, digits and '-', at most 50 characters.</summary>
    public static string JobName(string benchmark)
    {
        var name = Regex.Replace(("gmai-" + benchmark).ToLowerInvariant(), "[^a-z0-9-]+", "-").Trim('-');
        name = name.Length > 50 ? name[..50].TrimEnd('-') : name;
        return name;
    }

    public static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// A YAML string, always double-quoted: kubectl reads YAML 1.1, where plain <c>3</c>, <c>0x800000</c>, <c>on</c> or
    /// <c>null</c> are numbers, booleans or null, and a Kubernetes string field (a command argument, an environment
    /// value) given one is refused.
    /// </summary>
    private static string Yaml(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string WriteScript(string path, string text, bool executable = true)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        if (executable && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }
}

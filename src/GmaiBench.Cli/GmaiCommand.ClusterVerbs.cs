using System.CommandLine;
using System.Diagnostics;
using GmaiBench.Pipeline;
using Spectre.Console;

namespace GmaiBench.Cli;

/// <summary>The cluster verb: job files for a sharded build on Slurm or Kubernetes, and (Slurm) submitting them.</summary>
public static partial class GmaiCommand
{
    private static Command ClusterCommand()
    {
        var cmd = new Command("cluster", "Write the job files of a sharded build for a cluster: gmai cluster slurm | k8s");
        cmd.Subcommands.Add(SlurmCommand());
        cmd.Subcommands.Add(KubernetesCommand());
        return cmd;
    }

    private static Option<int> ShardsOption() => new("--shards", "-n") { Description = "How many shards (array tasks / Job indices)", Required = true };

    private static Option<int> ShardJobsOption() => new("--jobs", "-j") { Description = "Workers (and CPUs) per shard", DefaultValueFactory = _ => 2 };

    private static Option<string?> OutOption(string engine) => new("--out") { Description = $"Where to write the job files (default cluster/{engine} in the project)" };

    private static Command SlurmCommand()
    {
        var shards = ShardsOption();
        var jobs = ShardJobsOption();
        var outDir = OutOption("slurm");
        var gmai = new Option<string?>("--gmai") { Description = "How the nodes start gmai (default: the gmai running now, by absolute path)" };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition" };
        var time = new Option<string?>("--time") { Description = "Slurm time limit per task, e.g. 04:00:00" };
        var submit = new Option<bool>("--submit") { Description = "Submit the array and the merge (sbatch) after writing them" };
        var wait = new Option<bool>("--wait") { Description = "With --submit: return when the merge has finished, with its status" };
        var cmd = new Command("slurm", "Write an sbatch array (one task per shard) and a merge job chained with --dependency=afterok")
        {
            SourcesOption, TaxonomyOption, PipelineOption, shards, jobs, outDir, gmai, partition, time, submit, wait,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (request, survey, folder, exit) = ClusterSetup(r, shards, jobs, outDir, "slurm");
            if (exit is not null) return exit.Value;
            request = request! with { Gmai = r.GetValue(gmai) ?? RunningGmai(), Partition = r.GetValue(partition), TimeLimit = r.GetValue(time) };
            var files = ClusterJobs.WriteSlurm(request, survey!, folder!);
            Written(files, ResourceModel.For(survey!, request.Config.Settings, request.JobsPerShard), survey!);
            if (!r.GetValue(submit))
            {
                AnsiConsole.MarkupLine($"Submit with [bold]{Markup.Escape(files[2])}[/] (or gmai cluster slurm --submit)");
                return ExitCodes.Ok;
            }
            using var process = Process.Start(new ProcessStartInfo("bash", r.GetValue(wait) ? [files[2], "--wait"] : [files[2]]))!;
            process.WaitForExit();
            return process.ExitCode == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return cmd;
    }

    private static Command KubernetesCommand()
    {
        var shards = ShardsOption();
        var jobs = ShardJobsOption();
        var outDir = OutOption("k8s");
        var image = new Option<string>("--image") { Description = "Container image built from the Dockerfile", DefaultValueFactory = _ => "gmaibench:latest" };
        var claim = new Option<string>("--claim") { Description = "PersistentVolumeClaim (ReadWriteMany) holding the project folder", DefaultValueFactory = _ => "gmaibench-project" };
        var mount = new Option<string>("--mount") { Description = "Where the pods mount the project folder", DefaultValueFactory = _ => "/project" };
        var parallelism = new Option<int>("--parallelism") { Description = "Shards running at once (default: all)" };
        var cmd = new Command("k8s", "Write a Kubernetes Indexed Job (one index per shard), a merge Job and the commands that run them")
        {
            SourcesOption, TaxonomyOption, PipelineOption, shards, jobs, outDir, image, claim, mount, parallelism,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (request, survey, folder, exit) = ClusterSetup(r, shards, jobs, outDir, "k8s");
            if (exit is not null) return exit.Value;
            request = request! with { Image = r.GetValue(image)!, Claim = r.GetValue(claim)!, MountPath = r.GetValue(mount)!, Parallelism = r.GetValue(parallelism) };
            try
            {
                var files = ClusterJobs.WriteKubernetes(request, survey!, folder!);
                Written(files, ResourceModel.For(survey!, request.Config.Settings, request.JobsPerShard), survey!);
                AnsiConsole.MarkupLine($"Run with [bold]{Markup.Escape(files[2])}[/] (kubectl apply, wait for every index, then the merge)");
                return ExitCodes.Ok;
            }
            catch (ArgumentException e)
            {
                AnsiConsole.MarkupLine($"[red]error[/] {Markup.Escape(e.Message)}");
                return ExitCodes.ConfigError;
            }
        }));
        return cmd;
    }

    private static (ClusterRequest? Request, CorpusSurvey? Survey, string? Folder, int? Exit) ClusterSetup(ParseResult r, Option<int> shards, Option<int> jobs, Option<string?> outDir, string engine)
    {
        var n = r.GetValue(shards);
        if (n < 1 || n > 100_000)
        {
            Console.Error.WriteLine($"gmai cluster {engine}: --shards must be from 1 to 100000");
            return (null, null, null, ExitCodes.ConfigError);
        }
        var (config, exit) = Load(r);
        if (exit is not null) return (null, null, null, exit);
        Output.Issues(config.SourceIssues, "source errors (these sources are skipped; the rest is built)");
        var root = ProjectRoot.Find(Path.GetDirectoryName(Path.GetFullPath(config.Paths.Sources))!);
        var folder = Path.GetFullPath(r.GetValue(outDir) ?? Path.Combine(root, "cluster", engine));
        var survey = BuildRunner.Survey(config, n);
        var request = new ClusterRequest { Config = config, ProjectRoot = root, Shards = n, JobsPerShard = Math.Max(1, r.GetValue(jobs)) };
        return (request, survey, folder, null);
    }

    private static void Written(IReadOnlyList<string> files, ResourceRequest resources, CorpusSurvey survey)
    {
        AnsiConsole.MarkupLine($"Corpus: {survey.Items} inputs, {Bytes(survey.Bytes)}; {survey.ShardItems.Count} shard(s) of " +
                               $"{Bytes(survey.ShardBytes.DefaultIfEmpty().Min())}..{Bytes(survey.ShardBytes.DefaultIfEmpty().Max())}");
        AnsiConsole.MarkupLine($"Each shard asks for {resources.Cpus} CPU(s) and {resources.ShardMemoryMb} MiB; the merge {resources.MergeMemoryMb} MiB");
        foreach (var line in resources.Reasoning) AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(line)}[/]");
        foreach (var f in files) AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(f)}[/]");
    }

    /// <summary>The command that starts the gmai running now: the apphost itself, or <c>dotnet gmai.dll</c>.</summary>
    private static string RunningGmai()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(GmaiCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? $"{ClusterJobs.Quote(process)} {ClusterJobs.Quote(dll)}"
            : ClusterJobs.Quote(process);
    }
}

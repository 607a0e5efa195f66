using System.CommandLine;
using GmaiBench.Demo;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Taxonomy;
using Spectre.Console;

namespace GmaiBench.Cli;

/// <summary>The verbs that make and look at a build: demo, validate, build, labels, tree, subset.</summary>
public static partial class GmaiCommand
{
    private static Command DemoCommand()
    {
        var outOption = new Option<string>("--out") { Description = "Where to write the demo corpus", DefaultValueFactory = _ => ProjectRoot.Resolve("demo/corpus") };
        var cmd = new Command("demo", "Write the synthetic demo corpus (deterministic; sources.yaml points at it)") { outOption };
        cmd.SetAction(r =>
        {
            var dir = r.GetValue(outOption)!;
            DemoCorpus.Write(dir);
            var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length;
            AnsiConsole.MarkupLine($"Demo corpus: {files} files in [bold]{Markup.Escape(Path.GetFullPath(dir))}[/] ({DemoCorpus.BrokenFiles.Count} broken on purpose)");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command ValidateCommand()
    {
        var cmd = new Command("validate", "Check sources.yaml, the pipeline file and label-taxonomy/; exits non-zero on any error")
        {
            SourcesOption, TaxonomyOption, PipelineOption,
        };
        cmd.SetAction(r =>
        {
            var config = ProjectConfig.Load(Paths(r));
            var issues = config.AllIssues.ToList();
            if (issues.Count == 0)
            {
                AnsiConsole.MarkupLine($"[green]valid[/]: {config.Sources.Count} source(s), {config.Taxonomy.Labels.Count} canonical labels, {config.Taxonomy.Pools.Count} template pools");
                return ExitCodes.Ok;
            }
            Output.Issues(issues, "configuration errors");
            return ExitCodes.Problems;
        });
        return cmd;
    }

    private static readonly Option<bool> RehashOption = new("--rehash")
    {
        Description = "Read and hash every input again instead of trusting the stat cache (size, modification time, inode); " +
                      "only this catches a file changed in place with its size and time kept",
    };

    private static readonly Option<bool> FullScanOption = new("--full-scan")
    {
        Description = "Decode every input, not only the seeded candidates each label's cap needs (an audit: the same items are emitted, " +
                      "the rest still counted not-sampled)",
    };

    private static Command BuildCommand()
    {
        var strict = new Option<bool>("--strict") { Description = "Fail when any source entry is invalid instead of building the others" };
        var shard = new Option<string?>("--shard")
        {
            Description = "Do the pixel work of shard K of N only (K from 0; auto/N reads K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); " +
                          "gmai merge then writes the benchmark",
        };
        var cmd = new Command("build", "Build the benchmark: decode what changed, tag, draft, curate, split, and write TSV + Parquet + report")
        {
            SourcesOption, TaxonomyOption, PipelineOption, JobsOption, strict, RehashOption, FullScanOption, shard,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            ShardSpec? spec = null;
            if (r.GetValue(shard) is { } text)
            {
                try { spec = ShardSpec.Parse(text); }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"gmai build: {e.Message}");
                    return ExitCodes.ConfigError;
                }
            }
            var config = ProjectConfig.Load(Paths(r));
            if (config.FatalIssues.Count > 0)
            {
                Output.Issues(config.FatalIssues, "configuration errors");
                return ExitCodes.ConfigError;
            }
            if (config.SourceIssues.Count > 0)
            {
                Output.Issues(config.SourceIssues, r.GetValue(strict) ? "source errors" : "source errors (these sources are skipped; the rest is built)");
                if (r.GetValue(strict)) return ExitCodes.ConfigError;
            }
            var options = new BuildOptions { Jobs = r.GetValue(JobsOption), Rehash = r.GetValue(RehashOption), FullScan = r.GetValue(FullScanOption), Command = "build" };
            if (spec is not null)
            {
                var shardResult = Output.WithProgress(p => BuildRunner.RunShard(config, options with { Progress = p }, spec));
                var m = shardResult.Manifest;
                AnsiConsole.MarkupLine($"Shard {spec}: {m.Items} item(s), {Bytes(m.InputBytes)} of input; {m.Decoded} decoded, {m.Reused} reused, " +
                                       $"{m.Rejected} rejected in {m.Seconds:0.0} s");
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(shardResult.Area.ShardManifestPath)}[/]; when every shard has finished, run gmai merge");
                return ExitCodes.Ok;
            }
            var (result, folder) = Output.WithProgress(p => Workflows.Build(config, options with { Progress = p }));
            Summary(result.Report, folder);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command MergeCommand()
    {
        var shards = new Option<int?>("--shards") { Description = "The shard count N to merge (needed only when the work folder holds several shard sets)" };
        var cmd = new Command("merge", "Join the shards of a sharded build (gmai build --shard K/N) and write the benchmark, as gmai build would")
        {
            SourcesOption, TaxonomyOption, PipelineOption, JobsOption, shards,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (config, exit) = Load(r);
            if (exit is not null) return exit.Value;
            Output.Issues(config.SourceIssues, "source errors (these sources are skipped; the rest is built)");
            var options = new BuildOptions { Jobs = r.GetValue(JobsOption), Command = "merge" };
            var (merge, folder) = Output.WithProgress(p => Workflows.Merge(config, options with { Progress = p }, r.GetValue(shards)));
            var table = new Table().AddColumns("shard", "items", "input", "decoded", "reused", "rejected", "seconds");
            foreach (var m in merge.Shards)
                table.AddRow($"{m.Index}/{m.Count}", $"{m.Items}", Bytes(m.InputBytes), $"{m.Decoded}", $"{m.Reused}", $"{m.Rejected}", $"{m.Seconds:0.0}");
            AnsiConsole.Write(table);
            Summary(merge.Build.Report, folder);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static string Bytes(long n) => n switch
    {
        >= 1L << 30 => $"{n / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{n / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{n / 1024.0:0.0} KiB",
        _ => $"{n} B",
    };

    private static Command LabelsCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("labels", "Raw labels per source with their canonical mapping; unmapped ones with the three nearest canonical labels")
        {
            SourcesOption, TaxonomyOption, PipelineOption, json,
        };
        cmd.SetAction(r =>
        {
            // With --json, stdout carries the JSON document alone; every other line goes to stderr.
            var asJson = r.GetValue(json);
            var diagnostics = asJson ? Output.Diagnostics() : AnsiConsole.Console;
            return Guarded(() => Labels(r, asJson, diagnostics), diagnostics);
        });
        return cmd;
    }

    /// <summary>The labels verb: the table (or JSON) on stdout, the count of raw and unmapped labels on stderr.</summary>
    private static int Labels(ParseResult r, bool asJson, IAnsiConsole diagnostics)
    {
        var (config, exit) = Load(r, diagnostics);
        if (exit is not null) return exit.Value;
        Output.Issues(config.SourceIssues, "source errors (these sources are not listed)", diagnostics);
        var rows = Workflows.Labels(config);
        if (asJson)
        {
            Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(rows, BuildOutput.Json));
        }
        else
        {
            var table = new Table().AddColumns("source", "raw label", "items", "canonical label", "rule / nearest");
            foreach (var row in rows)
                table.AddRow(Markup.Escape(row.SourceId), Markup.Escape(row.Raw), $"{row.Items}",
                    row.Canonical is null ? "[red]unmapped[/]" : Markup.Escape(row.Canonical),
                    Markup.Escape(row.Canonical is null ? $"{row.Problem}; nearest: {string.Join(", ", row.Suggestions)}" : row.Rule));
            AnsiConsole.Write(table);
        }
        var unmapped = rows.Count(x => x.Canonical is null);
        Console.Error.WriteLine($"{rows.Count} raw label(s), {unmapped} unmapped" +
            (unmapped > 0 ? $" (pipeline policy: labels.unmapped: {config.Settings.UnmappedLabels.ToString().ToLowerInvariant()})" : ""));
        return ExitCodes.Ok;
    }

    private static Command TreeCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print the tree as JSON" };
        var cmd = new Command("tree", "The lexical tree (subject -> category -> modality -> label) with item counts from the last build")
        {
            SourcesOption, TaxonomyOption, PipelineOption, json,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (config, exit) = Load(r);
            if (exit is not null) return exit.Value;
            var tree = Workflows.Tree(config);
            Console.Write(r.GetValue(json) ? System.Text.Json.JsonSerializer.Serialize(tree, BuildOutput.Json) + "\n" : LexicalTree.Text(tree));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command SubsetCommand()
    {
        var where = new Option<string>("--where", "-w") { Description = "Filter, e.g. \"department = Ophthalmology and task = 'Disease Diagnosis'\"", Required = true };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default <output>/<name>-subset)" };
        var cmd = new Command("subset", "Cut a custom evaluation set from the last build by task, department, modality, granularity, label, source and split")
        {
            SourcesOption, TaxonomyOption, PipelineOption, where, outDir,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (config, exit) = Load(r);
            if (exit is not null) return exit.Value;
            try
            {
                var (folder, report) = Workflows.Subset(config, r.GetValue(where)!, r.GetValue(outDir));
                AnsiConsole.MarkupLine($"Subset [bold]{Markup.Escape(report.Expression)}[/]: {report.Items} of {report.OfItems} items " +
                                       $"({string.Join(", ", report.Splits.Select(s => $"{s.Key} {s.Value}"))})");
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(folder)}[/]");
                return ExitCodes.Ok;
            }
            catch (SubsetExpressionException e)
            {
                AnsiConsole.MarkupLine($"[red]error[/] in --where: {Markup.Escape(e.Message)}");
                return ExitCodes.ConfigError;
            }
        }));
        return cmd;
    }
}

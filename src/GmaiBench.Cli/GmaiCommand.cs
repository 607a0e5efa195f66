using System.CommandLine;
using GmaiBench.Configuration;
using GmaiBench.Demo;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Review;
using GmaiBench.ReviewApp;
using GmaiBench.Taxonomy;
using Spectre.Console;

namespace GmaiBench.Cli;

/// <summary>The <c>gmai</c> command: thin verbs that parse options, call the library and map outcomes to exit codes.</summary>
public static class GmaiCommand
{
    private static readonly Option<string> SourcesOption = new("--sources") { Description = "The source registry (default: sources.yaml of the project found upward)", DefaultValueFactory = _ => ProjectRoot.Resolve("sources.yaml") };
    private static readonly Option<string> TaxonomyOption = new("--taxonomy") { Description = "The lexical tree folder (default: label-taxonomy of the project found upward)", DefaultValueFactory = _ => ProjectRoot.Resolve("label-taxonomy") };
    private static readonly Option<string> PipelineOption = new("--pipeline", "-p") { Description = "The pipeline file (default: pipelines/demo.yaml of the project found upward)", DefaultValueFactory = _ => ProjectRoot.Resolve("pipelines/demo.yaml") };
    private static readonly Option<int> JobsOption = new("--jobs", "-j") { Description = "Parallel workers for per-item stages", DefaultValueFactory = _ => Environment.ProcessorCount };

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A usage error (unknown verb or option, a missing or malformed value) is one
    /// line on stderr naming the problem, with the closest valid spelling, and exit code 2 (configuration error).
    /// </summary>
    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count == 0) return parse.Invoke();
        Console.Error.WriteLine(UsageError(parse));
        return ExitCodes.ConfigError;
    }

    /// <summary>The one line a usage error prints.</summary>
    public static string UsageError(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var name = command is RootCommand ? "gmai" : $"gmai {command.Name}";
        if (parse.UnmatchedTokens.FirstOrDefault() is { } token)
        {
            if (token.StartsWith('-'))
            {
                var options = command.Options.SelectMany(o => new[] { o.Name }.Concat(o.Aliases)).Where(o => o.StartsWith('-')).Distinct();
                return $"{name}: unknown option '{token}'{Suggest.DidYouMean(token, options)} (see {name} --help)";
            }
            var verbs = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            return verbs.Count > 0
                ? $"{name}: unknown command '{token}'{Suggest.DidYouMean(token, verbs)}; commands: {string.Join(", ", verbs)}"
                : $"{name}: unexpected argument '{token}' (see {name} --help)";
        }
        return $"{name}: {parse.Errors[0].Message} (see {name} --help)";
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("gmai: build a GMAI-MMBench-style medical VQA benchmark from raw source datasets");
        root.Subcommands.Add(DemoCommand());
        root.Subcommands.Add(ValidateCommand());
        root.Subcommands.Add(BuildCommand());
        root.Subcommands.Add(LabelsCommand());
        root.Subcommands.Add(TreeCommand());
        root.Subcommands.Add(SubsetCommand());
        root.Subcommands.Add(ReviewCommand());
        root.Subcommands.Add(ReleaseCommand());
        root.Subcommands.Add(VerifyCommand());
        root.Subcommands.Add(ScoreCommand());
        root.Subcommands.Add(InspectCommand());
        root.Subcommands.Add(DecodeDicomCommand());
        return root;
    }

    private static ProjectPaths Paths(ParseResult r) =>
        new(r.GetValue(SourcesOption)!, r.GetValue(TaxonomyOption)!, r.GetValue(PipelineOption)!);

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

    private static Command BuildCommand()
    {
        var strict = new Option<bool>("--strict") { Description = "Fail when any source entry is invalid instead of building the others" };
        var cmd = new Command("build", "Build the benchmark: decode what changed, tag, draft, curate, split, and write TSV + Parquet + report")
        {
            SourcesOption, TaxonomyOption, PipelineOption, JobsOption, strict,
        };
        cmd.SetAction(r => Guarded(() =>
        {
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
            var (result, folder) = Output.WithProgress(p => Workflows.Build(config, new BuildOptions { Jobs = r.GetValue(JobsOption), Progress = p, Command = "build" }));
            Summary(result.Report, folder);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>Loads the configuration; fatal problems are printed (on <paramref name="console"/>) and give a non-null exit code.</summary>
    private static (ProjectConfig Config, int? Exit) Load(ParseResult r, IAnsiConsole? console = null)
    {
        var config = ProjectConfig.Load(Paths(r));
        if (config.FatalIssues.Count == 0) return (config, null);
        Output.Issues(config.FatalIssues, "configuration errors", console);
        return (config, ExitCodes.ConfigError);
    }

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

    private static Command ReviewCommand()
    {
        var where = new Option<string?>("--where", "-w") { Description = "Start with this filter (the subset language), e.g. \"modality = CT and split = TEST\"" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0: a free one)", DefaultValueFactory = _ => 8765 };
        var reviewer = new Option<string>("--reviewer") { Description = "Your name in the review file", DefaultValueFactory = _ => Environment.UserName };
        var host = new Option<string?>("--host") { Description = "Address to listen on (default 127.0.0.1, this machine only)" };
        var cmd = new Command("review", "Screen the last build's items in a local web app; decisions go to reviews/<name>.jsonl and the next build applies them")
        {
            SourcesOption, TaxonomyOption, PipelineOption, where, port, reviewer, host,
        };
        cmd.SetAction(async (r, cancel) =>
        {
            var (config, exit) = Load(r);
            if (exit is not null) return exit.Value;
            ReviewSession session;
            try { session = Workflows.Review(config, r.GetValue(where), r.GetValue(reviewer)!); }
            catch (ReviewFilterException e) { AnsiConsole.MarkupLine($"[red]error[/] in --where: {Markup.Escape(e.Message)}"); return ExitCodes.ConfigError; }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
            {
                AnsiConsole.MarkupLine($"[red]error[/] {Markup.Escape(e.Message)}");
                return ExitCodes.Failure;
            }
            ReviewServer server;
            try { server = await ReviewServer.StartAsync(session, new ReviewServerOptions { Host = r.GetValue(host), Port = r.GetValue(port) }, cancel); }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]error[/] cannot listen: {Markup.Escape(e.Message)} (try --port 0)");
                return ExitCodes.Failure;
            }
            await using (server)
            {
                AnsiConsole.MarkupLine($"Reviewing [bold]{session.Items.Count}[/] items of {Markup.Escape(session.Name)} as [bold]{Markup.Escape(session.Reviewer)}[/]");
                AnsiConsole.MarkupLine($"Decisions go to [bold]{Markup.Escape(session.FilePath)}[/]");
                AnsiConsole.MarkupLine($"Open [bold]{Markup.Escape(server.Url.ToString())}[/]  (Ctrl+C to stop)");
                try { await server.WaitForShutdownAsync(cancel); }
                catch (OperationCanceledException) { }
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command ReleaseCommand()
    {
        var version = new Option<string>("--version") { Description = "The release version, MAJOR.MINOR.PATCH", Required = true };
        var cmd = new Command("release", "Build, then write releases/<name>/<version>/: Parquet shards + card, VLMEvalKit TSVs, answer key, manifest, changelog")
        {
            SourcesOption, TaxonomyOption, PipelineOption, JobsOption, version,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (config, exit) = Load(r);
            if (exit is not null) return exit.Value;
            if (config.SourceIssues.Count > 0)
            {
                // A release must not silently miss a source: every entry has to be valid.
                Output.Issues(config.SourceIssues, "source errors (a release needs every source entry valid)");
                return ExitCodes.ConfigError;
            }
            try
            {
                var (folder, manifest) = Output.WithProgress(p => Workflows.Release(config, new BuildOptions { Jobs = r.GetValue(JobsOption), Progress = p, Command = "release" }, r.GetValue(version)!));
                AnsiConsole.MarkupLine($"Released [bold]{Markup.Escape(manifest.Name)} {Markup.Escape(manifest.Version)}[/]: " +
                                       string.Join(", ", manifest.Splits.Select(s => $"{s.Key} {s.Value}")) + $", {manifest.Files.Count} files, verified");
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(folder)}[/] (upload everything but private/)");
                return ExitCodes.Ok;
            }
            catch (ReleaseRefusedException e)
            {
                AnsiConsole.MarkupLine($"[red]release refused[/]: {Markup.Escape(e.Message)}");
                return ExitCodes.Problems;
            }
        }));
        return cmd;
    }

    private static Command VerifyCommand()
    {
        var folder = new Argument<string>("release") { Description = "A release folder (releases/<name>/<version>)" };
        var cmd = new Command("verify", "Check a release: checksums, schemas, counts, answers across Parquet/TSV/key, every image decodes") { folder };
        cmd.SetAction(r => Guarded(() =>
        {
            var dir = r.GetValue(folder)!;
            if (!Directory.Exists(dir)) { AnsiConsole.MarkupLine($"[red]error[/] no such folder: {Markup.Escape(dir)}"); return ExitCodes.Failure; }
            var problems = Workflows.Verify(dir);
            if (problems.Count == 0)
            {
                AnsiConsole.MarkupLine($"[green]verified[/]: {Markup.Escape(dir)}");
                return ExitCodes.Ok;
            }
            AnsiConsole.MarkupLine($"[red]{problems.Count} problem(s)[/] in {Markup.Escape(dir)}:");
            foreach (var p in problems) AnsiConsole.MarkupLine($"  [red]-[/] {Markup.Escape(p)}");
            return ExitCodes.Problems;
        }));
        return cmd;
    }

    private static Command ScoreCommand()
    {
        var predictions = new Option<string>("--predictions") { Description = "VLMEvalKit's predictions file (.xlsx, .tsv, .csv, .json, .jsonl with index and prediction)", Required = true };
        var release = new Option<string?>("--release") { Description = "A release folder (default: the latest published release of the pipeline)" };
        var outDir = new Option<string?>("--out") { Description = "Where <predictions>_score.json and .md go (default: beside the predictions)" };
        var cmd = new Command("score", "Score predictions by every node of the lexical tree, with 95 % intervals and baselines")
        {
            PipelineOption, predictions, release, outDir,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (settings, issues) = PipelineSettings.TryLoad(r.GetValue(PipelineOption)!);
            if (issues.Count > 0) { Output.Issues(issues, "configuration errors"); return ExitCodes.ConfigError; }
            var (report, files) = Workflows.Score(settings, r.GetValue(predictions)!, r.GetValue(release), r.GetValue(outDir));
            static string Pct(GmaiBench.Scoring.Accuracy a) => $"{a.Value * 100:0.0} % ({a.Low * 100:0.0}-{a.High * 100:0.0}) of {a.Items}";
            var table = new Table().AddColumns("subject", "node", "items", "accuracy", "95 % interval");
            foreach (var (subject, nodes) in report.ByNode)
                foreach (var (node, a) in nodes)
                    table.AddRow(Markup.Escape(subject), Markup.Escape(node), $"{a.Items}", $"{a.Value * 100:0.0} %", $"{a.Low * 100:0.0}-{a.High * 100:0.0} %");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Split(s) {Markup.Escape(string.Join(", ", report.Splits))}: all {Pct(report.Overall)}; single-answer {Pct(report.Single)}; " +
                                   $"multi-answer exact {Pct(report.MultiExact)}, partial {Pct(report.MultiPartial)}");
            AnsiConsole.MarkupLine("Baselines: " + Markup.Escape(string.Join("; ", report.Baselines.Select(b => $"{b.Key} {b.Value * 100:0.0} %"))));
            foreach (var p in report.Problems) AnsiConsole.MarkupLine($"[red]problem[/] {Markup.Escape(p)}");
            foreach (var f in files) AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(f)}[/]");
            return report.Problems.Count > 0 ? ExitCodes.Problems : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command InspectCommand()
    {
        var path = new Argument<string>("path") { Description = "A file or folder (NIfTI, PNG, JPEG, BMP, TIFF)" };
        var labels = new Option<string?>("--labels") { Description = "A label map to outline (volumes)" };
        var outDir = new Option<string>("--out") { Description = "Where previews go", DefaultValueFactory = _ => "out/inspect" };
        var window = new Option<string?>("--window") { Description = "CT preset, width/level, or percentiles" };
        var axis = new Option<string>("--axis") { Description = "axial, coronal or sagittal", DefaultValueFactory = _ => "axial" };
        var cmd = new Command("inspect", "What the pipeline sees in a file: format, dimensions, spacing, orientation, intensities, labels; preview PNGs")
        {
            path, labels, outDir, window, axis, PipelineOption,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var (settings, issues) = PipelineSettings.TryLoad(r.GetValue(PipelineOption)!);
            if (issues.Count > 0) { Output.Issues(issues, "configuration errors"); return ExitCodes.ConfigError; }
            var results = Workflows.Inspect(r.GetValue(path)!, r.GetValue(labels), r.GetValue(outDir)!, settings, r.GetValue(window), r.GetValue(axis)!);
            if (results.Count == 0) { AnsiConsole.MarkupLine("[yellow]no supported file found[/]"); return ExitCodes.Problems; }
            foreach (var i in results)
            {
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(i.Path)}[/] ({Markup.Escape(i.Format)})");
                foreach (var (field, value) in i.Facts) AnsiConsole.MarkupLine($"  {Markup.Escape(field)}: {Markup.Escape(value)}");
                foreach (var p in i.Previews) AnsiConsole.MarkupLine($"  preview: {Markup.Escape(p)}");
                if (i.Problem is not null) AnsiConsole.MarkupLine($"  [red]rejected[/] {Markup.Escape(i.Problem)}");
            }
            return results.Any(i => i.Problem is not null) ? ExitCodes.Problems : ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The child process that decodes one DICOM series in isolation: not for people, hence hidden.</summary>
    private static Command DecodeDicomCommand()
    {
        var request = new Argument<string>("request");
        var outDir = new Argument<string>("out");
        var cmd = new Command(Workflows.DecodeDicomVerb, "Decode one DICOM series in isolation (used by the pipeline)") { request, outDir };
        cmd.Hidden = true;
        cmd.SetAction(r => Workflows.DecodeDicom(r.GetValue(request)!, r.GetValue(outDir)!));
        return cmd;
    }

    private static void Summary(BuildReport report, string folder)
    {
        var table = new Table().AddColumns("source", "discovered", "emitted", "rejected", "questions");
        foreach (var s in report.Sources) table.AddRow(s.Id, $"{s.Discovered}", $"{s.Emitted}", $"{s.Rejected}", $"{s.Questions}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Inputs: {report.InputsDiscovered} discovered = {report.ItemsEmitted} emitted + {report.InputsRejected} rejected" +
                               (report.Unaccounted == 0 ? "" : $" [red](+{report.Unaccounted} unaccounted)[/]"));
        AnsiConsole.MarkupLine(report.Decoded == 0
            ? $"Pixel work: nothing decoded; {report.Reused} item(s) reused from earlier builds"
            : $"Pixel work: {report.Decoded} item(s) decoded, {report.Reused} reused");
        AnsiConsole.MarkupLine($"Questions: {report.Questions} ({string.Join(", ", report.Splits.Select(s => $"{s.Key} {s.Value}"))})");
        if (report.RejectsByReason.Count > 0)
            AnsiConsole.MarkupLine("Rejects: " + Markup.Escape(string.Join(", ", report.RejectsByReason.Select(kv => $"{kv.Key} {kv.Value}"))));
        foreach (var w in report.Warnings) AnsiConsole.MarkupLine($"[yellow]warning[/] {Markup.Escape(w)}");
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(folder)}[/] (see build-report.md)");
    }

    /// <summary>Maps library exceptions to clear messages (on <paramref name="console"/>, stdout when not given) and
    /// exit codes; nothing escapes as a stack trace.</summary>
    public static int Guarded(Func<int> action, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        try { return action(); }
        catch (ConfigException e)
        {
            Output.Issues(e.Issues, "configuration errors", console);
            return ExitCodes.ConfigError;
        }
        catch (UnmappedLabelsException e)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return ExitCodes.UnmappedLabels;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            console.MarkupLine($"[red]error[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Failure;
        }
    }
}

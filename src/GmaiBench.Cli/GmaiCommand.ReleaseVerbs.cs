using System.CommandLine;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Review;
using GmaiBench.ReviewApp;
using Spectre.Console;

namespace GmaiBench.Cli;

/// <summary>The verbs after a build: review, release, verify, score, inspect, and the hidden DICOM decoder.</summary>
public static partial class GmaiCommand
{
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
        var path = new Argument<string>("path") { Description = "A file or folder (DICOM incl. RTSTRUCT and SEG, NIfTI, PNG, JPEG, BMP, TIFF)" };
        var labels = new Option<string?>("--labels") { Description = "A label map to outline (volumes)" };
        var outDir = new Option<string>("--out") { Description = "Where previews go", DefaultValueFactory = _ => "out/inspect" };
        var window = new Option<string?>("--window") { Description = "CT preset, width/level, or percentiles" };
        var axis = new Option<string>("--axis") { Description = "axial, coronal or sagittal", DefaultValueFactory = _ => "axial" };
        var cmd = new Command("inspect", "What the pipeline sees in a file: format, dimensions, spacing, orientation, intensities, labels; preview PNGs")
        {
            path, labels, outDir, window, axis, PipelineOption, TaxonomyOption,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValue(path)))
            {
                Console.Error.WriteLine("gmai inspect: the path is empty; give a file or folder to inspect");
                return ExitCodes.ConfigError;
            }
            var (settings, issues) = PipelineSettings.TryLoad(r.GetValue(PipelineOption)!);
            if (issues.Count > 0) { Output.Issues(issues, "configuration errors"); return ExitCodes.ConfigError; }
            var results = Workflows.Inspect(r.GetValue(path)!, r.GetValue(labels), r.GetValue(outDir)!, settings, r.GetValue(window), r.GetValue(axis)!,
                r.GetValue(TaxonomyOption));
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

    /// <summary>The child process that decodes DICOM series in isolation, framed on stdin and stdout: not for people, hence hidden.</summary>
    private static Command DecodeDicomCommand()
    {
        var cmd = new Command(Workflows.DecodeDicomVerb, "Decode DICOM series in isolation, requests on stdin, answers on stdout (used by the pipeline)");
        cmd.Hidden = true;
        cmd.SetAction(_ => Workflows.DecodeDicom());
        return cmd;
    }
}

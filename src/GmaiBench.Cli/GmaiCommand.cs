using System.CommandLine;
using GmaiBench.Configuration;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using Spectre.Console;

namespace GmaiBench.Cli;

/// <summary>The <c>gmai</c> command: thin verbs that parse options, call the library and map outcomes to exit codes.</summary>
public static partial class GmaiCommand
{
    private static readonly Option<string> SourcesOption = new("--sources") { Description = "The source registry (default: the pipeline file's sources:, else sources.yaml of the project found upward)", DefaultValueFactory = _ => ProjectRoot.Resolve("sources.yaml") };
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
        root.Subcommands.Add(MergeCommand());
        root.Subcommands.Add(ClusterCommand());
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

    /// <summary>A <c>--sources</c> given on the command line wins; else the pipeline file's <c>sources:</c>; else sources.yaml.</summary>
    private static ProjectPaths Paths(ParseResult r) =>
        ProjectPaths.For(r.GetResult(SourcesOption) is { Implicit: false } ? r.GetValue(SourcesOption) : null,
            r.GetValue(SourcesOption)!, r.GetValue(TaxonomyOption)!, r.GetValue(PipelineOption)!);

    /// <summary>Loads the configuration; fatal problems are printed (on <paramref name="console"/>) and give a non-null exit code.</summary>
    private static (ProjectConfig Config, int? Exit) Load(ParseResult r, IAnsiConsole? console = null)
    {
        var config = ProjectConfig.Load(Paths(r));
        if (config.FatalIssues.Count == 0) return (config, null);
        Output.Issues(config.FatalIssues, "configuration errors", console);
        return (config, ExitCodes.ConfigError);
    }

    private static void Summary(BuildReport report, string folder)
    {
        var table = new Table().AddColumns("source", "discovered", "emitted", "rejected", "questions");
        foreach (var s in report.Sources) table.AddRow(s.Id, $"{s.Discovered}", $"{s.Emitted}", $"{s.Rejected}", $"{s.Questions}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Inputs: {report.InputsDiscovered} discovered = {report.ItemsEmitted} emitted + {report.InputsRejected} rejected" +
                               (report.NotSampled == 0 ? "" : $" + {report.NotSampled} not sampled (the label cap was filled; --full-scan decodes them)") +
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
        catch (ShardMergeException e)
        {
            console.MarkupLine($"[red]merge refused[/]: {Markup.Escape(e.Message)}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            console.MarkupLine($"[red]error[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Failure;
        }
    }
}

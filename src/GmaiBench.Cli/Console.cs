using GmaiBench.Configuration;
using GmaiBench.Pipeline;
using Spectre.Console;

namespace GmaiBench.Cli;

/// <summary>Exit codes of the <c>gmai</c> command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran, but found problems it reports (validation errors, verification failures).</summary>
    public const int Problems = 1;
    public const int ConfigError = 2;
    public const int UnmappedLabels = 3;
    public const int Failure = 4;
}

/// <summary>Console output: progress bars on a terminal, plain lines when redirected.</summary>
public static class Output
{
    /// <summary>Prints configuration issues under a title, on <paramref name="console"/> (stdout when not given).</summary>
    public static void Issues(IEnumerable<ConfigIssue> issues, string title, IAnsiConsole? console = null)
    {
        var list = issues.ToList();
        if (list.Count == 0) return;
        console ??= AnsiConsole.Console;
        console.MarkupLine($"[red]{Markup.Escape(title)} ({list.Count}):[/]");
        foreach (var i in list) console.MarkupLine($"  [red]error[/] {Markup.Escape(i.ToString())}");
    }

    /// <summary>
    /// A console on stderr (plain when stderr is redirected), for diagnostics of verbs whose stdout is data:
    /// <c>gmai labels --json</c> must leave exactly one JSON document on stdout.
    /// </summary>
    public static IAnsiConsole Diagnostics() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Ansi = Console.IsErrorRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = Console.IsErrorRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
    });

    /// <summary>Runs <paramref name="work"/> with a progress display fed by its <see cref="BuildProgress"/> reports.</summary>
    public static T WithProgress<T>(Func<IProgress<BuildProgress>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var plain = new PlainProgress();
            return work(plain);
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var sink = new CallbackProgress(p =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(p.Stage, out var t)) tasks[p.Stage] = t = ctx.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                        t.MaxValue = Math.Max(1, p.Total);
                        t.Value = Math.Max(t.Value, p.Done);
                    }
                });
                result = work(sink);
                lock (tasks) foreach (var t in tasks.Values) t.Value = t.MaxValue;
            });
        return result;
    }

    private sealed class CallbackProgress(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }

    /// <summary>Prints a line per stage at every tenth of the way, so logs of long runs show movement.</summary>
    private sealed class PlainProgress : IProgress<BuildProgress>
    {
        private readonly Dictionary<string, int> _lastTenth = new();

        public void Report(BuildProgress p)
        {
            lock (_lastTenth)
            {
                var tenth = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
                if (_lastTenth.TryGetValue(p.Stage, out var last) && last >= tenth) return;
                _lastTenth[p.Stage] = tenth;
                // Long stages print every tenth of the way; short ones (writing a handful of files) every step.
                if (p.Total > 0 && (tenth > 0 || p.Done == 0) && (p.Total >= 20 || p.Done > 0)) Console.WriteLine($"  {p.Stage}: {p.Done}/{p.Total}");
            }
        }
    }
}

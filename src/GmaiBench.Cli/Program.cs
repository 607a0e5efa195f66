using GmaiBench.Cli;
using Spectre.Console;

if (Console.IsOutputRedirected)
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) });

return await GmaiCommand.Build().Parse(args).InvokeAsync();

using GmaiBench.Cli;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Piped output is for files and other programs: no colour codes, and table rows never wrapped (a row stays one line
    // whatever COLUMNS says, so grep and diff see whole rows).
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) });
    AnsiConsole.Profile.Width = 4096;
}

return GmaiCommand.Run(args);

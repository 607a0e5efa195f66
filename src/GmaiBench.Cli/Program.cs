using GmaiBench.Cli;
using Spectre.Console;

// The DICOM decoder child: a build starts one per job and it answers many series, so it skips the console and parser
// set-up below, which it never uses (and which would open its stdout, the protocol's pipe, for text).
if (DecoderChild.Is(args)) return DecoderChild.Run();

if (Console.IsOutputRedirected)
{
    // Piped output is for files and other programs: no colour codes, and table rows never wrapped (a row stays one line
    // whatever COLUMNS says, so grep and diff see whole rows).
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) });
    AnsiConsole.Profile.Width = 4096;
}

return GmaiCommand.Run(args);

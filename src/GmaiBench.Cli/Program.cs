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

// ImageSharp's default pool keeps up to an eighth of the machine's memory of pixel buffers it has used, which a build
// would carry for its whole life; the rendered slices and marked images of a build need a few megabytes at a time.
SixLabors.ImageSharp.Configuration.Default.MemoryAllocator =
    SixLabors.ImageSharp.Memory.MemoryAllocator.Create(new SixLabors.ImageSharp.Memory.MemoryAllocatorOptions { MaximumPoolSizeMegabytes = 16 });

return GmaiCommand.Run(args);

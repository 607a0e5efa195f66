using GmaiBench.Pipeline;

namespace GmaiBench.Cli;

/// <summary>
/// <c>gmai decode-dicom</c> with nothing else on the command line: a DICOM decoder child of a build. Kept apart from
/// <see cref="GmaiCommand"/>, whose static options would load the parser this process never uses.
/// </summary>
public static class DecoderChild
{
    public static bool Is(string[] args) => args is [var verb] && verb == Workflows.DecodeDicomVerb;

    /// <summary>The decoder's loop, entered before any console or parser set-up.</summary>
    public static int Run() => Workflows.DecodeDicom();
}

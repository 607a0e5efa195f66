using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>
/// What an output folder is written from: the items (in index order), the store holding their images, the base name
/// of the benchmark files, and the report of the build or subset that made them.
/// </summary>
public sealed record OutputContext(string DisplayName, IReadOnlyList<Question> Questions, IObjectStore Objects)
{
    public BuildReport? Report { get; init; }
    /// <summary>Each source's root folder (absolute), so reports can link a rejected file relative to where they are written.</summary>
    public IReadOnlyDictionary<string, string> SourceRoots { get; init; } = new Dictionary<string, string>();
    /// <summary>The folder the outputs end up in (set by <see cref="BuildOutput.Write"/>).</summary>
    public string? Folder { get; init; }

    /// <summary>
    /// A link from the output folder to the file a reject names (its path relative to the source root, less any
    /// "#annotation" or ":line" suffix), or null when the source or the folder is unknown. Relative, so the report's bytes
    /// depend on the project's layout, not on where it sits.
    /// </summary>
    public string? LinkTo(string sourceId, string path)
    {
        if (Folder is null || !SourceRoots.TryGetValue(sourceId, out var root)) return null;
        var file = path.Split('#')[0];
        var colon = file.LastIndexOf(':');
        if (colon > 0 && file[(colon + 1)..].All(char.IsDigit) && colon < file.Length - 1) file = file[..colon];
        var relative = Path.GetRelativePath(Folder, Path.Combine(root, file)).Replace(Path.DirectorySeparatorChar, '/');
        return string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
    }
    public SubsetReport? Subset { get; init; }
    /// <summary>
    /// A digest of everything <see cref="Questions"/> and <see cref="Report"/> were made from, when the producer has one:
    /// the output stamp then hashes it instead of serialising every item again.
    /// </summary>
    public string? ContentDigest { get; init; }
    /// <summary>The unmarked image of each input by item key (thumbnails of duplicate clusters); empty when unknown.</summary>
    public IReadOnlyDictionary<string, string> ItemImages { get; init; } = new Dictionary<string, string>();
    /// <summary>The build's <c>--jobs</c>: above one, the writers that write alongside run on a second thread (<see cref="IOutputWriter.WritesAlongside"/>).</summary>
    public int Jobs { get; init; } = 1;

    public BuildReport BuildReport => Report ?? throw new InvalidOperationException("this output needs a build report");
    public SubsetReport SubsetReport => Subset ?? throw new InvalidOperationException("this output needs a subset report");

    public byte[] Image(string sha) => Objects.Get(sha);
}

/// <summary>One output format: the files it writes for a context, and how it writes them into a folder.</summary>
public interface IOutputWriter
{
    /// <summary>File names, relative to the output folder, in the order the reports list them.</summary>
    IReadOnlyList<string> Files(OutputContext context);

    void Write(OutputContext context, string folder);

    /// <summary>
    /// True for outputs that are CPU work on little memory (decoding and shrinking images to a sheet or thumbnails): with
    /// more than one job they are written beside the others, which stream images and wait on the disk.
    /// </summary>
    bool WritesAlongside => false;
}

/// <summary>The outputs of each kind of folder, registered in one place: a new format is one writer plus one line here.</summary>
public static class OutputWriters
{
    /// <summary><c>gmai build</c>: <c>out/&lt;name&gt;/</c>.</summary>
    public static IReadOnlyList<IOutputWriter> Build { get; } =
    [
        new BenchmarkTsvOutput(),
        new BenchmarkParquetOutput(),
        new BuildReportJsonOutput(),
        new BuildReportMarkdownOutput(),
        new RejectsOutput(),
        new ContactSheetOutput(),
        new BuildReportHtmlOutput(),
    ];

    /// <summary><c>gmai subset</c>: the benchmark files of the cut and its report.</summary>
    public static IReadOnlyList<IOutputWriter> Subset { get; } =
    [
        new BenchmarkTsvOutput(),
        new BenchmarkParquetOutput(),
        new SubsetReportOutput(),
        new BuildReportHtmlOutput(),
    ];

    /// <summary>Every file the writers will produce, in their order.</summary>
    public static List<string> FilesOf(IReadOnlyList<IOutputWriter> writers, OutputContext context) =>
        writers.SelectMany(w => w.Files(context)).ToList();
}

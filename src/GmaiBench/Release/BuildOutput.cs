using System.Text.Encodings.Web;
using System.Text.Json;

namespace GmaiBench.Release;

/// <summary>
/// Writes an output folder (a build's <c>&lt;output&gt;/&lt;name&gt;/</c>, a subset's folder) through a list of
/// <see cref="IOutputWriter"/>s. Written to a sibling <c>.incomplete</c> folder first and swapped in only when complete.
/// </summary>
public static class BuildOutput
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes every output of <paramref name="writers"/> into <paramref name="final"/>; the report lists them all.</summary>
    /// <param name="progress">Told (done, total) after each writer, so long writes show movement.</param>
    public static string Write(IReadOnlyList<IOutputWriter> writers, OutputContext context, string final, IProgress<(int Done, int Total)>? progress = null)
    {
        var temp = Incomplete(final);
        var files = OutputWriters.FilesOf(writers, context);
        context = context with
        {
            Folder = Path.GetFullPath(final),
            Report = context.Report is { } report ? report with { Outputs = files } : null,
            Subset = context.Subset is { } subset ? subset with { Outputs = files } : null,
        };
        progress?.Report((0, writers.Count));
        for (var i = 0; i < writers.Count; i++)
        {
            writers[i].Write(context, temp);
            progress?.Report((i + 1, writers.Count));
        }
        return Publish(temp, final);
    }

    /// <summary>A fresh <c>.incomplete</c> sibling of <paramref name="final"/> to write into.</summary>
    public static string Incomplete(string final)
    {
        var temp = final + ".incomplete";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        return temp;
    }

    /// <summary>Replaces <paramref name="final"/> with the completed <paramref name="temp"/> folder in one step (<see cref="AtomicFolder"/>).</summary>
    public static string Publish(string temp, string final) => AtomicFolder.Replace(temp, final);
}

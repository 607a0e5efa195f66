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
    /// <param name="stampPath">
    /// Where to remember what the folder was written from (outside it: in the work folder). When the next call would write
    /// exactly the same folder (same items, report, images, writers and tool) and every file is still as written (size and
    /// modification time), nothing is rewritten: a no-op rebuild costs no output bytes.
    /// </param>
    public static string Write(IReadOnlyList<IOutputWriter> writers, OutputContext context, string final, IProgress<(int Done, int Total)>? progress = null,
        string? stampPath = null)
    {
        var files = OutputWriters.FilesOf(writers, context);
        context = context with
        {
            Folder = Path.GetFullPath(final),
            Report = context.Report is { } report ? report with { Outputs = files } : null,
            Subset = context.Subset is { } subset ? subset with { Outputs = files } : null,
        };
        var stamp = stampPath is null ? null : OutputStamp.Of(writers, context);
        if (stamp is not null && OutputStamp.Matches(stampPath!, stamp, final))
        {
            progress?.Report((writers.Count, writers.Count));
            return Path.GetFullPath(final);
        }
        if (stampPath is not null && File.Exists(stampPath)) File.Delete(stampPath);
        var temp = Incomplete(final);
        progress?.Report((0, writers.Count));
        WriteAll(writers, context, temp, progress);
        var written = Publish(temp, final);
        if (stamp is not null) OutputStamp.Save(stampPath!, stamp, written);
        return written;
    }

    /// <summary>
    /// Runs the writers into <paramref name="temp"/>: in order, except that with more than one job the writers that
    /// write alongside (<see cref="IOutputWriter.WritesAlongside"/>) run in order on a second thread meanwhile. Each
    /// writes its own files from the same context, so the bytes do not depend on which finishes first. A failure on
    /// either side is thrown once both have stopped (the main side's first).
    /// </summary>
    private static void WriteAll(IReadOnlyList<IOutputWriter> writers, OutputContext context, string temp, IProgress<(int Done, int Total)>? progress)
    {
        var beside = context.Jobs > 1 ? writers.Where(w => w.WritesAlongside).ToList() : [];
        var done = 0;
        var gate = new object();
        void Run(IOutputWriter writer)
        {
            writer.Write(context, temp);
            lock (gate) progress?.Report((++done, writers.Count));
        }
        var side = beside.Count == 0 ? null : Task.Factory.StartNew(() => { foreach (var w in beside) Run(w); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var w in writers.Where(w => !beside.Contains(w))) Run(w);
        }
        finally
        {
            // Never leave a writer still writing into the folder the caller may delete.
            try { side?.Wait(); }
            catch (AggregateException) { }
        }
        side?.GetAwaiter().GetResult();
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

/// <summary>
/// What an output folder was written from (a digest of the items, the report, the image hashes, the writers and the tool
/// version) and the size and modification time of each file written, kept in the work folder beside the catalog.
/// </summary>
internal static class OutputStamp
{
    private sealed record Saved(string Inputs, SortedDictionary<string, long[]> Files);

    public static string Of(IReadOnlyList<IOutputWriter> writers, OutputContext c)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Add(string text) { hash.AppendData(System.Text.Encoding.UTF8.GetBytes(text)); hash.AppendData([0]); }
        Add(GmaiBench.Model.Fingerprints.ToolVersion);
        Add(c.DisplayName);
        Add(c.Folder ?? "");
        foreach (var w in writers) Add(w.GetType().FullName ?? "");
        if (c.ContentDigest is { } digest)
        {
            // Same digest, same items and report; only the list of files written is the writers' to add.
            Add(digest);
            Add(JsonSerializer.Serialize(c.Report?.Outputs ?? []));
        }
        else
        {
            Add(JsonSerializer.Serialize(c.Questions));
            Add(c.Report is null ? "" : JsonSerializer.Serialize(c.Report));
        }
        Add(c.Subset is null ? "" : JsonSerializer.Serialize(c.Subset));
        foreach (var (k, v) in c.SourceRoots.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add($"{k}={v}");
        foreach (var (k, v) in c.ItemImages.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add($"{k}={v}");
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static bool Matches(string path, string inputs, string folder)
    {
        if (!File.Exists(path) || !Directory.Exists(folder)) return false;
        Saved? saved;
        try { saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(path)); }
        catch (JsonException) { return false; }
        if (saved is null || saved.Inputs != inputs) return false;
        var now = FilesOf(folder);
        return now.Count == saved.Files.Count && now.All(kv => saved.Files.TryGetValue(kv.Key, out var v) && v.SequenceEqual(kv.Value));
    }

    public static void Save(string path, string inputs, string folder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new Saved(inputs, FilesOf(folder))));
        File.Move(temp, path, overwrite: true);
    }

    private static SortedDictionary<string, long[]> FilesOf(string folder) =>
        new(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f), f => { var i = new FileInfo(f); return new[] { i.Length, i.LastWriteTimeUtc.Ticks }; }), StringComparer.Ordinal);
}

using System.Globalization;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>One released item as the changelog compares them: its key, where it sits, and a hash of its content.</summary>
public sealed record ReleaseItem(string Key, int Index, string Split, string Source, string Task, string Granularity, string ContentHash);

/// <summary>
/// <c>private/items.tsv</c>: every item of a release with a hash over its question, options, answer and image.
/// Kept with the answer key (never uploaded), because the hash would let anyone test candidate answers.
/// </summary>
public static class ReleaseItems
{
    public const string FileName = "private/items.tsv";

    public static ReleaseItem Of(Question q) => new(q.Key, q.Index, q.Split, q.Case.SourceId, q.TaskName, q.Case.Granularity.Text(),
        Fingerprints.Of([q.Text, .. q.Options, q.Answer, q.Case.ImageSha, q.Split]));

    public static void Write(string path, IEnumerable<ReleaseItem> items)
    {
        using var w = new StreamWriter(path, false, TsvFormat.Utf8);
        TsvFormat.WriteRow(w, ["key", "index", "split", "source", "task", "granularity", "content_hash"]);
        foreach (var i in items)
            TsvFormat.WriteRow(w, [i.Key, i.Index.ToString(CultureInfo.InvariantCulture), i.Split, i.Source, i.Task, i.Granularity, i.ContentHash]);
    }

    public static List<ReleaseItem> Read(string path) =>
        TsvFormat.Parse(File.ReadAllText(path)).Skip(1)
            .Select(r => new ReleaseItem(r[0], int.Parse(r[1], CultureInfo.InvariantCulture), r[2], r[3], r[4], r[5], r[6]))
            .ToList();
}

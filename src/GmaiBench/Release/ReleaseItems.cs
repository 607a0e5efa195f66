using System.Globalization;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>
/// One released item as the changelog, the next release and <c>gmai score</c> see it: key, index, split, tags, a hash of
/// its content, its identity (<see cref="ReleaseHistory.IdentityOf"/>), its options in letter order and its answer.
/// </summary>
public sealed record ReleaseItem(string Key, int Index, string Split, string Source, string Task, string Granularity, string ContentHash)
{
    public string Identity { get; init; } = "";
    public IReadOnlyList<string> Options { get; init; } = [];
    public string Answer { get; init; } = "";
    /// <summary>The answer label text(s), as the category column.</summary>
    public string Category { get; init; } = "";
    public string Department { get; init; } = "";
    public string Modality { get; init; } = "";
}

/// <summary>
/// <c>private/items.tsv</c>: every item of a release with its answer, tags and a hash over its question, options, answer
/// and image. Kept with the answer key (never uploaded), because it holds TEST answers and answer-derived tags.
/// </summary>
public static class ReleaseItems
{
    public const string FileName = "private/items.tsv";

    private static readonly string[] Header =
        ["key", "index", "split", "source", "task", "granularity", "content_hash", "identity", "options", "answer", "category", "department", "modality"];

    public static ReleaseItem Of(Question q) => new(q.Key, q.Index, q.Split, q.Case.SourceId, q.TaskName, q.Case.Granularity.Text(),
        Fingerprints.Of([q.Text, .. q.Options, q.Answer, q.Case.ImageSha, q.Split]))
    {
        Identity = ReleaseHistory.IdentityOf(q.Case.ImageSha, q.Text, q.Split, q.Options,
            q.Answer.Split(',').Select(l => q.Options[l[0] - 'A'])),
        Options = q.Options, Answer = q.Answer, Category = q.Category, Department = q.DepartmentName, Modality = q.Case.Modality,
    };

    public static void Write(string path, IEnumerable<ReleaseItem> items)
    {
        using var w = new StreamWriter(path, false, TsvFormat.Utf8);
        TsvFormat.WriteRow(w, Header);
        foreach (var i in items)
            TsvFormat.WriteRow(w, [i.Key, i.Index.ToString(CultureInfo.InvariantCulture), i.Split, i.Source, i.Task, i.Granularity, i.ContentHash,
                i.Identity, StringLists.ToJson(i.Options), i.Answer, i.Category, i.Department, i.Modality]);
    }

    public static List<ReleaseItem> Read(string path)
    {
        var rows = TsvFormat.Parse(File.ReadAllText(path));
        if (rows.Count == 0) return [];
        var col = rows[0].Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        string Get(string[] r, string name) => col.TryGetValue(name, out var i) && i < r.Length ? r[i] : "";
        return rows.Skip(1).Select(r => new ReleaseItem(r[0], int.Parse(r[1], CultureInfo.InvariantCulture), r[2], r[3], r[4], r[5], r[6])
        {
            Identity = Get(r, "identity"),
            Options = Get(r, "options") is { Length: > 0 } o ? StringLists.FromJson(o) : [],
            Answer = Get(r, "answer"), Category = Get(r, "category"), Department = Get(r, "department"), Modality = Get(r, "modality"),
        }).ToList();
    }

    /// <summary>
    /// The history the next build keeps to: the latest published version's items by identity, and the next index no
    /// published version has issued. <paramref name="versionFolders"/> are the published versions, oldest first.
    /// </summary>
    public static ReleaseHistory History(IReadOnlyList<string> versionFolders)
    {
        if (versionFolders.Count == 0) return ReleaseHistory.Empty;
        var next = 0;
        var splits = new Dictionary<string, string>(StringComparer.Ordinal);
        List<ReleaseItem> latest = [];
        foreach (var folder in versionFolders)
        {
            var path = Path.Combine(folder, FileName);
            if (!File.Exists(path)) throw new InvalidDataException($"{path} is missing: the release history needs every published version's private/ folder");
            latest = Read(path);
            if (latest.Count > 0) next = Math.Max(next, latest.Max(i => i.Index) + 1);
            foreach (var i in latest)
                if (!splits.TryGetValue(i.Key, out var s) || s != "TEST") splits[i.Key] = i.Split;
        }
        var items = latest.Where(i => i.Identity.Length > 0 && i.Options.Count > 0)
            .ToDictionary(i => i.Identity, i => new PublishedItem(i.Identity, i.Index, i.Options), StringComparer.Ordinal);
        return new ReleaseHistory(items, next) { Splits = splits };
    }
}

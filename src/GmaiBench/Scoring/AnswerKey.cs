using System.Globalization;
using GmaiBench.Release;

namespace GmaiBench.Scoring;

/// <summary>An item as scoring sees it: its answer letters, options, question, and the nodes of the lexical tree it counts under.</summary>
public sealed record KeyItem(long Index, string Split, IReadOnlyList<string> Answer, IReadOnlyList<string> Options, string Question)
{
    public bool Multi => Answer.Count > 1;
    /// <summary>subject (task, department, modality, granularity, label, source) -> value.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The non-empty options, letter -> text.</summary>
    public IReadOnlyDictionary<string, string> Choices =>
        Options.Select((o, i) => (Letter: ((char)('A' + i)).ToString(), o)).Where(x => x.o.Length > 0).ToDictionary(x => x.Letter, x => x.o);
}

/// <summary>
/// The answers a release holds: with <c>private/</c>, every item (VAL and TEST) from <c>private/items.tsv</c>; without it,
/// the VAL items of the public VLMEvalKit files. Question texts come from the public files either way.
/// </summary>
public static class AnswerKey
{
    public static readonly string[] Subjects = ["task", "department", "modality", "granularity", "label", "source"];

    public static (List<KeyItem> Items, bool HasTestAnswers) Load(string release)
    {
        _ = ReleaseManifest.Read(release);   // refuses a folder that is not a release
        var questions = new Dictionary<long, (string Question, Dictionary<string, string> Row)>();
        var vlm = Path.Combine(release, "vlmevalkit");
        foreach (var file in Directory.Exists(vlm) ? Directory.GetFiles(vlm, "*.tsv").Order(StringComparer.Ordinal).ToArray() : [])
        {
            // Row by row: the release's TSVs carry every image, and scoring needs none of them.
            string[]? header = null;
            foreach (var r in TsvFormat.ReadRows(file))
            {
                if (header is null) { header = r; continue; }
                var row = header.Zip(r).Where(x => x.First != "image").ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal);
                questions[long.Parse(r[0], CultureInfo.InvariantCulture)] = (row.GetValueOrDefault("question", ""), row);
            }
        }
        var itemsPath = Path.Combine(release, ReleaseItems.FileName);
        if (File.Exists(itemsPath))
        {
            var items = ReleaseItems.Read(itemsPath).Select(i => new KeyItem(i.Index, i.Split, i.Answer.Split(','), i.Options,
                questions.TryGetValue(i.Index, out var q) ? q.Question : "")
            {
                Tags = new Dictionary<string, string>
                {
                    ["task"] = i.Task, ["department"] = i.Department, ["modality"] = i.Modality, ["granularity"] = i.Granularity,
                    ["label"] = i.Category, ["source"] = i.Source,
                },
            }).ToList();
            return (items, true);
        }
        var val = questions.Where(q => q.Value.Row.ContainsKey("answer")).Select(q =>
        {
            var row = q.Value.Row;
            return new KeyItem(q.Key, "VAL", row["answer"].Split(','), BenchmarkTsv.OptionColumns.Select(c => row.GetValueOrDefault(c, "")).ToList(), q.Value.Question)
            {
                Tags = new Dictionary<string, string>
                {
                    ["task"] = row.GetValueOrDefault("clinical VQA task", ""), ["department"] = row.GetValueOrDefault("department", ""),
                    ["modality"] = row.GetValueOrDefault("modality", ""), ["granularity"] = row.GetValueOrDefault("perceptual granularity", ""),
                    ["label"] = row.GetValueOrDefault("category", ""),
                },
            };
        }).OrderBy(i => i.Index).ToList();
        return (val, false);
    }
}

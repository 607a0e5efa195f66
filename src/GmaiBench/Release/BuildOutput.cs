using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GmaiBench.Pipeline;

namespace GmaiBench.Release;

/// <summary>
/// Writes a build's files to <c>&lt;output&gt;/&lt;name&gt;/</c>: the VLMEvalKit TSV, the Hugging Face Parquet
/// file, the build report (JSON and Markdown) and the rejected-input list. Written to a sibling
/// <c>.incomplete</c> folder first and swapped in only when complete.
/// </summary>
public static class BuildOutput
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(BuildResult result)
    {
        var settings = result.Config.Settings;
        var final = Path.Combine(settings.OutputDir, settings.Name);
        var temp = Incomplete(final);
        var outputs = WriteBenchmark(temp, settings.DisplayName, result.Questions, result.Objects);
        outputs.AddRange(["build-report.json", "build-report.md", "rejects.tsv", "samples.png"]);
        File.WriteAllBytes(Path.Combine(temp, "samples.png"), ContactSheet.Render(result.Questions, result.Objects));
        var report = result.Report with { Outputs = outputs };
        File.WriteAllText(Path.Combine(temp, "build-report.json"), JsonSerializer.Serialize(report, Json) + "\n", TsvFormat.Utf8);
        File.WriteAllText(Path.Combine(temp, "build-report.md"), Markdown(report), TsvFormat.Utf8);
        using (var w = new StreamWriter(Path.Combine(temp, "rejects.tsv"), false, TsvFormat.Utf8))
        {
            TsvFormat.WriteRow(w, ["source", "path", "stage", "reason", "message", "key"]);
            foreach (var r in report.Rejects) TsvFormat.WriteRow(w, [r.SourceId, r.Path, r.Stage, r.Reason, r.Message, r.Key]);
        }
        return Publish(temp, final);
    }

    /// <summary>Writes <c>&lt;name&gt;.tsv</c> and <c>&lt;name&gt;.parquet</c> (with answers) and returns their file names.</summary>
    public static List<string> WriteBenchmark(string folder, string name, IReadOnlyList<GmaiBench.Questions.Question> questions, GmaiBench.Catalog.ObjectStore objects)
    {
        BenchmarkTsv.WriteFile(Path.Combine(folder, $"{name}.tsv"), questions, sha => objects.Get(sha), withAnswer: true);
        BenchmarkParquet.WriteFile(Path.Combine(folder, $"{name}.parquet"), questions, sha => objects.Get(sha), withAnswer: true);
        return [$"{name}.tsv", $"{name}.parquet"];
    }

    /// <summary>A fresh <c>.incomplete</c> sibling of <paramref name="final"/> to write into.</summary>
    public static string Incomplete(string final)
    {
        var temp = final + ".incomplete";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        return temp;
    }

    /// <summary>Replaces <paramref name="final"/> with the completed <paramref name="temp"/> folder.</summary>
    public static string Publish(string temp, string final)
    {
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temp, final);
        return final;
    }

    public static string Markdown(BuildReport r)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"# Build report: {r.Name}\n\n");
        sb.Append(ci, $"- Inputs discovered: {r.InputsDiscovered}\n- Items emitted: {r.ItemsEmitted}\n- Inputs rejected: {r.InputsRejected}\n");
        sb.Append(ci, $"- Unaccounted inputs: {r.Unaccounted}\n- Files ignored (not images of a supported type): {r.IgnoredFiles}\n");
        sb.Append(ci, $"- Pixel work: {r.Decoded} decoded, {r.Reused} reused from earlier builds\n");
        sb.Append(ci, $"- Questions: {r.Questions} ({string.Join(", ", r.Splits.Select(s => $"{s.Key} {s.Value}"))})\n\n");
        sb.Append("![Sample items: a row per granularity (image, box, mask, contour)](samples.png)\n\n");
        if (r.ConfigIssues.Count > 0)
        {
            sb.Append("## Configuration problems (these sources were not built)\n\n");
            foreach (var i in r.ConfigIssues) sb.Append(ci, $"- {i}\n");
            sb.Append('\n');
        }
        if (r.Warnings.Count > 0)
        {
            sb.Append("## Warnings\n\n");
            foreach (var w in r.Warnings) sb.Append(ci, $"- {w}\n");
            sb.Append('\n');
        }
        sb.Append("## Sources\n\n| source | layout | discovered | emitted | rejected | questions | ignored |\n|---|---|---:|---:|---:|---:|---:|\n");
        foreach (var s in r.Sources) sb.Append(ci, $"| {s.Id} | {s.Layout} | {s.Discovered} | {s.Emitted} | {s.Rejected} | {s.Questions} | {s.Ignored} |\n");
        sb.Append("\n## Rejects by reason\n\n| reason | count |\n|---|---:|\n");
        foreach (var (reason, n) in r.RejectsByReason) sb.Append(ci, $"| {reason} | {n} |\n");
        sb.Append("\n## Rejected inputs\n\n");
        foreach (var rej in r.Rejects) sb.Append(ci, $"- `{rej.SourceId}` `{rej.Path}` ({rej.Stage}, {rej.Reason}): {rej.Message}\n");
        if (r.UnmappedLabels.Count > 0)
        {
            sb.Append("\n## Unmapped labels\n\n");
            foreach (var u in r.UnmappedLabels) sb.Append(ci, $"- {u}\n");
        }
        sb.Append(ci, $"\n## Duplicate clusters ({r.DuplicateClusters.Count})\n\n");
        if (r.DuplicateClusters.Count == 0) sb.Append("None: no two inputs share an image or a near-identical one.\n");
        foreach (var c in r.DuplicateClusters)
            sb.Append(ci, $"- {c.Kind}: {string.Join(", ", c.Items.Select(x => $"`{x}`"))}; kept `{c.Kept}`; items removed: {(c.Removed.Count == 0 ? "none (different questions; kept in one split)" : string.Join(", ", c.Removed.Select(x => $"`{x}`")))}\n");
        var a = r.Audit;
        sb.Append(ci, $"\n## Shortcut audit (TEST, {a.TestItems} single-choice items)\n\n| strategy | accuracy |\n|---|---:|\n");
        sb.Append(ci, $"| chance (uniform guess) | {a.Chance:P1} |\n| always the same letter (best: {a.SameLetter.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).Select(x => x.Key).FirstOrDefault()}) | {a.BestSameLetter:P1} |\n");
        sb.Append(ci, $"| longest option | {a.LongestOption:P1} |\n| option most often correct in VAL for the question text | {a.ValMostOftenCorrect:P1} |\n");
        sb.Append("\nAnswer letter shares by option count (single-choice, whole build):\n\n| options | " + string.Join(" | ", "ABCDE".Select(l => l.ToString())) + " |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var (n, shares) in a.LetterShares)
            sb.Append(ci, $"| {n} | {string.Join(" | ", "ABCDE".Select(l => shares.TryGetValue(l.ToString(), out var v) ? v.ToString("P1", ci) : ""))} |\n");
        sb.Append("\n## Distributions\n");
        foreach (var (name, counts) in r.Distributions)
        {
            sb.Append(ci, $"\n### {name}\n\n| value | items |\n|---|---:|\n");
            foreach (var (k, v) in counts) sb.Append(ci, $"| {k} | {v} |\n");
        }
        sb.Append("\n## Fingerprints\n\n");
        foreach (var (k, v) in r.Fingerprints) sb.Append(ci, $"- {k}: `{v}`\n");
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GmaiBench.Release;

/// <summary><c>build-report.json</c>: the build report as data.</summary>
public sealed class BuildReportJsonOutput : IOutputWriter
{
    public const string FileName = "build-report.json";

    public IReadOnlyList<string> Files(OutputContext context) => [FileName];

    public void Write(OutputContext context, string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(context.BuildReport, BuildOutput.Json) + "\n", TsvFormat.Utf8);
}

/// <summary><c>build-report.md</c>: the build report for people.</summary>
public sealed class BuildReportMarkdownOutput : IOutputWriter
{
    public const string FileName = "build-report.md";

    public IReadOnlyList<string> Files(OutputContext context) => [FileName];

    public void Write(OutputContext context, string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), Markdown(context.BuildReport), TsvFormat.Utf8);

    public static string Markdown(BuildReport r)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"# Build report: {r.Name}\n\n");
        sb.Append(ci, $"- Inputs discovered: {r.InputsDiscovered}\n- Items emitted: {r.ItemsEmitted}\n- Inputs rejected: {r.InputsRejected}\n");
        if (r.NotSampled > 0)
            sb.Append(ci, $"- Inputs not sampled: {r.NotSampled} (not decoded: each label's seeded candidate pool already held what the label cap keeps; `gmai build --full-scan` decodes them and emits the same items)\n");
        sb.Append(ci, $"- Unaccounted inputs: {r.Unaccounted}\n- Files ignored (not images of a supported type): {r.IgnoredFiles}\n");
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
        if (r.TaskMoves.Count > 0)
        {
            sb.Append("## Items asked under another task than their source declares\n\n");
            sb.Append("A whole image keeps its source's task; a marked region is asked under its label's task (the task rule).\n\n");
            sb.Append("| source | source's task | asked as | items |\n|---|---|---|---:|\n");
            foreach (var m in r.TaskMoves) sb.Append(ci, $"| {m.Source} | {m.SourceTask} | {m.Task} | {m.Items} |\n");
            sb.Append('\n');
        }
        if (r.Composition is { } composition)
        {
            sb.Append("## Composition against targets\n\n");
            sb.Append("Items per task and granularity against the pipeline's `curation.targets`. Candidates are the items curation could choose ");
            sb.Append("from after the per-label cap; a cell with more keeps its target, round-robin over answer labels. A short cell lists the ");
            sb.Append("sources that feed it and how many items each gave.\n\n");
            sb.Append("| task | granularity | target | candidates | achieved | short | sources (items) |\n|---|---|---:|---:|---:|---:|---|\n");
            foreach (var c in composition)
                sb.Append(ci, $"| {c.Task} | {c.Granularity} | {c.Target} | {c.Candidates} | {c.Achieved} | {c.Short} | {CompositionText.Sources(c)} |\n");
            sb.Append('\n');
        }
        sb.Append("## Sources\n\n| source | layout | discovered | emitted | rejected | questions | ignored |\n|---|---|---:|---:|---:|---:|---:|\n");
        foreach (var s in r.Sources) sb.Append(ci, $"| {s.Id} | {s.Layout} | {s.Discovered} | {s.Emitted} | {s.Rejected} | {s.Questions} | {s.Ignored} |\n");
        if (r.NotSampled > 0)
        {
            sb.Append("\nNot sampled, by source: ");
            sb.Append(string.Join(", ", r.Sources.Where(s => s.NotSampled > 0).Select(s => string.Create(ci, $"{s.Id} {s.NotSampled}"))));
            sb.Append('\n');
        }
        sb.Append("\n## Rejects by reason\n\n");
        sb.Append("Counted in rejects, not inputs: one input can give several cases (slices, targets, granularities) and each rejected ");
        sb.Append("case counts here, while the headline counts an input as rejected only when none of its cases became an item.\n\n");
        sb.Append("| reason | count |\n|---|---:|\n");
        foreach (var (reason, n) in r.RejectsByReason) sb.Append(ci, $"| {reason} | {n} |\n");
        ReviewMarkdown(sb, r);
        sb.Append("\n## Rejected inputs\n\n");
        // Identical lines (e.g. an unmapped label on every slice cut from one volume) are listed once with their count.
        foreach (var g in r.Rejects.GroupBy(x => (x.SourceId, x.Path, x.Stage, x.Reason, x.Message)))
            sb.Append(ci, $"- `{g.Key.SourceId}` `{g.Key.Path}` ({g.Key.Stage}, {g.Key.Reason}){(g.Count() > 1 ? $" x{g.Count()}" : "")}: {g.Key.Message}\n");
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

    private static void ReviewMarkdown(StringBuilder sb, BuildReport r)
    {
        var v = r.Review;
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"\n## Review ({v.File})\n\n");
        if (v.Decisions == 0 && v.Problems.Count == 0)
        {
            sb.Append("No review decisions yet (`gmai review` records them).\n");
            return;
        }
        sb.Append(ci, $"{v.Decisions} decision(s) by {string.Join(", ", v.Reviewers)}; {v.Lapsed} item(s) named by the file are not in this build (their decisions lapsed). ");
        sb.Append("Coverage: the share of the items that stay that a reviewer accepted.\n\n");
        sb.Append("| split | items | accepted | rejected | flagged | unreviewed | coverage |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (split, c) in v.Splits)
            sb.Append(ci, $"| {split} | {c.Items} | {c.Accepted} | {c.Rejected} | {c.Flagged} | {c.Unreviewed} | {c.Coverage:P1} |\n");
        if (v.Disagreements.Count > 0)
        {
            sb.Append(ci, $"\nReviewers disagree on {v.Disagreements.Count} item(s) (the latest decision applies):\n\n");
            foreach (var d in v.Disagreements)
                sb.Append(ci, $"- item {d.Index} `{d.Key}`: {string.Join(", ", d.Verdicts.Select(x => $"{x.Key} {x.Value}"))}; applied: {d.Applied}\n");
        }
        foreach (var p in v.Problems) sb.Append(ci, $"- problem: {p}\n");
    }
}

/// <summary><c>rejects.tsv</c>: one row per rejected input or case.</summary>
public sealed class RejectsOutput : IOutputWriter
{
    public const string FileName = "rejects.tsv";

    public IReadOnlyList<string> Files(OutputContext context) => [FileName];

    public void Write(OutputContext context, string folder)
    {
        using var w = new StreamWriter(Path.Combine(folder, FileName), false, TsvFormat.Utf8);
        TsvFormat.WriteRow(w, ["source", "path", "stage", "reason", "message", "key"]);
        foreach (var r in context.BuildReport.Rejects) TsvFormat.WriteRow(w, [r.SourceId, r.Path, r.Stage, r.Reason, r.Message, r.Key]);
    }
}

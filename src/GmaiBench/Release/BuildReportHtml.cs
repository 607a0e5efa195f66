using System.Globalization;
using System.Net;
using System.Text;
using GmaiBench.Imaging;
using GmaiBench.Model;
using GmaiBench.Review;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace GmaiBench.Release;

/// <summary>
/// <c>build-report.html</c> beside the Markdown report: one self-contained file (images inline as <c>data:</c> URIs,
/// charts as inline SVG, no script, no link out) with the accounting, the distributions as charts (items per task,
/// department, modality, granularity and source split into VAL and TEST; answer letters; rejects by reason), review
/// coverage, duplicate clusters with thumbnails and a captioned contact sheet. A subset writes the same for its items.
/// </summary>
public sealed class BuildReportHtmlOutput : IOutputWriter
{
    public const string FileName = "build-report.html";
    public const int Thumb = 128;

    public IReadOnlyList<string> Files(OutputContext context) => [FileName];

    public bool WritesAlongside => true;

    public void Write(OutputContext context, string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), Html(context), TsvFormat.Utf8);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    public static string Html(OutputContext context)
    {
        var ci = CultureInfo.InvariantCulture;
        var report = context.Report;
        var subset = context.Subset;
        var questions = context.Questions;
        var title = report is not null ? $"Build report: {report.Name}" : subset is not null ? $"Subset report: {subset.Benchmark}" : context.DisplayName;
        var sb = new StringBuilder();
        sb.Append(ci, $"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{E(title)}</title>\n<style>{Style}</style>\n</head>\n<body>\n<h1>{E(title)}</h1>\n");
        if (report is not null) Accounting(sb, report);
        if (report?.Composition is { } composition) Composition(sb, composition);
        if (subset is not null)
            sb.Append(ci, $"<p>Items where <code>{E(subset.Expression)}</code>: <b>{subset.Items}</b> of {subset.OfItems} ({E(string.Join(", ", subset.Splits.Select(s => $"{s.Key} {s.Value}")))}).</p>\n");

        sb.Append("<h2 id=\"distributions\">Distributions</h2>\n<p class=\"note\">Items (questions) per node of the lexical tree, split into VAL and TEST.</p>\n<div class=\"charts\">\n");
        var splits = new[] { "VAL", "TEST" };
        foreach (var (name, key) in new (string, Func<Question, string>)[]
                 {
                     ("task", q => q.TaskName), ("department", q => q.DepartmentName), ("modality", q => q.Case.Modality),
                     ("granularity", q => q.Case.Granularity.Text()), ("source", q => q.Case.SourceId),
                 })
        {
            var bars = questions.GroupBy(key).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ChartBar(g.Key, splits.Select(s => (double)g.Count(q => q.Split == s)).ToList())).ToList();
            sb.Append("<figure>").Append(SvgChart.Bars($"Items per {name}", splits, bars)).Append("</figure>\n");
        }
        var letters = "ABCDE".Select(c => c.ToString()).ToList();
        var single = questions.Where(q => !q.Multi).ToList();
        var letterBars = single.GroupBy(q => q.Options.Count).OrderBy(g => g.Key)
            .Select(g => new ChartBar($"{g.Key} options", letters.Select(l => (double)g.Count(q => q.Answer == l)).ToList())).ToList();
        sb.Append("<figure>").Append(SvgChart.Bars("Answer letter balance (single-answer items, by option count)", letters, letterBars)).Append("</figure>\n");
        if (report is not null)
        {
            var rejectBars = report.RejectsByReason.Select(r => new ChartBar(r.Key, [r.Value])).ToList();
            sb.Append("<figure>").Append(SvgChart.Bars("Rejects by reason (inputs and cases)", ["rejects"], rejectBars, "rejects")).Append("</figure>\n");
        }
        sb.Append("</div>\n");

        if (report is not null) Review(sb, report.Review);
        Sheet(sb, context);
        if (report is not null)
        {
            Clusters(sb, report, context);
            Rejects(sb, report, context);
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Accounting(StringBuilder sb, BuildReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append("<h2 id=\"accounting\">Accounting</h2>\n");
        sb.Append("<p class=\"note\">An <b>input</b> is a source file (or a DICOM series, or a volume); an <b>item</b> is a question. " +
                  "Every input discovered is either emitted (it gave at least one item) or rejected. One input can give several items " +
                  "(a mask and a contour per target, several slices of a volume), so reject counts by reason, which count inputs and " +
                  "the cases cut from them, can exceed the rejected inputs.</p>\n<table>\n");
        void Row(string k, string v) => sb.Append(ci, $"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>\n");
        Row("inputs discovered", $"{r.InputsDiscovered} = {r.ItemsEmitted} emitted + {r.InputsRejected} rejected" + (r.NotSampled == 0 ? "" : $" + {r.NotSampled} not sampled") + (r.Unaccounted == 0 ? "" : $" + {r.Unaccounted} UNACCOUNTED"));
        Row("items (questions)", $"{r.Questions} ({string.Join(", ", r.Splits.Select(s => $"{s.Key} {s.Value}"))})");
        Row("rejects (inputs and cases)", $"{r.Rejects.Count} in {r.RejectsByReason.Count} reason(s)");
        Row("files ignored", $"{r.IgnoredFiles} (not images of a supported type)");
        sb.Append("</table>\n<table>\n<tr><th>source</th><th>layout</th><th>inputs discovered</th><th>emitted</th><th>rejected</th><th>items</th><th>ignored</th></tr>\n");
        foreach (var s in r.Sources)
            sb.Append(ci, $"<tr><td>{E(s.Id)}</td><td>{E(s.Layout)}</td><td class=\"n\">{s.Discovered}</td><td class=\"n\">{s.Emitted}</td><td class=\"n\">{s.Rejected}</td><td class=\"n\">{s.Questions}</td><td class=\"n\">{s.Ignored}</td></tr>\n");
        sb.Append("</table>\n");
        foreach (var w in r.Warnings) sb.Append(ci, $"<p class=\"warn\">warning: {E(w)}</p>\n");
        foreach (var i in r.ConfigIssues) sb.Append(ci, $"<p class=\"warn\">configuration problem (source not built): {E(i.ToString())}</p>\n");
    }

    private static void Composition(StringBuilder sb, IReadOnlyList<CompositionRow> rows)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append("<h2 id=\"composition\">Composition against targets</h2>\n");
        sb.Append("<p class=\"note\">Items per task and granularity against the pipeline's <code>curation.targets</code>. " +
                  "<b>Candidates</b> are the items curation could choose from after the per-label cap; a cell with more keeps its target, " +
                  "round-robin over answer labels. A <b>short</b> cell lists the sources that feed it and how many items each gave.</p>\n<table>\n");
        sb.Append("<tr><th>task</th><th>granularity</th><th>target</th><th>candidates</th><th>achieved</th><th>short</th><th>sources (items)</th></tr>\n");
        foreach (var c in rows)
            sb.Append(ci, $"<tr{(c.Short > 0 ? " class=\"short\"" : "")}><td>{E(c.Task)}</td><td>{E(c.Granularity)}</td><td class=\"n\">{c.Target}</td><td class=\"n\">{c.Candidates}</td><td class=\"n\">{c.Achieved}</td><td class=\"n\">{c.Short}</td><td>{E(CompositionText.Sources(c))}</td></tr>\n");
        sb.Append("</table>\n");
    }

    private static void Review(StringBuilder sb, ReviewSummary v)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"<h2 id=\"review\">Review ({E(v.File)})</h2>\n");
        if (v.Decisions == 0 && v.Problems.Count == 0)
        {
            sb.Append("<p>No review decisions yet (<code>gmai review</code> records them).</p>\n");
            return;
        }
        sb.Append(ci, $"<p>{v.Decisions} decision(s) by {E(string.Join(", ", v.Reviewers))}; {v.Lapsed} decision(s) name items not in this build (lapsed). Coverage is the share of the items that stay that a reviewer accepted.</p>\n");
        sb.Append("<table>\n<tr><th>split</th><th>items</th><th>accepted</th><th>rejected</th><th>flagged</th><th>unreviewed</th><th>coverage</th></tr>\n");
        foreach (var (split, c) in v.Splits)
            sb.Append(ci, $"<tr><td>{E(split)}</td><td class=\"n\">{c.Items}</td><td class=\"n\">{c.Accepted}</td><td class=\"n\">{c.Rejected}</td><td class=\"n\">{c.Flagged}</td><td class=\"n\">{c.Unreviewed}</td><td class=\"n\">{c.Coverage.ToString("P1", ci)}</td></tr>\n");
        sb.Append("</table>\n");
        if (v.Disagreements.Count > 0)
        {
            sb.Append(ci, $"<p>Reviewers disagree on {v.Disagreements.Count} item(s); the latest decision applies:</p>\n<ul>\n");
            foreach (var d in v.Disagreements)
                sb.Append(ci, $"<li>item {d.Index} <code>{E(d.Key)}</code>: {E(string.Join(", ", d.Verdicts.Select(x => $"{x.Key} {x.Value}")))}; applied: {E(d.Applied)}</li>\n");
            sb.Append("</ul>\n");
        }
        foreach (var p in v.Problems) sb.Append(ci, $"<p class=\"warn\">{E(p)}</p>\n");
    }

    /// <summary>The contact sheet with captions: a row per granularity, each tile with its source and answer under it.</summary>
    private static void Sheet(StringBuilder sb, OutputContext context)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append("<h2 id=\"samples\">Sample items</h2>\n<p class=\"note\">A row per granularity, sources taken in turn (the same items as samples.png); under each: item index, source and answer.</p>\n");
        foreach (var (granularity, items) in ContactSheet.Rows(context.Questions))
        {
            sb.Append(ci, $"<div class=\"sheet-row\"><div class=\"row-name\">{E(granularity.Text())}</div>\n");
            foreach (var q in items)
            {
                var answer = string.Join(", ", q.Answer.Split(',').Select(l => $"{l}. {q.Options[l[0] - 'A']}"));
                sb.Append(ci, $"<figure class=\"tile\"><img src=\"{DataUri(context.Image(q.Case.ImageSha))}\" alt=\"item {q.Index}\">" +
                              $"<figcaption>#{q.Index} {E(q.Split)}<br>{E(q.Case.SourceId)}<br><b>{E(answer)}</b></figcaption></figure>\n");
            }
            sb.Append("</div>\n");
        }
    }

    private static void Clusters(StringBuilder sb, BuildReport r, OutputContext context)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"<h2 id=\"duplicates\">Duplicate clusters ({r.DuplicateClusters.Count})</h2>\n");
        if (r.DuplicateClusters.Count == 0) sb.Append("<p>None: no two inputs share an image or a near-identical one.</p>\n");
        foreach (var c in r.DuplicateClusters)
        {
            sb.Append(ci, $"<div class=\"cluster\"><p>{E(c.Kind)}: kept <code>{E(c.Kept)}</code>; items removed: {(c.Removed.Count == 0 ? "none (different questions; kept in one split)" : E(string.Join(", ", c.Removed)))}</p>\n");
            foreach (var item in c.Items)
            {
                var img = context.ItemImages.TryGetValue(item, out var sha) ? $"<img src=\"{DataUri(context.Image(sha))}\" alt=\"{E(item)}\">" : "<div class=\"noimg\">no image</div>";
                sb.Append(ci, $"<figure class=\"tile\">{img}<figcaption>{(item == c.Kept ? "<b>kept</b> " : "")}{E(item)}</figcaption></figure>\n");
            }
            sb.Append("</div>\n");
        }
    }

    private static void Rejects(StringBuilder sb, BuildReport r, OutputContext context)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"<h2 id=\"rejects\">Rejects ({r.Rejects.Count})</h2>\n<p class=\"note\">Paths are relative to each source's root (sources.yaml); each links to its file.</p>\n");
        sb.Append("<table class=\"rejects\">\n<tr><th>source</th><th>path</th><th>stage</th><th>reason</th><th>message</th></tr>\n");
        foreach (var x in r.Rejects)
        {
            var link = context.LinkTo(x.SourceId, x.Path);
            var path = link is null ? $"<code>{E(x.Path)}</code>" : $"<a href=\"{E(link)}\"><code>{E(x.Path)}</code></a>";
            sb.Append(ci, $"<tr><td>{E(x.SourceId)}</td><td>{path}</td><td>{E(x.Stage)}</td><td>{E(x.Reason)}</td><td>{E(x.Message)}</td></tr>\n");
        }
        sb.Append("</table>\n");
    }

    /// <summary>A thumbnail (longer side <see cref="Thumb"/>) as a PNG data URI, encoded by the project's own PNG writer.</summary>
    private static string DataUri(byte[] png)
    {
        using var img = Image.Load<Rgb24>(png);
        if (Math.Max(img.Width, img.Height) > Thumb)
            img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(Thumb, Thumb), Mode = ResizeMode.Max, Sampler = KnownResamplers.Bicubic }));
        return "data:image/png;base64," + Convert.ToBase64String(PngWriter.Encode(img));
    }

    private const string Style =
        "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1380px;padding:0 16px;color:#222}" +
        "h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}" +
        "table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}td.n{text-align:right}" +
        ".note{color:#555}.warn{color:#8a5a00}code{font-size:12px}" +
        ".charts{display:flex;flex-wrap:wrap;gap:8px}.charts figure{margin:0}" +
        ".sheet-row,.cluster{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start;margin:8px 0}" +
        ".row-name{width:80px;font-weight:bold;padding-top:50px}.cluster p{width:100%;margin:4px 0}" +
        ".tile{margin:0;width:136px;font-size:11px}.tile img{width:128px;height:128px;object-fit:contain;background:#111;display:block}" +
        ".tile figcaption{word-break:break-all}.noimg{width:128px;height:128px;background:#eee}" +
        "table.rejects td{font-size:12px}";
}

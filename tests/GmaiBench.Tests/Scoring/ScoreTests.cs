using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using GmaiBench.Model;
using GmaiBench.Pipeline;
using GmaiBench.Release;

namespace GmaiBench.Tests.Scoring;

/// <summary>gmai score against a demo release: true answers score 100 %, random ones chance, bad files are named problems.</summary>
public class ScoreTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private sealed record Released(DemoProject Project, string Folder, List<ReleaseItem> Items);

    private static Released? _release;
    private static readonly Lock Gate = new();

    private Released Release()
    {
        lock (Gate)
        {
            if (_release is not null) return _release;
            var project = corpus.NewProject("score");
            var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
            return _release = new Released(project, folder, ReleaseItems.Read(Path.Combine(folder, ReleaseItems.FileName)));
        }
    }

    private static void WriteXlsx(string path, IEnumerable<(long Index, string Prediction)> rows)
    {
        using var doc = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var wb = doc.AddWorkbookPart();
        wb.Workbook = new Workbook();
        var ws = wb.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        Row Line(params object[] cells) => new(cells.Select(c => c is string s
            ? new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(s)) }
            : new Cell { DataType = CellValues.Number, CellValue = new CellValue(Convert.ToDouble(c)) }));
        data.Append(Line("index", "question", "prediction"));
        foreach (var (index, prediction) in rows) data.Append(Line(index, "q", prediction));
        ws.Worksheet = new Worksheet(data);
        wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = 1, Name = "Sheet1" }));
    }

    private static (GmaiBench.Scoring.ScoreReport Report, IReadOnlyList<string> Files) Score(Released r, string predictions, bool publicCopy = false)
    {
        var release = r.Folder;
        if (publicCopy)
        {
            release = Path.Combine(TestData.TempDir("score-public"), "1.0.0");
            foreach (var f in Directory.GetFiles(r.Folder, "*", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(r.Folder, f);
                if (rel.StartsWith("private", StringComparison.Ordinal)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(release, rel))!);
                File.Copy(f, Path.Combine(release, rel));
            }
        }
        return Workflows.Score(r.Project.Config().Settings, predictions, release, TestData.TempDir("score-out"));
    }

    [Fact]
    public void True_answers_score_100_percent_in_every_format_single_and_multi()
    {
        var r = Release();
        var dir = TestData.TempDir("score-formats");
        var val = r.Items.Where(i => i.Split == "VAL" && !i.Answer.Contains(',')).ToList();
        var multi = r.Items.Where(i => i.Answer.Contains(',')).ToList();
        Assert.NotEmpty(multi);

        var xlsx = Path.Combine(dir, "model_GmaiDemo_VAL.xlsx");
        WriteXlsx(xlsx, val.Select(i => ((long)i.Index, i.Answer)));
        var (report, files) = Score(r, xlsx, publicCopy: true);
        Assert.Empty(report.Problems);
        Assert.Equal((val.Count, 1.0), (report.Single.Items, report.Single.Value));
        Assert.All(files, f => Assert.True(File.Exists(f)));
        Assert.Contains("## By department", File.ReadAllText(files[1]));

        var tsv = Path.Combine(dir, "val.tsv");
        File.WriteAllLines(tsv, ["\"index\"\t\"prediction\"", .. val.Select(i => $"\"{i.Index}\"\t\"The answer is {i.Answer}.\"")]);
        Assert.Equal(1.0, Score(r, tsv).Report.Single.Value);
        var csv = Path.Combine(dir, "val.csv");
        File.WriteAllLines(csv, ["index,prediction", .. val.Select(i => $"{i.Index},\"({i.Answer})\"")]);
        Assert.Equal(1.0, Score(r, csv).Report.Single.Value);
        var json = Path.Combine(dir, "val.json");
        File.WriteAllText(json, JsonSerializer.Serialize(new
        {
            index = val.Select((i, k) => (k, i.Index)).ToDictionary(x => x.k.ToString(), x => x.Index),
            prediction = val.Select((i, k) => (k, i.Answer)).ToDictionary(x => x.k.ToString(), x => x.Answer),
        }));
        Assert.Equal(1.0, Score(r, json).Report.Single.Value);

        // Multi-answer items with the private key (TEST included): exact set match.
        var jsonl = Path.Combine(dir, "mc.jsonl");
        File.WriteAllLines(jsonl, multi.Select(i => JsonSerializer.Serialize(new { index = i.Index, prediction = i.Answer })));
        var mc = Score(r, jsonl).Report;
        Assert.Empty(mc.Problems);
        Assert.Equal((multi.Count, 1.0, 1.0), (mc.MultiExact.Items, mc.MultiExact.Value, mc.MultiPartial.Value));
    }

    [Fact]
    public void Random_predictions_land_near_chance_and_scores_break_down_by_every_node()
    {
        var r = Release();
        var test = r.Items.Where(i => i.Split == "TEST" && !i.Answer.Contains(',')).ToList();
        var rng = new Prng(7);
        var path = Path.Combine(TestData.TempDir("score-random"), "random.tsv");
        File.WriteAllLines(path, ["index\tprediction", .. test.Select(i => $"{i.Index}\t{(char)('A' + rng.NextInt(i.Options.Count))}")]);
        var report = Score(r, path).Report;
        Assert.Empty(report.Problems);
        var chance = report.Baselines["random guess"];
        Assert.InRange(report.Single.Value, chance - 0.08, chance + 0.08);
        Assert.Equal(["department", "granularity", "label", "modality", "source", "task"], report.ByNode.Keys);
        Assert.Equal(test.Count, report.ByNode["department"].Values.Sum(a => a.Items));
        Assert.All(report.ByNode.Values.SelectMany(n => n.Values), a => Assert.True(a.Low <= a.Value && a.Value <= a.High));
    }

    [Fact]
    public void Unknown_missing_duplicated_and_unreadable_predictions_are_named_problems()
    {
        var r = Release();
        var val = r.Items.Where(i => i.Split == "VAL" && !i.Answer.Contains(',')).ToList();
        var dir = TestData.TempDir("score-bad");
        var path = Path.Combine(dir, "bad.tsv");
        File.WriteAllLines(path, ["index\tprediction", $"{val[0].Index}\tA", $"{val[0].Index}\tB", "999999\tC", "seven\tD"]);
        var report = Score(r, path).Report;
        Assert.Contains(report.Problems, p => p.Contains($"index {val[0].Index} was already predicted", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("index 999999 is not an item of this release", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("index 'seven' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains($"{val.Count - 1} item(s) of VAL have no prediction and count as wrong", StringComparison.Ordinal));
        Assert.Equal(val.Count, report.Single.Items);

        var broken = Path.Combine(dir, "broken.xlsx");
        File.WriteAllText(broken, "not a spreadsheet");
        Assert.Contains(Score(r, broken).Report.Problems, p => p.StartsWith("broken.xlsx: cannot be read", StringComparison.Ordinal));
        var noColumn = Path.Combine(dir, "nocolumn.csv");
        File.WriteAllLines(noColumn, ["idx,answer", "1,A"]);
        Assert.Contains(Score(r, noColumn).Report.Problems, p => p.Contains("no 'index' column", StringComparison.Ordinal));
        // Without private/, a TEST index cannot be scored and says why.
        var testIndex = r.Items.First(i => i.Split == "TEST").Index;
        var testOnly = Path.Combine(dir, "test.tsv");
        File.WriteAllLines(testOnly, ["index\tprediction", $"{testIndex}\tA"]);
        Assert.Contains(Score(r, testOnly, publicCopy: true).Report.Problems, p => p.Contains("TEST answers need the release's private/ folder", StringComparison.Ordinal));
    }
}

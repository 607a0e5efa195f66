using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Pipeline;
using GmaiBench.Questions;
using GmaiBench.Taxonomy;

namespace GmaiBench.Release;

/// <summary>The report of a custom evaluation set: the expression that cut it and what it holds.</summary>
public sealed record SubsetReport(
    string Expression, string Benchmark, int Items, int OfItems,
    IReadOnlyDictionary<string, int> Splits,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Distributions,
    IReadOnlyList<string> Outputs);

/// <summary>
/// Cuts a custom evaluation set from the last build (the catalog's questions and the object store) by a
/// <see cref="SubsetExpression"/> and writes it in the same formats as a full build, indices kept.
/// </summary>
public static class SubsetOutput
{
    public static IReadOnlyList<Question> LastBuild(PipelineSettings settings)
    {
        var path = Path.Combine(settings.WorkDir, "catalog.sqlite");
        if (!File.Exists(path)) throw new InvalidOperationException($"no build found ({path} does not exist); run gmai build first");
        using var db = CatalogDb.Open(path);
        var questions = new CatalogStore(db).Questions();
        if (questions.Count == 0) throw new InvalidOperationException("the last build emitted no items; run gmai build first");
        return questions;
    }

    public static (string Folder, SubsetReport Report) Write(PipelineSettings settings, LabelTaxonomy taxonomy, string expression, string? folder)
    {
        var all = LastBuild(settings);
        var where = SubsetExpression.Parse(expression, taxonomy, all.Select(q => q.Case.SourceId).Distinct().ToList());
        var selected = all.Where(where.Matches).ToList();
        var final = folder ?? Path.Combine(settings.OutputDir, settings.Name + "-subset");
        var temp = BuildOutput.Incomplete(final);
        var outputs = BuildOutput.WriteBenchmark(temp, settings.DisplayName + "_subset", selected, new ObjectStore(Path.Combine(settings.WorkDir, "objects")));
        outputs.Add("subset-report.json");
        var report = new SubsetReport(expression, settings.Name, selected.Count, all.Count,
            QuestionStats.Splits(selected), QuestionStats.Distributions(selected),
            outputs);
        File.WriteAllText(Path.Combine(temp, "subset-report.json"), JsonSerializer.Serialize(report, BuildOutput.Json) + "\n", TsvFormat.Utf8);
        return (BuildOutput.Publish(temp, final), report);
    }
}

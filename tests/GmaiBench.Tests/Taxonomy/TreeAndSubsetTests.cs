using Dapper;
using GmaiBench.Catalog;
using GmaiBench.Release;
using GmaiBench.Taxonomy;
using GmaiBench.Tests.Release;
using GmaiBench.Model;
using GmaiBench.Pipeline;

namespace GmaiBench.Tests.Taxonomy;

/// <summary>A demo build for the read-only subset checks.</summary>
public sealed class SubsetFixture
{
    public DemoProject Project { get; } = new("subset-shared");
    public GmaiBench.Pipeline.BuildResult Build { get; }

    public SubsetFixture() => Build = Project.Build();
}

public class TreeAndSubsetTests(DemoCorpusFixture corpus, SubsetFixture fx) : IClassFixture<DemoCorpusFixture>, IClassFixture<SubsetFixture>
{
    [Fact]
    public void A_subset_by_department_and_granularity_holds_exactly_the_matching_items_and_loads_like_a_build()
    {
        var project = corpus.NewProject("subset");
        var build = project.Build();
        var config = project.Config();
        var (folder, report) = Workflows.Subset(config, "department = Ophthalmology and granularity = 'image'", null);

        List<string> expected;
        using (var db = CatalogDb.Open(build.Work.CatalogPath))
            expected = db.Connection.Query<string>(
                "SELECT q.key FROM questions q, json_each(q.departments) d WHERE d.value = 'O' AND q.granularity = 'image' ORDER BY q.idx").ToList();
        Assert.True(expected.Count > 30, $"{expected.Count} items");
        Assert.Equal(build.Questions.Count(q => q.Case.Departments.Contains("O") && q.Case.Granularity == Granularity.Image), expected.Count);
        Assert.Equal(expected.Count, report.Items);
        Assert.Equal("department = Ophthalmology and granularity = 'image'", report.Expression);
        Assert.Contains("department = Ophthalmology", File.ReadAllText(Path.Combine(folder, "subset-report.json")));

        var check = ParquetCheck.Read(Path.Combine(folder, "GmaiDemo_subset.parquet"));
        Assert.Equal(expected.Count, check.Rows);
        Assert.Equal("STRUCT(bytes BLOB, path VARCHAR)", check.Types["image"]);
        var rows = TsvFormat.Parse(File.ReadAllText(Path.Combine(folder, "GmaiDemo_subset.tsv")));
        Assert.Equal(BenchmarkTsv.Columns(true), rows[0]);
        Assert.Equal(expected.Count, rows.Count - 1);
        var fullIndexes = build.Questions.Where(q => expected.Contains(q.Key)).Select(q => (long)q.Index).ToList();
        Assert.Equal(fullIndexes, check.Indexes);
        Assert.All(rows.Skip(1), r => Assert.Equal("Ophthalmology", r[Array.IndexOf(rows[0], "department")]));
    }

    public static TheoryData<string, string> Expressions => new()
    {
        { "task = DD and not modality = 'X-ray'", "dd-not-xray" },
        { "modality in (fundus, dermatoscopy)", "fundus-or-derm" },
        { "label = 'lung nodule' or label = AMD", "amd" },
        { "(source = demo-fundus or source = demo-dermoscopy) and split = VAL", "fundus-derm-val" },
        { "department != Ophthalmology and granularity = image", "not-eye-image" },
        { "label = kidney and (granularity = mask or granularity = contour)", "kidney-seg" },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Expressions_combine_fields_with_and_or_not(string expression, string meaning)
    {
        var build = fx.Build;
        Func<GmaiBench.Model.Question, bool> expected = meaning switch
        {
            "dd-not-xray" => q => q.Case.Task == "DD" && q.Case.Modality != "X-ray",
            "fundus-or-derm" => q => q.Case.Modality is "Fundus Photography" or "Dermoscopy",
            "amd" => q => q.AnswerLabels.Contains("age-related-macular-degeneration") || q.AnswerLabels.Contains("pulmonary-nodule"),
            "fundus-derm-val" => q => q.Split == "VAL" && q.Case.SourceId is "demo-fundus" or "demo-dermoscopy",
            "not-eye-image" => q => !q.Case.Departments.Contains("O") && q.Case.Granularity == Granularity.Image,
            _ => q => q.AnswerLabels.Contains("kidney") && q.Case.Granularity is Granularity.Mask or Granularity.Contour,
        };
        var where = SubsetExpression.Parse(expression, fx.Project.Config().Taxonomy, ["demo-fundus", "demo-dermoscopy", "demo-chest-xray"]);
        var n = build.Questions.Count(where.Matches);
        Assert.True(n > 0, expression);
        Assert.Equal(build.Questions.Count(expected), n);
    }

    [Theory]
    [InlineData("departement = O", "unknown field 'departement'", "department")]
    [InlineData("department = Ophtalmology", "unknown department 'Ophtalmology'", "Ophthalmology")]
    [InlineData("modality = 'Fundus Photograpy'", "unknown modality", "Fundus Photography")]
    [InlineData("task = DD and", "ends where", "")]
    [InlineData("task = 'DD", "unclosed quote", "")]
    public void Unknown_fields_and_values_suggest_the_closest(string expression, string message, string suggestion)
    {
        var t = LabelTaxonomy.Load(TestData.Taxonomy);
        var e = Assert.Throws<SubsetExpressionException>(() => SubsetExpression.Parse(expression, t, ["demo-fundus"]));
        Assert.Contains(message, e.Message);
        Assert.Contains(suggestion, e.Message);
    }

    [Fact]
    public void Editing_a_synonym_and_rebuilding_decodes_nothing_and_changes_the_mapping()
    {
        var project = corpus.NewProject("synonym");
        var first = project.Build();
        Assert.Contains(first.Report.Rejects, r => r.Reason == "unmapped-label");
        var thorax = project.PathOf("label-taxonomy/labels/thorax.yaml");
        File.WriteAllText(thorax, File.ReadAllText(thorax).Replace("synonyms: [lung infection,", "synonyms: [ground-glass halo sign, lung infection,"));
        var second = project.Build();
        Assert.Equal(0, second.Report.Decoded);
        Assert.DoesNotContain(second.Report.Rejects, r => r.Reason == "unmapped-label");
        Assert.Equal(first.Report.ItemsEmitted + 1, second.Report.ItemsEmitted);
        Assert.NotEqual(first.Report.Fingerprints["taxonomy"], second.Report.Fingerprints["taxonomy"]);
    }

    [Fact]
    public void The_tree_counts_every_item_under_each_subject()
    {
        var project = corpus.NewProject("tree");
        var build = project.Build();
        var tree = LexicalTree.Build(build.Questions, project.Config().Taxonomy);
        Assert.Equal(["clinical VQA task", "department", "perceptual granularity"], tree.Select(t => t.Name));
        var tasks = tree[0];
        Assert.Equal(18, tasks.Children.Count);
        Assert.Equal(build.Questions.Count, tasks.Children.Sum(c => c.Items));
        var dd = tasks.Children.Single(c => c.Name == "Disease Diagnosis (DD)");
        Assert.Equal(dd.Items, dd.Children.Sum(m => m.Items));
        var fundus = dd.Children.Single(m => m.Name == "Fundus Photography");
        Assert.Equal(["age-related macular degeneration", "diabetic retinopathy", "glaucoma", "normal"], fundus.Children.Select(l => l.Name));
        var text = LexicalTree.Text(tree);
        Assert.Contains($"  Ophthalmology [{build.Questions.Count(q => q.Case.Departments.Contains("O"))}]", text);
    }
}

using GmaiBench.Taxonomy;

namespace GmaiBench.Tests.Taxonomy;

public class TaxonomyTests
{
    [Fact]
    public void The_taxonomy_holds_the_published_tree()
    {
        var t = LabelTaxonomy.Load(TestData.Taxonomy);
        Assert.Equal(18, t.Tasks.Count);
        Assert.Equal(19, t.Departments.Count);
        Assert.Contains(t.Departments, d => d.Id == "None");
        Assert.Equal(38, t.Modalities.Count);
        Assert.Equal(["image", "box", "mask", "contour"], t.Granularities.Select(g => g.Id));
        Assert.Equal("CT", t.Modality("computed tomography"));
        Assert.Equal("Fundus Photography", t.Modality("FUNDUS"));
        Assert.True(Directory.GetFiles(Path.Combine(TestData.Taxonomy, "labels"), "*.yaml").Length >= 5);
        Assert.All(t.Pools.Where(p => p.Task == "*" || p.Task == "DD"), p => Assert.True(p.Templates.Count >= 5, p.Key));
        Assert.True(t.Related("pneumonia", "covid-19"));
        Assert.True(t.Related("covid-19", "pneumonia"));
        Assert.False(t.Related("pneumonia", "pneumothorax"));
    }

    private static (string Dir, Func<IReadOnlyList<GmaiBench.Configuration.ConfigIssue>> Load) Copy()
    {
        var dir = Path.Combine(TestData.TempDir("taxonomy"), "label-taxonomy");
        TestData.CopyDirectory(TestData.Taxonomy, dir);
        return (dir, () => LabelTaxonomy.TryLoad(dir).Issues);
    }

    [Fact]
    public void Validation_rejects_unknown_task_and_department_with_file_and_line()
    {
        var (dir, load) = Copy();
        var file = Path.Combine(dir, "labels", "zz-extra.yaml");
        File.WriteAllText(file, "labels:\n  - id: widget\n    name: widget\n    task: XYZ\n    departments: [Cardiology]\n");
        var issues = load();
        Assert.Contains(issues, i => i.File == file && i.Line == 4 && i.Field == "labels[0](widget).task" && i.Message.Contains("unknown task 'XYZ'"));
        Assert.Contains(issues, i => i.File == file && i.Line == 5 && i.Message.Contains("unknown department 'Cardiology'"));
    }

    [Fact]
    public void Validation_rejects_one_synonym_claimed_by_two_labels()
    {
        var (dir, load) = Copy();
        var file = Path.Combine(dir, "labels", "zz-extra.yaml");
        File.WriteAllText(file, "labels:\n  - {id: lung-spot, name: lung spot, synonyms: [lung nodule]}\n");
        var issue = Assert.Single(load());
        Assert.Equal(file, issue.File);
        Assert.Equal(2, issue.Line);
        Assert.Contains("'lung nodule' is also claimed by label 'pulmonary-nodule'", issue.Message);
    }

    [Fact]
    public void Validation_rejects_bad_templates_with_their_line()
    {
        var (dir, load) = Copy();
        var file = Path.Combine(dir, "templates.yaml");
        var text = File.ReadAllText(file)
            .Replace("\"Based on this {modality} image, which diagnosis is most appropriate?\"", "\"Based on this image, which diagnosis is most appropriate?\"")
            .Replace("\"What does the red box in this {modality} image mark?\"", "\"What does the frame in this {modality} image mark?\"")
            .Replace("\"Given the {modality} image, which of the following is the correct diagnosis?\"", "\"Given the {modality} image, is this glaucoma?\"");
        File.WriteAllText(file, text);
        var issues = load();
        var lines = File.ReadAllLines(file);
        int LineOf(string s) => Array.FindIndex(lines, l => l.Contains(s)) + 1;
        Assert.Contains(issues, i => i.File == file && i.Line == LineOf("Based on this image") && i.Message.Contains("no {modality} placeholder"));
        Assert.Contains(issues, i => i.Line == LineOf("the frame in this") && i.Message.Contains("must name its marking"));
        Assert.Contains(issues, i => i.Line == LineOf("is this glaucoma") && i.Message.Contains("label 'glaucoma'"));
        Assert.Equal(3, issues.Count);
    }
}

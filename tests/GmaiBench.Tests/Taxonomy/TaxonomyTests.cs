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

    [Fact]
    public void The_label_catalogue_reaches_every_department_task_and_body_region_it_should()
    {
        var t = LabelTaxonomy.Load(TestData.Taxonomy);
        Assert.True(t.Labels.Count >= 500, $"{t.Labels.Count} labels");
        foreach (var d in t.Departments.Where(d => d.Id != "None"))
            Assert.True(t.Labels.Count(l => l.Departments.Contains(d.Id)) >= 5, $"department {d.Id} has fewer than 5 labels");
        // Counting (C) and image quality grading (IQG) are asked of whole images, not named by a structure label.
        foreach (var task in t.Tasks.Where(x => x.Id is not ("C")))
            Assert.True(t.Labels.Any(l => l.Task == task.Id), $"no label under task {task.Id}");
        Assert.All(t.Labels, l => Assert.False(string.IsNullOrWhiteSpace(l.Region), l.Id));
        Assert.True(t.Labels.Count(l => l.Codes.Count > 0) >= 250, $"{t.Labels.Count(l => l.Codes.Count > 0)} labels carry a code");
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
        File.WriteAllText(file, "labels:\n  - {id: lung-spot, name: lung spot, synonyms: [lung nodule], region: thorax, task: DD}\n");
        var issue = Assert.Single(load());
        Assert.Equal(file, issue.File);
        Assert.Equal(2, issue.Line);
        Assert.Contains("'lung nodule' is also claimed by label 'pulmonary-nodule'", issue.Message);
    }

    private static IReadOnlyList<GmaiBench.Configuration.ConfigIssue> LoadWithExtra(string yaml, out string file)
    {
        var (dir, load) = Copy();
        file = Path.Combine(dir, "labels", "zz-extra.yaml");
        File.WriteAllText(file, yaml);
        return load();
    }

    [Fact]
    public void Validation_rejects_a_label_id_defined_twice()
    {
        var issues = LoadWithExtra("labels:\n  - {id: liver, name: hepar, region: abdomen, task: OR-A}\n", out var file);
        var issue = Assert.Single(issues);
        Assert.Equal((file, 2), (issue.File, issue.Line));
        Assert.Contains("duplicate label id; first defined in", issue.Message);
        Assert.Contains("abdomen.yaml", issue.Message);
    }

    [Fact]
    public void Validation_rejects_one_abbreviation_naming_two_labels()
    {
        var issue = Assert.Single(LoadWithExtra("labels:\n  - {id: lv-thrombus, name: thrombus of the ventricle, abbreviations: [LV], region: thorax, task: DD}\n", out _));
        Assert.Contains("'LV' is also claimed by label 'left-ventricle'", issue.Message);
    }

    [Fact]
    public void Validation_rejects_an_unknown_parent_with_suggestions()
    {
        var issue = Assert.Single(LoadWithExtra("labels:\n  - {id: hepatic-granuloma, name: hepatic granuloma, parent: livr, region: abdomen, task: DD}\n", out var file));
        Assert.Equal((file, 2, "labels(hepatic-granuloma).parent"), (issue.File, issue.Line, issue.Field));
        Assert.Contains("unknown parent label 'livr' (did you mean: liver", issue.Message);
    }

    [Fact]
    public void Validation_rejects_a_parent_cycle_naming_the_chain()
    {
        var issues = LoadWithExtra(
            "labels:\n" +
            "  - {id: loop-a, name: loop a, parent: loop-b, region: abdomen, task: DD}\n" +
            "  - {id: loop-b, name: loop b, parent: loop-a, region: abdomen, task: DD}\n" +
            "  - {id: loop-self, name: loop self, parent: loop-self, region: abdomen, task: DD}\n", out var file);
        Assert.Equal(3, issues.Count);
        Assert.Contains(issues, i => i.Line == 2 && i.Message == "parent chain returns to itself: loop-a -> loop-b -> loop-a");
        Assert.Contains(issues, i => i.Line == 3 && i.Message == "parent chain returns to itself: loop-b -> loop-a -> loop-b");
        Assert.Contains(issues, i => i.Line == 4 && i.Message == "parent chain returns to itself: loop-self -> loop-self");
        Assert.All(issues, i => Assert.Equal(file, i.File));
    }

    [Fact]
    public void Validation_requires_a_task_and_a_body_region_on_every_label()
    {
        var issues = LoadWithExtra("labels:\n  - {id: widget, name: widget}\n  - {id: gadget, name: gadget, task: DD, region: \"\"}\n", out var file);
        Assert.Contains(issues, i => i.File == file && i.Line == 2 && i.Field == "labels[0](widget).task" && i.Message.Contains("is required"));
        Assert.Contains(issues, i => i.File == file && i.Line == 2 && i.Field == "labels[0](widget).region" && i.Message.Contains("is required"));
        Assert.Contains(issues, i => i.File == file && i.Line == 3 && i.Field == "labels[1](gadget).region" && i.Message.Contains("must not be empty"));
        Assert.Equal(3, issues.Count);
    }

    [Fact]
    public void Label_codes_are_loaded_checked_for_form_and_owned_by_one_label()
    {
        var t = LabelTaxonomy.Load(TestData.Taxonomy);
        Assert.Equal("D008099", t.Label("liver")!.Codes["mesh"]);
        Assert.Equal("10200004", t.Label("liver")!.Codes["snomed"]);
        var issues = LoadWithExtra(
            "labels:\n" +
            "  - {id: hepar, name: hepar, mesh: D008099, region: abdomen, task: OR-A}\n" +
            "  - {id: widget, name: widget, mesh: 8099, radlex: RID, fma: 7197, snomed: SCT10200004, region: abdomen, task: OR-A}\n", out _);
        Assert.Contains(issues, i => i.Line == 2 && i.Field == "labels(hepar).mesh" && i.Message.Contains("mesh:D008099 is also the code of label 'liver'"));
        foreach (var scheme in new[] { "mesh", "radlex", "fma", "snomed" })
            Assert.Contains(issues, i => i.Line == 3 && i.Field == $"labels[1](widget).{scheme}" && i.Message.Contains($"is not a {scheme} code"));
        Assert.Equal(5, issues.Count);
    }

    [Fact]
    public void Validation_rejects_a_template_pool_no_item_can_reach()
    {
        var (dir, load) = Copy();
        var file = Path.Combine(dir, "templates.yaml");
        File.AppendAllText(file,
            "  - task: Organ Recognition\n    granularity: mask\n    templates: [\"Which organ does the red mask in this {modality} image cover?\"]\n" +
            "  - task: DD\n    granularity: polygon\n    templates: [\"Which finding does the red polygon in this {modality} image mark?\"]\n" +
            "  - task: DD\n    granularity: image\n    modality: Thermography\n    templates: [\"Which finding does this {modality} image show?\"]\n");
        var issues = load();
        Assert.Contains(issues, i => i.File == file && i.Message.Contains("unknown task 'Organ Recognition'") && i.Message.Contains("did you mean"));
        Assert.Contains(issues, i => i.File == file && i.Message.Contains("unknown granularity 'polygon'"));
        Assert.Contains(issues, i => i.File == file && i.Message.Contains("unknown modality 'Thermography'"));
        Assert.True(issues.Count == 3, string.Join("\n", issues));
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

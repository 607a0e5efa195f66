using GmaiBench.Configuration;
using GmaiBench.Pipeline;
using GmaiBench.Sources;

namespace GmaiBench.Tests.Sources;

public class SourcesFileTests
{
    private static (IReadOnlyList<SourceDefinition> Sources, IReadOnlyList<ConfigIssue> Issues, string Path) Load(string yaml, Action<string>? prepare = null)
    {
        var dir = TestData.TempDir("sources");
        Directory.CreateDirectory(Path.Combine(dir, "data", "cls"));
        File.WriteAllText(Path.Combine(dir, "data", "labels.csv"), "file,label\ncls/a.png,normal\n");
        prepare?.Invoke(dir);
        var path = Path.Combine(dir, "sources.yaml");
        File.WriteAllText(path, yaml);
        var (sources, issues) = SourcesFile.TryLoad(path);
        return (sources, issues, path);
    }

    private const string Valid = """
        version: 1
        sources:
          - id: good
            name: Good
            license: CC0-1.0
            layout: image-folder
            root: data
            modality: CT
            task: DD
        """;

    [Fact]
    public void A_valid_entry_loads_with_its_root_resolved_against_the_file()
    {
        var (sources, issues, path) = Load(Valid);
        Assert.Empty(issues);
        var s = Assert.Single(sources);
        Assert.Equal("good", s.Id);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "data"), s.Root);
        Assert.Equal("image-folder", s.Layout.Name);
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_file_line_and_field()
    {
        var yaml = """
            version: 1
            sources:
              - id: bad-one
                name: Bad
                license: CC0-1.0
                layout: image-foldr
                root: data
                modality: CT
                task: DD
                colour: red
              - id: bad-two
                license: CC0-1.0
                layout: csv-labels
                root: nowhere
                modality: CT
                task: DD
                options: {table: labels.csv}
              - id: bad-three
                name: Three
                license: CC0-1.0
                layout: csv-labels
                root: data
                modality: CT
                task: DD
                options: {table: ../../etc/passwd, label_column: diagnosis}
            """;
        var (sources, issues, path) = Load(yaml);
        Assert.Empty(sources);
        Assert.All(issues, i => Assert.Equal(path, i.File));
        var byField = issues.ToDictionary(i => i.Field, i => i);
        Assert.Contains("image-folder", byField["sources[0](bad-one).layout"].Message);
        Assert.Contains("did you mean", byField["sources[0](bad-one).layout"].Message);
        Assert.Equal(6, byField["sources[0](bad-one).layout"].Line);
        Assert.Equal(10, byField["sources[0](bad-one).colour"].Line);
        Assert.Contains("is required", byField["sources[1](bad-two).name"].Message);
        Assert.Contains("folder not found", byField["sources[1](bad-two).root"].Message);
        Assert.Equal(14, byField["sources[1](bad-two).root"].Line);
        Assert.Contains("escapes the source root", byField["sources[2](bad-three).options.table"].Message);
    }

    [Fact]
    public void A_mistyped_field_names_what_was_expected()
    {
        var (_, issues, _) = Load(Valid.Replace("name: Good", "name: [a, b]") + "\n    options: 5\n");
        Assert.Contains(issues, i => i.Field.EndsWith(".name") && i.Message.Contains("expected a text value"));
        Assert.Contains(issues, i => i.Field.EndsWith(".options") && i.Message.Contains("expected a mapping"));
    }

    [Fact]
    public void A_csv_column_missing_from_the_table_is_named_with_the_columns_it_has()
    {
        var yaml = Valid.Replace("layout: image-folder", "layout: csv-labels") + "\n    options: {table: labels.csv, label_column: finding}\n";
        var (_, issues, _) = Load(yaml);
        var issue = Assert.Single(issues);
        Assert.Contains("column 'finding' is not in labels.csv", issue.Message);
        Assert.Contains("file, label", issue.Message);
    }

    [Fact]
    public void A_yaml_syntax_error_gives_its_line()
    {
        var (_, issues, _) = Load("version: 1\nsources:\n  - id: x\n    name: [unclosed\n");
        var issue = Assert.Single(issues);
        Assert.Equal("(syntax)", issue.Field);
        Assert.True(issue.Line >= 4, $"line {issue.Line}");
    }

    [Fact]
    public void Duplicate_ids_and_bad_ids_are_errors()
    {
        var yaml = Valid + "\n" + Valid.Split("sources:\n")[1].Replace("id: good", "id: good") + "\n" + Valid.Split("sources:\n")[1].Replace("id: good", "id: Bad Id");
        var (_, issues, _) = Load(yaml);
        Assert.Contains(issues, i => i.Message.Contains("duplicate source id 'good'"));
        Assert.Contains(issues, i => i.Field.EndsWith(".id") && i.Message.Contains("lower-case"));
    }

    [Fact]
    public void Unknown_top_level_keys_and_versions_are_errors()
    {
        var (_, issues, _) = Load(Valid.Replace("version: 1", "version: 2\nsorces: []"));
        Assert.Contains(issues, i => i.Field == "version" && i.Message.Contains("unsupported version 2"));
        Assert.Contains(issues, i => i.Field == "sorces" && i.Message.Contains("did you mean: sources"));
    }

    [Fact]
    public void Validation_against_the_taxonomy_rejects_unknown_modality_task_department_and_label_targets()
    {
        var dir = TestData.TempDir("xcheck");
        TestData.CopyDirectory(TestData.Taxonomy, Path.Combine(dir, "label-taxonomy"));
        Directory.CreateDirectory(Path.Combine(dir, "pipelines"));
        File.Copy(Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml"), Path.Combine(dir, "pipelines", "demo.yaml"));
        Directory.CreateDirectory(Path.Combine(dir, "data", "a"));
        File.WriteAllText(Path.Combine(dir, "sources.yaml"), """
            version: 1
            sources:
              - {id: s1, name: S1, license: MIT, layout: image-folder, root: data, modality: Xray-ish, task: Diagnosis, department: Cardiology, labels: {foo: not-a-label}}
              - {id: s2, name: S2, license: MIT, layout: image-folder, root: data, modality: computed tomography, task: Disease Diagnosis, department: PM}
            """);
        var config = ProjectConfig.Load(ProjectPaths.Default(dir));
        Assert.Empty(config.FatalIssues);
        var s2 = Assert.Single(config.Sources);
        Assert.Equal("CT", s2.Modality);
        Assert.Equal("DD", s2.Task);
        Assert.Equal(["PM"], s2.Departments);
        var fields = config.SourceIssues.Select(i => i.Field).ToList();
        Assert.Contains("sources[?](s1).modality", fields);
        Assert.Contains("sources[?](s1).task", fields);
        Assert.Contains("sources[?](s1).departments", fields);
        Assert.Contains("sources[?](s1).labels.foo", fields);
        Assert.All(config.SourceIssues, i => Assert.Equal("s1", ProjectConfig.SourceOf(i)));
    }

    private const string CatalogueEntry = """
        version: 1
        sources:
          - id: cat
            name: A catalogue entry
            license: CC0-1.0
            layout: image-folder
            modality: CT
            task: DD
        """;

    private static (IReadOnlyList<SourceDefinition> Sources, IReadOnlyList<ConfigIssue> Issues, string Dir) LoadWithCatalogue(string yaml, params (string Path, string Text)[] catalogue)
    {
        string dir = "";
        var (sources, issues, _) = Load(yaml, d =>
        {
            dir = d;
            foreach (var (path, text) in catalogue)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(d, path))!);
                File.WriteAllText(Path.Combine(d, path), text);
            }
        });
        return (sources, issues, dir);
    }

    [Fact]
    public void An_include_reads_a_catalogue_entry_with_the_root_it_is_given()
    {
        var (sources, issues, dir) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/cat.yaml\n    root: data\n", ("catalogue/cat.yaml", CatalogueEntry));
        Assert.Empty(issues);
        var s = Assert.Single(sources);
        Assert.Equal("cat", s.Id);
        // root: is relative to the file that writes it (the including sources.yaml), not to the catalogue file.
        Assert.Equal(Path.Combine(dir, "data"), s.Root);
        Assert.Equal(Path.Combine(dir, "catalogue", "cat.yaml"), s.File);
    }

    [Fact]
    public void Included_and_local_entries_mix_and_the_loader_lists_every_file_it_read()
    {
        var dir = "";
        var (sources, issues, _) = Load(Valid + "\n  - include: catalogue/cat.yaml\n    root: data\n", d =>
        {
            dir = d;
            Directory.CreateDirectory(Path.Combine(d, "catalogue"));
            File.WriteAllText(Path.Combine(d, "catalogue", "cat.yaml"), CatalogueEntry);
        });
        Assert.Empty(issues);
        Assert.Equal(["good", "cat"], sources.Select(s => s.Id));
        var loaded = SourcesFile.TryLoadWithFiles(Path.Combine(dir, "sources.yaml"));
        Assert.Equal([Path.Combine(dir, "sources.yaml"), Path.Combine(dir, "catalogue", "cat.yaml")], loaded.Files);
    }

    [Fact]
    public void A_missing_included_file_is_an_error_at_the_include()
    {
        var (sources, issues, _) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/nope.yaml\n    root: data\n");
        Assert.Empty(sources);
        var issue = Assert.Single(issues);
        Assert.EndsWith("sources.yaml", issue.File);
        Assert.Equal(3, issue.Line);
        Assert.Contains("included file not found", issue.Message);
        Assert.Contains(Path.Combine("catalogue", "nope.yaml"), issue.Message);
    }

    [Fact]
    public void An_included_entry_without_a_root_asks_for_one()
    {
        var (_, issues, _) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/cat.yaml\n", ("catalogue/cat.yaml", CatalogueEntry));
        var issue = Assert.Single(issues);
        Assert.Equal("sources[1](cat).root", issue.Field);
        Assert.Contains("the folder of the downloaded dataset", issue.Message);
    }

    [Fact]
    public void An_include_root_that_does_not_exist_names_the_folder()
    {
        var (_, issues, _) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/cat.yaml\n    root: downloads/cat\n", ("catalogue/cat.yaml", CatalogueEntry));
        var issue = Assert.Single(issues);
        Assert.Contains("folder not found", issue.Message);
        Assert.Contains(Path.Combine("downloads", "cat"), issue.Message);
    }

    [Fact]
    public void Including_the_same_entry_twice_is_a_duplicate_id()
    {
        var (sources, issues, _) = LoadWithCatalogue(
            "version: 1\nsources:\n  - include: catalogue/cat.yaml\n    root: data\n  - include: catalogue/cat.yaml\n    root: data\n",
            ("catalogue/cat.yaml", CatalogueEntry));
        Assert.Single(sources);
        var issue = Assert.Single(issues);
        Assert.Contains("duplicate source id 'cat' (first defined at", issue.Message);
    }

    [Fact]
    public void An_include_cycle_is_an_error_naming_the_files()
    {
        var (_, issues, _) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/a.yaml\n",
            ("catalogue/a.yaml", "version: 1\nsources:\n  - include: b.yaml\n"),
            ("catalogue/b.yaml", "version: 1\nsources:\n  - include: a.yaml\n"));
        var issue = Assert.Single(issues);
        Assert.EndsWith("b.yaml", issue.File);
        Assert.Contains("include cycle: a.yaml -> b.yaml -> a.yaml", issue.Message);
    }

    [Fact]
    public void A_root_override_on_a_file_of_several_entries_is_refused()
    {
        var two = CatalogueEntry + "\n" + CatalogueEntry.Split("sources:\n")[1].Replace("id: cat", "id: cat2");
        var (_, issues, _) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/two.yaml\n    root: data\n", ("catalogue/two.yaml", two));
        Assert.Contains(issues, i => i.Message.Contains("root: can only point an include at one dataset") && i.File.EndsWith("sources.yaml"));
    }

    [Fact]
    public void An_include_takes_no_other_keys()
    {
        var (_, issues, _) = LoadWithCatalogue("version: 1\nsources:\n  - include: catalogue/cat.yaml\n    root: data\n    modality: MRI\n", ("catalogue/cat.yaml", CatalogueEntry));
        Assert.Contains(issues, i => i.Field.StartsWith("sources[0]") && i.Message.Contains("modality"));
    }
}

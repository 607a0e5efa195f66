namespace GmaiBench.Tests.Architecture;

/// <summary>Data flows one way through src/ (see ARCHITECTURE.md): no module cycle, and only the CLI imports Pipeline.</summary>
public class ModuleGraphTests
{
    private static string Src => Path.Combine(TestData.RepoRoot, "src");

    [Fact]
    public void Src_has_no_module_cycle()
    {
        var cycles = ModuleGraph.Cycles(ModuleGraph.Of(Src));
        Assert.True(cycles.Count == 0, "module cycles: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void Only_the_cli_imports_the_pipeline()
    {
        var importers = ModuleGraph.Of(Src).Where(kv => kv.Value.Contains("Pipeline")).Select(kv => kv.Key).ToList();
        Assert.Equal(["Cli"], importers);
    }

    [Fact]
    public void Leaves_import_nothing_of_the_project()
    {
        var graph = ModuleGraph.Of(Src);
        foreach (var leaf in new[] { "Model", "Imaging", "Configuration" })
            Assert.True(graph[leaf].Count == 0, $"{leaf} imports {string.Join(", ", graph[leaf])}");
        Assert.Equal(["Model"], graph["Catalog"]);
    }

    [Fact]
    public void A_cycle_through_usings_or_qualified_names_is_found()
    {
        var root = TestData.TempDir("module-graph");
        void Write(string path, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllText(Path.Combine(root, path), text);
        }
        Write("GmaiBench/Alpha/One.cs", "using GmaiBench.Beta;\nnamespace GmaiBench.Alpha;\nclass One {}\n");
        Write("GmaiBench/Beta/Two.cs", "namespace GmaiBench.Beta;\nclass Two { GmaiBench.Gamma.Three? x; }\n");
        Write("GmaiBench/Gamma/Three.cs", "namespace GmaiBench.Gamma;\nclass Three { GmaiBench.Alpha.One? y; }\n");
        Write("GmaiBench/Delta/Four.cs", "using GmaiBench.Alpha;\nnamespace GmaiBench.Delta;\nclass Four {}\n");
        Write("GmaiBench/Alpha/obj/Generated.cs", "using GmaiBench.Delta;\nnamespace GmaiBench.Alpha;\n");
        var cycles = ModuleGraph.Cycles(ModuleGraph.Of(root));
        Assert.Equal(["Alpha", "Beta", "Gamma"], Assert.Single(cycles));
    }
}

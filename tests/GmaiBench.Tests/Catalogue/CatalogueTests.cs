using System.Globalization;
using GmaiBench.Pipeline;
using Xunit.Abstractions;

namespace GmaiBench.Tests.Catalogue;

/// <summary>
/// A project whose sources.yaml includes every catalogue entry of <c>pipelines/sources/</c>, each pointed at a miniature of
/// its download, built once through the real pipeline (discovery, decoding, tagging, questions, curation).
/// </summary>
public sealed class CatalogueBuildFixture
{
    public string Root { get; }
    public ProjectConfig Config { get; }
    public BuildResult Result { get; }
    public IReadOnlyList<RawLabelRow> Inventory { get; }

    public static string CatalogueFolder => Path.Combine(TestData.RepoRoot, "pipelines", "sources");

    public CatalogueBuildFixture()
    {
        Root = TestData.TempDir("catalogue");
        var sources = new List<string> { "version: 1", "sources:" };
        foreach (var m in CatalogueMiniatures.All)
        {
            m.Write(new MiniatureWriter(Path.Combine(Root, "downloads", m.Id)));
            sources.Add($"  - include: {Path.Combine(CatalogueFolder, m.Id + ".yaml")}");
            sources.Add($"    root: downloads/{m.Id}");
        }
        File.WriteAllText(Path.Combine(Root, "sources.yaml"), string.Join('\n', sources) + "\n");
        File.WriteAllText(Path.Combine(Root, "pipeline.yaml"), """
            name: catalogue-miniatures
            display_name: CatalogueMiniatures
            work: work
            output: out
            image:
              max_side: 64
            labels:
              unmapped: reject
            """);
        Config = ProjectConfig.Load(new ProjectPaths(Path.Combine(Root, "sources.yaml"), TestData.Taxonomy, Path.Combine(Root, "pipeline.yaml")));
        Result = BuildRunner.Run(Config, new BuildOptions { Jobs = 2 });
        Inventory = LabelInventory.Build(Config);
    }
}

public class CatalogueTests(CatalogueBuildFixture build, ITestOutputHelper output) : IClassFixture<CatalogueBuildFixture>
{
    public static TheoryData<string> Entries() => new(CatalogueMiniatures.All.Select(m => m.Id));

    private static CatalogueMiniatures.Miniature Miniature(string id) => CatalogueMiniatures.All.Single(m => m.Id == id);

    [Fact]
    public void The_catalogue_holds_at_least_25_valid_entries_each_with_a_miniature()
    {
        var files = Directory.GetFiles(CatalogueBuildFixture.CatalogueFolder, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 25, $"{files.Count} catalogue entries");
        Assert.Equal(files, CatalogueMiniatures.All.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Empty(build.Config.AllIssues);
        Assert.Equal(files, build.Config.Sources.Select(s => s.Id).Order(StringComparer.Ordinal));
        // Every entry names a licence, a citation and a homepage, and where its items come from is a file of the catalogue.
        Assert.All(build.Config.Sources, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Citation), s.Id);
            Assert.StartsWith("http", s.Homepage);
            Assert.Equal(Path.Combine(CatalogueBuildFixture.CatalogueFolder, s.Id + ".yaml"), s.File);
        });
        // Spread over the lexical tree: departments and modalities.
        Assert.True(build.Config.Sources.SelectMany(s => s.Departments).Distinct().Count() >= 10);
        Assert.True(build.Config.Sources.Select(s => s.Modality).Distinct().Count() >= 10);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Each_entry_builds_from_a_miniature_of_its_download(string id)
    {
        var source = Assert.Single(build.Config.Sources, s => s.Id == id);
        var summary = Assert.Single(build.Result.Report.Sources, s => s.Id == id);
        var raw = build.Inventory.Where(r => r.SourceId == id).ToList();
        // A segmentation entry of one canonical label (CVC-ClinicDB's polyp, the Decathlon's left atrium) cannot give its own
        // distractors, and no other source here annotates its modality and body region: its region items are refused as
        // too-few-options until such a source joins the build. Nothing else may be refused.
        var alone = raw.Select(r => r.Canonical).Distinct().Count() == 1 && source.Layout.Granularity != GmaiBench.Model.Granularity.Image;
        var rejects = build.Result.Report.Rejects.Where(r => r.SourceId == id && !(alone && r.Reason == "too-few-options")).ToList();
        Assert.True(rejects.Count == 0, $"{id}: {string.Join("; ", rejects.Select(r => $"{r.Path} {r.Reason}: {r.Message}"))}");
        Assert.True(summary.Discovered > 0, $"{id} discovered nothing");
        if (!alone)
        {
            Assert.Equal(summary.Discovered, summary.Emitted);
            Assert.True(summary.Questions > 0, $"{id} gave no question");
        }
        // The layout read the dataset's whole vocabulary, spelt as the dataset ships it...
        Assert.Equal(Miniature(id).Vocabulary.Order(StringComparer.Ordinal), raw.Select(r => r.Raw).Order(StringComparer.Ordinal));
        // ...and every raw label maps to a canonical label, through the taxonomy or the entry's own labels: map only.
        Assert.All(raw, r => Assert.True(r.Canonical is not null, $"{id}: '{r.Raw}' unmapped; nearest {string.Join(", ", r.Suggestions)}"));
        Assert.All(source.Labels.Keys, k => Assert.Contains(k, Miniature(id).Vocabulary));
    }

    [Fact]
    public void Mapping_figures_per_entry_without_the_entries_own_label_maps()
    {
        var taxonomy = build.Config.Taxonomy;
        int total = 0, mapped = 0;
        output.WriteLine("| entry | raw labels | mapped by the taxonomy alone | share | needs the entry's map |");
        output.WriteLine("|---|---:|---:|---:|---|");
        foreach (var m in CatalogueMiniatures.All.OrderBy(m => m.Id, StringComparer.Ordinal))
        {
            var matches = taxonomy.Normaliser.NormaliseVocabulary(m.Vocabulary);
            var unmapped = m.Vocabulary.Where(v => matches[v].Label is null).ToList();
            total += m.Vocabulary.Count;
            mapped += m.Vocabulary.Count - unmapped.Count;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Id} | {m.Vocabulary.Count} | {m.Vocabulary.Count - unmapped.Count} | {(double)(m.Vocabulary.Count - unmapped.Count) / m.Vocabulary.Count:P0} | {string.Join(", ", unmapped)} |"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| all {CatalogueMiniatures.All.Count} entries | {total} | {mapped} | {(double)mapped / total:P1} | |"));
        // What the taxonomy leaves unmapped on purpose (grades, bare words such as "cancer", "Mass" or "Vessel" that name
        // something only inside their dataset and that the rest of the dataset's vocabulary does not settle) is what the
        // entries map, and nothing else: an entry's map is never a stand-in for a missing synonym, nor repeats what the
        // taxonomy reads in context. The issue's bar is 90 %; the figure is printed above.
        foreach (var m in CatalogueMiniatures.All)
        {
            var own = build.Config.Sources.Single(s => s.Id == m.Id).Labels;
            var matches = taxonomy.Normaliser.NormaliseVocabulary(m.Vocabulary);
            var unmapped = m.Vocabulary.Where(v => matches[v].Label is null).Order(StringComparer.Ordinal);
            Assert.Equal(unmapped, own.Keys.Order(StringComparer.Ordinal));
        }
        Assert.True(mapped >= 0.90 * total, $"{mapped} of {total} raw labels map without the entries' maps");
    }
}

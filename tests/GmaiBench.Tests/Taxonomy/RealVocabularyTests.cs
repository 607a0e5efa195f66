using GmaiBench.Taxonomy;
using Xunit.Abstractions;

namespace GmaiBench.Tests.Taxonomy;

/// <summary>How much of the label vocabularies real datasets ship the taxonomy maps with no source override.</summary>
public class RealVocabularyTests(ITestOutputHelper output)
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    [Fact]
    public void At_least_90_percent_of_real_dataset_labels_map_with_no_source_override()
    {
        var total = 0;
        var mapped = 0;
        output.WriteLine($"{"dataset",-34} {"mapped",9} {"share",7}  unmapped raw labels");
        foreach (var v in RealVocabularies.All)
        {
            // A dataset's labels are read together, as a build reads a source's: bare words in the context of the rest.
            var matches = Taxonomy.Normaliser.NormaliseVocabulary(v.Labels);
            var misses = v.Labels.Where(l => !matches[l].IsMapped).ToList();
            var ok = v.Labels.Count - misses.Count;
            total += v.Labels.Count;
            mapped += ok;
            output.WriteLine($"{v.Dataset,-34} {$"{ok}/{v.Labels.Count}",9} {100.0 * ok / v.Labels.Count,6:0.0}%  {string.Join(", ", misses.Select(m => $"'{m}'"))}");
        }
        output.WriteLine($"{"all",-34} {$"{mapped}/{total}",9} {100.0 * mapped / total,6:0.0}%");
        Assert.True(RealVocabularies.All.Count >= 15, $"{RealVocabularies.All.Count} datasets");
        Assert.True(total >= 300, $"{total} raw labels");
        Assert.True(mapped >= 0.9 * total, $"{mapped}/{total} raw labels map with no source override");
    }

    [Theory]
    [InlineData("tumor", new[] { "kidney", "tumor" }, "kidney-tumor")]                         // KiTS19
    [InlineData("tumor", new[] { "liver", "tumor" }, "liver-tumor")]                           // LiTS
    [InlineData("cancer", new[] { "pancreas", "cancer" }, "pancreatic-tumor")]                 // Decathlon Task07
    [InlineData("pituitary", new[] { "glioma", "meningioma", "notumor", "pituitary" }, "pituitary-tumor")]
    [InlineData("Bipolar", new[] { "Grasper", "Bipolar", "Hook", "Scissors", "Clipper", "Irrigator" }, "bipolar-forceps")]
    public void A_bare_word_maps_in_the_context_of_its_datasets_other_labels(string raw, string[] vocabulary, string expected)
    {
        var m = Taxonomy.Normaliser.NormaliseVocabulary(vocabulary)[raw];
        Assert.Equal((expected, MatchRule.InContext), (m.Label?.Id, m.Rule));
        // Alone, the same word stays unmapped: it names nothing outside its dataset.
        Assert.False(Taxonomy.Normaliser.Normalise(raw).IsMapped);
    }

    [Fact]
    public void A_bare_word_the_context_does_not_settle_stays_unmapped_with_the_candidates()
    {
        // Beside both kidney and liver, "tumor" could be either: the source must say which.
        var m = Taxonomy.Normaliser.NormaliseVocabulary(["kidney", "liver", "tumor"])["tumor"];
        Assert.Null(m.Label);
        Assert.Equal(["kidney-tumor", "liver-tumor"], m.Candidates);
        Assert.Contains("kidney tumor or liver tumor", m.Problem);
        // A source's own map still wins, and context never overrides a word that maps alone.
        Assert.Equal("liver-tumor", Taxonomy.Normaliser.NormaliseVocabulary(["kidney", "liver", "tumor"], new Dictionary<string, string> { ["tumor"] = "liver tumor" })["tumor"].Label!.Id);
        Assert.Equal(("kidney", MatchRule.Exact), (Taxonomy.Normaliser.NormaliseVocabulary(["kidney", "tumor"])["kidney"].Label!.Id, Taxonomy.Normaliser.NormaliseVocabulary(["kidney", "tumor"])["kidney"].Rule));
    }
}

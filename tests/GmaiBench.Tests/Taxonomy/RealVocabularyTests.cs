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
            var misses = v.Labels.Where(l => !Taxonomy.Normaliser.Normalise(l).IsMapped).ToList();
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
}

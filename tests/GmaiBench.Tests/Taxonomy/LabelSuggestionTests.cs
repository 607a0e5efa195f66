using GmaiBench.Taxonomy;

namespace GmaiBench.Tests.Taxonomy;

/// <summary>
/// What <c>gmai labels</c> suggests for raw labels that real datasets ship and that must not map on their own
/// (misspellings, truncations, a modifier without its noun, a disease named for its finding): the first
/// suggestion is the label a person would pick.
/// </summary>
public class LabelSuggestionTests
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    [Theory]
    // AMOS 2022 dataset.json (typo)
    [InlineData("arota", "aorta")]
    // BTCV as MONAI's dataset_0.json names it (truncations)
    [InlineData("eso", "esophagus")]
    [InlineData("sto", "stomach")]
    // DIBaS species folders (misspelt species names)
    [InlineData("Acinetobacter.baumanii", "acinetobacter-baumannii")]
    [InlineData("Actinomyces.israeli", "actinomyces-israelii")]
    [InlineData("Lactobacillus.jehnsenii", "lactobacillus-jensenii")]
    [InlineData("Porfyromonas.gingivalis", "porphyromonas-gingivalis")]
    [InlineData("Staphylococcus.saprophiticus", "staphylococcus-saprophyticus")]
    [InlineData("Veionella", "veillonella")]
    // RSNA intracranial hemorrhage label columns (a modifier without its noun)
    [InlineData("epidural", "epidural-hemorrhage")]
    [InlineData("intraparenchymal", "intraparenchymal-hemorrhage")]
    [InlineData("intraventricular", "intraventricular-hemorrhage")]
    [InlineData("subarachnoid", "subarachnoid-hemorrhage")]
    [InlineData("subdural", "subdural-hemorrhage")]
    // SIPaKMeD class folders
    [InlineData("im_Dyskeratotic", "dyskeratotic-cell")]
    [InlineData("im_Koilocytotic", "koilocyte")]
    [InlineData("im_Metaplastic", "metaplastic-cell")]
    [InlineData("im_Parabasal", "parabasal-cell")]
    [InlineData("im_Superficial-Intermediate", "superficial-intermediate-cell")]
    // NIH malaria cell images class folders
    [InlineData("Parasitized", "parasitized-cell")]
    [InlineData("Uninfected", "uninfected-cell")]
    // Cholec80 tool column
    [InlineData("Bipolar", "bipolar-forceps")]
    // ODIR-5K classes named for the systemic disease
    [InlineData("Hypertension", "hypertensive-retinopathy")]
    [InlineData("Diabetes", "diabetic-retinopathy")]
    // Diabetic retinopathy 224x224 Gaussian-filtered (Kaggle) class folder: an abbreviation inside an inflected word
    [InlineData("Proliferate_DR", "proliferative-dr")]
    // VinDr-CXR: an abbreviation and a stem
    [InlineData("Enlarged PA", "pulmonary-artery-enlargement")]
    // Medical Segmentation Decathlon Task10, TissueMNIST, ISIC 2020: an extra qualifier
    [InlineData("colon cancer primaries", "colon-cancer")]
    [InlineData("Proximal Tubule Segments", "proximal-tubule")]
    [InlineData("lentigo NOS", "lentigo")]
    // EndoVis 2018 labels.json
    [InlineData("kidney-parenchyma", "kidney")]
    [InlineData("covered-kidney", "kidney")]
    public void The_first_suggestion_for_a_real_unmapped_label_is_the_right_label(string raw, string expected)
    {
        var m = Taxonomy.Normaliser.Normalise(raw);
        Assert.False(m.IsMapped, $"'{raw}' maps to {m.Label?.Id}; this test is about suggestions for labels that do not");
        var nearest = Taxonomy.Normaliser.Nearest(raw);
        Assert.True(nearest[0] == expected, $"'{raw}': suggested {string.Join(", ", nearest)}");
        Assert.Equal(nearest, m.Candidates);   // what gmai labels and the build report show
    }

    [Fact]
    public void A_raw_label_sharing_no_word_is_not_ranked_by_an_abbreviation_it_merely_resembles()
    {
        // Before suggestions ranked by shared words, "Amygdala" suggested age-related macular degeneration (its
        // abbreviation AMD is a short edit away). Checked on a catalogue holding both, with amygdala under another name.
        var n = LabelNormaliser.Build([
            new LabelNode { Id = "amd", Name = "age-related macular degeneration", Abbreviations = ["AMD"] },
            new LabelNode { Id = "amygdaloid-body", Name = "amygdaloid body", Lateral = true },
            new LabelNode { Id = "liver", Name = "liver" },
        ], []);
        Assert.Equal("amygdaloid-body", n.Nearest("Amygdala_L")[0]);
    }
}

using GmaiBench.Configuration;
using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Tests.Taxonomy;

public class LabelNormaliserTests
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    [Theory]
    // Case, punctuation and underscores fold.
    [InlineData("Liver", "liver", MatchRule.Exact)]
    [InlineData("Age-Related Macular Degeneration", "age-related-macular-degeneration", MatchRule.Exact)]
    [InlineData("age related macular degeneration", "age-related-macular-degeneration", MatchRule.Exact)]
    [InlineData("Diabetic_Retinopathy", "diabetic-retinopathy", MatchRule.Exact)]
    [InlineData("pulmonary nodule", "pulmonary-nodule", MatchRule.Exact)]
    [InlineData("COVID 19", "covid-19", MatchRule.Exact)]
    [InlineData("heart", "heart", MatchRule.Exact)]
    // Abbreviations expand.
    [InlineData("AMD", "age-related-macular-degeneration", MatchRule.Abbreviation)]
    [InlineData("ARMD", "age-related-macular-degeneration", MatchRule.Abbreviation)]
    [InlineData("DR", "diabetic-retinopathy", MatchRule.Abbreviation)]
    [InlineData("dr", "diabetic-retinopathy", MatchRule.Abbreviation)]
    [InlineData("BCC", "basal-cell-carcinoma", MatchRule.Abbreviation)]
    [InlineData("nv", "melanocytic-nevus", MatchRule.Abbreviation)]
    [InlineData("PTX", "pneumothorax", MatchRule.Abbreviation)]
    [InlineData("LV", "left-ventricle", MatchRule.Abbreviation)]
    [InlineData("IVC", "inferior-vena-cava", MatchRule.Abbreviation)]
    // Synonyms unify.
    [InlineData("lung nodule", "pulmonary-nodule", MatchRule.Synonym)]
    [InlineData("Lung_Nodule", "pulmonary-nodule", MatchRule.Synonym)]
    [InlineData("mole", "melanocytic-nevus", MatchRule.Synonym)]
    [InlineData("Naevus", "melanocytic-nevus", MatchRule.Synonym)]
    [InlineData("seborrhoeic keratosis", "seborrheic-keratosis", MatchRule.Synonym)]
    [InlineData("enlarged heart", "cardiomegaly", MatchRule.Synonym)]
    [InlineData("No Finding", "normal", MatchRule.Synonym)]
    [InlineData("liver tumour", "liver-tumor", MatchRule.Synonym)]
    [InlineData("renal tumor", "kidney-tumor", MatchRule.Synonym)]
    [InlineData("gall bladder", "gallbladder", MatchRule.Synonym)]
    [InlineData("optic disk", "optic-disc", MatchRule.Synonym)]
    // Left and right merge into paired structures.
    [InlineData("left kidney", "kidney", MatchRule.MergedSide)]
    [InlineData("RIGHT KIDNEY", "kidney", MatchRule.MergedSide)]
    [InlineData("kidney_left", "kidney", MatchRule.MergedSide)]
    [InlineData("Lt. Kidney", "kidney", MatchRule.MergedSide)]
    [InlineData("Kidney (R)", "kidney", MatchRule.MergedSide)]
    [InlineData("left lung", "lung", MatchRule.MergedSide)]
    [InlineData("Lung_R", "lung", MatchRule.MergedSide)]
    [InlineData("left adrenal gland", "adrenal-gland", MatchRule.MergedSide)]
    [InlineData("adrenal_gland_right", "adrenal-gland", MatchRule.MergedSide)]
    [InlineData("Rt femoral head", "femoral-head", MatchRule.MergedSide)]
    [InlineData("optic nerve left", "optic-nerve", MatchRule.MergedSide)]
    // Direction attributes keep their side; labels that share a word stay distinct.
    [InlineData("left ventricle", "left-ventricle", MatchRule.Exact)]
    [InlineData("Left-Ventricle", "left-ventricle", MatchRule.Exact)]
    [InlineData("right ventricle", "right-ventricle", MatchRule.Exact)]
    [InlineData("left atrium", "left-atrium", MatchRule.Exact)]
    [InlineData("kidney tumor", "kidney-tumor", MatchRule.Exact)]
    [InlineData("kidney cyst", "kidney-cyst", MatchRule.Exact)]
    // Word order, where the token set names one label; plurals where the singular does.
    [InlineData("nodule lung", "pulmonary-nodule", MatchRule.WordOrder)]
    [InlineData("tumor liver", "liver-tumor", MatchRule.WordOrder)]
    [InlineData("lung nodules", "pulmonary-nodule", MatchRule.Plural)]
    [InlineData("neutrophils", "neutrophil", MatchRule.Plural)]
    public void Raw_expressions_reach_their_canonical_label(string raw, string expected, MatchRule rule)
    {
        var m = Taxonomy.Normaliser.Normalise(raw);
        Assert.True(m.IsMapped, $"'{raw}': {m.Problem}");
        Assert.Equal(expected, m.Label!.Id);
        Assert.Equal(rule, m.Rule);
    }

    [Theory]
    [InlineData("left heart")]        // heart is not a paired structure: the side must not be dropped
    [InlineData("left")]
    [InlineData("tumor")]             // shared by many labels
    [InlineData("nodule")]
    [InlineData("ground-glass halo sign")]
    public void Expressions_that_must_not_merge_stay_unmapped_with_suggestions(string raw)
    {
        var m = Taxonomy.Normaliser.Normalise(raw);
        Assert.False(m.IsMapped, $"'{raw}' mapped to {m.Label?.Id}");
        Assert.Equal(3, Taxonomy.Normaliser.Nearest(raw).Count);
    }

    [Fact]
    public void A_side_that_names_a_different_structure_never_merges_into_the_other_side()
    {
        // The catalogue now holds the right atrium, so "right atrium" maps to it; with only the left atrium in a
        // catalogue it must stay unmapped rather than become the left atrium because the two share a word.
        Assert.Equal(("right-atrium", MatchRule.Exact), (Taxonomy.Normaliser.Normalise("right atrium").Label!.Id, Taxonomy.Normaliser.Normalise("right atrium").Rule));
        Assert.Equal("right-atrium", Taxonomy.Normaliser.Normalise("heart_atrium_right").Label!.Id);
        Assert.Equal("left-atrium", Taxonomy.Normaliser.Normalise("heart_atrium_left").Label!.Id);
        var onlyLeft = Custom([],
            new LabelNode { Id = "left-atrium", Name = "left atrium", Abbreviations = ["LA"] },
            new LabelNode { Id = "heart", Name = "heart" });
        Assert.False(onlyLeft.Normalise("right atrium").IsMapped);
        Assert.False(onlyLeft.Normalise("heart_atrium_right").IsMapped);
    }

    [Theory]
    // Paired chambers, disc and cup, benign and malignant, a lesion and its negation stay apart.
    [InlineData("LV", "left-ventricle")]
    [InlineData("RV", "right-ventricle")]
    [InlineData("heart_ventricle_left", "left-ventricle")]
    [InlineData("heart_ventricle_right", "right-ventricle")]
    [InlineData("Optic Disc", "optic-disc")]
    [InlineData("Optic Cup", "optic-cup")]
    [InlineData("benign", "benign")]
    [InlineData("malignant", "malignant")]
    [InlineData("enhancing tumour", "enhancing-tumor")]
    [InlineData("non-enhancing tumor", "necrotic-tumor-core")]
    [InlineData("WM-hypointensities", "white-matter-hypointensity")]
    [InlineData("Left-Lateral-Ventricle", "lateral-ventricle")]
    [InlineData("Left-Ventricle", "left-ventricle")]
    [InlineData("lung_middle_lobe_right", "lung-middle-lobe")]
    [InlineData("lung_upper_lobe_left", "lung-upper-lobe")]
    [InlineData("Frontal_Sup_Orb_R", "superior-frontal-gyrus-orbital")]
    [InlineData("Frontal_Sup_R", "superior-frontal-gyrus")]
    [InlineData("Frontal_Med_Orb_L", "superior-frontal-gyrus-medial-orbital")]
    [InlineData("Frontal_Mid_Orb_L", "middle-frontal-gyrus-orbital")]
    [InlineData("Cerebelum_4_5_L", "cerebellum")]
    [InlineData("Vermis_4_5", "cerebellar-vermis")]
    [InlineData("rib_left_7", "rib")]
    [InlineData("vertebrae_L3", "vertebra")]
    [InlineData("CalotTriangleDissection", "calot-triangle-dissection")]
    [InlineData("ClippingCutting", "clipping-and-cutting")]
    [InlineData("clip", "clipping")]
    [InlineData("Clipper", "clip-applier")]
    [InlineData("esophagitis-a", "esophagitis-la-a")]
    [InlineData("esophagitis-b-d", "esophagitis-la-b-d")]
    [InlineData("ulcerative-colitis-grade-2-3", "uc-grade-2-3")]
    [InlineData("ulcerative-colitis-grade-2", "uc-grade-2")]
    public void Real_labels_that_differ_by_a_word_reach_different_labels(string raw, string expected) =>
        Assert.Equal(expected, Taxonomy.Normaliser.Normalise(raw).Label?.Id);

    [Theory]
    [InlineData("non-WM-hypointensities")]   // FreeSurfer: the negation must not become WM hypointensities
    [InlineData("Non-Glaucoma")]             // REFUGE: not glaucoma
    [InlineData("normal, benign")]           // BreastMNIST: two classes in one
    [InlineData("prostate/uterus")]          // AMOS: two organs in one
    [InlineData("Mass")]
    [InlineData("pituitary")]                // a brain tumour class in one collection, the gland elsewhere
    [InlineData("Mild")]
    public void Real_labels_that_name_no_single_label_stay_unmapped(string raw) =>
        Assert.False(Taxonomy.Normaliser.Normalise(raw).IsMapped, $"'{raw}' mapped to {Taxonomy.Normaliser.Normalise(raw).Label?.Id}");

    [Fact]
    public void A_source_override_wins_and_must_name_a_canonical_label()
    {
        var overrides = new Dictionary<string, string> { ["GGO"] = "pneumonia", ["X"] = "nonsense" };
        Assert.Equal(("pneumonia", MatchRule.Override), (Taxonomy.Normaliser.Normalise("GGO", overrides).Label!.Id, Taxonomy.Normaliser.Normalise("ggo", overrides).Rule));
        Assert.False(Taxonomy.Normaliser.Normalise("X", overrides).IsMapped);
    }

    private static LabelNormaliser Custom(List<ConfigIssue> issues, params LabelNode[] labels) => LabelNormaliser.Build(labels, issues);

    [Fact]
    public void A_raw_label_matching_two_canonical_labels_is_an_error()
    {
        var issues = new List<ConfigIssue>();
        var n = Custom(issues,
            new LabelNode { Id = "giant-cell-tumor", Name = "giant cell tumor" },
            new LabelNode { Id = "tumor-giant-cell", Name = "tumor giant cell" });
        Assert.Empty(issues);
        var m = n.Normalise("cell giant tumor");
        Assert.False(m.IsMapped);
        Assert.Equal(["giant-cell-tumor", "tumor-giant-cell"], m.Candidates.Order());
        Assert.Contains("2 canonical labels", m.Problem);
    }

    [Fact]
    public void A_direction_attribute_label_keeps_its_side_and_paired_organs_still_merge()
    {
        var issues = new List<ConfigIssue>();
        var n = Custom(issues,
            new LabelNode { Id = "left", Name = "left", Task = "AR" },
            new LabelNode { Id = "kidney", Name = "kidney", Lateral = true });
        Assert.Equal("left", n.Normalise("Left").Label!.Id);
        Assert.Equal("kidney", n.Normalise("left kidney").Label!.Id);
    }

    [Fact]
    public void A_synonym_claimed_by_two_labels_is_reported()
    {
        var issues = new List<ConfigIssue>();
        Custom(issues,
            new LabelNode { Id = "a", Name = "alpha", Synonyms = ["shared"], File = "f.yaml", Line = 3 },
            new LabelNode { Id = "b", Name = "beta", Synonyms = ["Shared"], File = "f.yaml", Line = 7 });
        var issue = Assert.Single(issues);
        Assert.Equal(7, issue.Line);
        Assert.Contains("also claimed by label 'a'", issue.Message);
    }

    [Theory]
    [InlineData("CalotTriangleDissection", "calot triangle dissection")]
    [InlineData("OpticNerve_L", "optic nerve l")]
    [InlineData("Left-VentralDC", "left ventral dc")]
    [InlineData("vertebrae_L3", "vertebrae l3")]
    [InlineData("Cerebelum_Crus1_L", "cerebelum crus 1 l")]
    [InlineData("COVID19", "covid 19")]
    [InlineData("T1Gd", "t1gd")]
    [InlineData("Th12", "th12")]
    [InlineData("RBCs", "rbcs")]
    [InlineData("Barrett's", "barretts")]
    public void Fold_splits_snake_case_and_camel_case_but_keeps_level_codes_whole(string raw, string folded) =>
        Assert.Equal(folded, LabelNormaliser.Fold(raw));

    private static readonly LabelNormaliser Families = Custom([],
        new LabelNode { Id = "rib", Name = "rib", Lateral = true, Numbered = true },
        new LabelNode { Id = "vertebra", Name = "vertebra", Numbered = true },
        new LabelNode { Id = "cerebellum", Name = "cerebellum", Lateral = true, Numbered = true, Synonyms = ["cerebelum", "cerebelum crus"] },
        new LabelNode { Id = "vermis", Name = "cerebellar vermis", Numbered = true, Synonyms = ["vermis"] },
        new LabelNode { Id = "kidney", Name = "kidney", Lateral = true },
        new LabelNode { Id = "sternum", Name = "sternum", Numbered = true },
        new LabelNode { Id = "ulcerative-colitis", Name = "ulcerative colitis" },
        new LabelNode { Id = "artery", Name = "artery" },
        new LabelNode { Id = "actinic-keratosis", Name = "actinic keratosis" },
        new LabelNode { Id = "mass", Name = "breast mass" },
        new LabelNode { Id = "nevus", Name = "melanocytic nevus" },
        new LabelNode { Id = "hemorrhoids", Name = "hemorrhoids" },
        new LabelNode { Id = "granulocyte", Name = "immature granulocyte" },
        new LabelNode { Id = "ivc", Name = "inferior vena cava" },
        new LabelNode { Id = "moderate-npdr", Name = "moderate nonproliferative diabetic retinopathy" });

    [Theory]
    // Numbered and segmental structures fold into their family label; the level stays out of it.
    [InlineData("rib_left_7", "rib", MatchRule.Numbered)]
    [InlineData("rib_right_12", "rib", MatchRule.Numbered)]
    [InlineData("vertebrae_L3", "vertebra", MatchRule.Numbered)]
    [InlineData("vertebrae_C1", "vertebra", MatchRule.Numbered)]
    [InlineData("Vertebra T12", "vertebra", MatchRule.Numbered)]
    [InlineData("vertebrae_S1", "vertebra", MatchRule.Numbered)]
    [InlineData("Cerebelum_4_5_L", "cerebellum", MatchRule.Numbered)]
    [InlineData("Cerebelum_7b_R", "cerebellum", MatchRule.Numbered)]
    [InlineData("Cerebelum_Crus1_L", "cerebellum", MatchRule.Numbered)]
    [InlineData("Vermis_1_2", "vermis", MatchRule.Numbered)]
    [InlineData("Cerebelum_L", "cerebellum", MatchRule.MergedSide)]
    // Side affixes fold for lateral labels in every spelling sources use.
    [InlineData("left_kidney", "kidney", MatchRule.MergedSide)]
    [InlineData("Kidney_left", "kidney", MatchRule.MergedSide)]
    [InlineData("Rt. kidney", "kidney", MatchRule.MergedSide)]
    [InlineData("KidneyLeft", "kidney", MatchRule.MergedSide)]
    // Plural forms fold both ways, English and Latin endings.
    [InlineData("ribs", "rib", MatchRule.Plural)]
    [InlineData("vertebrae", "vertebra", MatchRule.Plural)]
    [InlineData("arteries", "artery", MatchRule.Plural)]
    [InlineData("actinic keratoses", "actinic-keratosis", MatchRule.Plural)]
    [InlineData("breast masses", "mass", MatchRule.Plural)]
    [InlineData("melanocytic nevi", "nevus", MatchRule.Plural)]
    [InlineData("hemorrhoid", "hemorrhoids", MatchRule.Plural)]
    // Parenthesised notes are dropped when the full text matches nothing.
    [InlineData("Inferior Vena Cava (IVC)", "ivc", MatchRule.NoteDropped)]
    [InlineData("immature granulocytes(myelocytes, metamyelocytes and promyelocytes)", "granulocyte", MatchRule.NoteDropped)]
    public void Numbered_plural_and_annotated_forms_reach_their_label(string raw, string expected, MatchRule rule)
    {
        var m = Families.Normalise(raw);
        Assert.True(m.IsMapped, $"'{raw}': {m.Problem}");
        Assert.Equal((expected, rule), (m.Label!.Id, m.Rule));
    }

    [Theory]
    [InlineData("kidney_left_2")]                 // kidney is not a numbered family
    [InlineData("ulcerative-colitis-grade-2")]    // a grade is never dropped: it is the answer of a grading question
    [InlineData("sternum_left")]                  // numbered but not paired: the side must not be dropped
    [InlineData("0")]
    [InlineData("4")]
    [InlineData("L3")]
    public void Levels_grades_and_sides_do_not_fold_where_they_carry_meaning(string raw)
    {
        var m = Families.Normalise(raw);
        Assert.False(m.IsMapped, $"'{raw}' mapped to {m.Label?.Id} by {m.Rule}");
    }

    [Fact]
    public void A_bare_grade_maps_only_through_its_source_map()
    {
        Assert.False(Families.Normalise("2").IsMapped);
        var aptos = new Dictionary<string, string> { ["2"] = "moderate nonproliferative diabetic retinopathy" };
        var m = Families.Normalise("2", aptos);
        Assert.Equal(("moderate-npdr", MatchRule.Override), (m.Label!.Id, m.Rule));
    }
}

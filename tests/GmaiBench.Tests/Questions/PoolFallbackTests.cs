using GmaiBench.Model;
using GmaiBench.Questions;
using GmaiBench.Taxonomy;

namespace GmaiBench.Tests.Questions;

public class PoolFallbackTests
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    /// <summary>One abdominal CT source with ten organ labels; each region case is asked under its label's task, as tagging does.</summary>
    private static List<TaggedCase> OneSourceAbdomen()
    {
        string[] organs = ["liver", "spleen", "kidney", "pancreas", "stomach", "aorta", "esophagus", "urinary-bladder", "gallbladder", "duodenum"];
        var cases = new List<TaggedCase>();
        for (var patient = 0; patient < 3; patient++)
            foreach (var organ in organs)
                foreach (var g in new[] { Granularity.Mask, Granularity.Contour })
                {
                    var key = $"abd/ct_{patient}/axial/{organ}/{g.Text()}";
                    cases.Add(new TaggedCase
                    {
                        Key = key, ItemKey = $"abd/ct_{patient}", SourceId = "abd", ImageSha = "sha-" + key, Granularity = g, OriginalTask = "SEG_3D",
                        GroupKey = $"abd/ct_{patient}", Labels = [organ], Task = Taxonomy.Label(organ)!.Task!, Departments = Taxonomy.Label(organ)!.Departments,
                        Modality = "CT",
                    });
                }
        return cases;
    }

    [Fact]
    public void A_one_source_abdominal_ct_loses_no_item_to_too_few_options()
    {
        var cases = OneSourceAbdomen();
        var (drafts, rejects) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings(), 7);
        Assert.DoesNotContain(rejects, r => r.Reason == "too-few-options");
        Assert.Equal(cases.Count, drafts.Count + rejects.Count);
        // Items whose own (modality, task, granularity) pool is too small fell back, and say so.
        var fallback = drafts.Where(d => d.Pool.Contains("| fallback:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(fallback);
        Assert.All(fallback, d => Assert.True(d.Distractors.Count >= 1));
        // Never a synonym, parent or child of the answer.
        Assert.All(drafts, d => Assert.All(d.Distractors, x => Assert.False(Taxonomy.Related(d.Answers[0], x), $"{d.Key}: {x}")));
        Assert.Contains(fallback, d => QuestionDrafter.PoolLevel(d.Pool) == QuestionDrafter.FallbackSameSource);
    }

    [Fact]
    public void Items_with_a_large_enough_pool_do_not_fall_back()
    {
        var (drafts, _) = QuestionDrafter.Draft(OneSourceAbdomen(), Taxonomy, new QuestionSettings(), 7);
        var liver = drafts.First(d => d.Answers[0] == "liver");
        Assert.DoesNotContain("fallback", liver.Pool);
        Assert.Equal("region pool (modality, task, granularity)", QuestionDrafter.PoolLevel(liver.Pool));
    }
}

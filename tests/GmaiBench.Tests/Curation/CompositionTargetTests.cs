using GmaiBench.Curation;
using GmaiBench.Model;
using GmaiBench.Questions;

namespace GmaiBench.Tests.Curation;

public class CompositionTargetTests
{
    private static DraftQuestion Draft(string source, string task, Granularity g, string label, int n) => new()
    {
        Case = new TaggedCase
        {
            Key = $"{source}/{label}/{n}/{g.Text()}", ItemKey = $"{source}/{label}/{n}", SourceId = source, ImageSha = $"sha-{source}-{label}-{n}-{g}",
            Granularity = g, OriginalTask = "CLS_2D", GroupKey = $"{source}/p{n}", Labels = [label], Task = task, Departments = ["O"], Modality = "CT",
        },
        Text = "Which?", Answers = [label], Distractors = ["x"], Pool = "test",
    };

    /// <summary>Three labels of image items (4, 4 and 1 of them) and two mask items of one label.</summary>
    private static List<DraftQuestion> Drafts() =>
    [
        .. Enumerable.Range(0, 4).Select(i => Draft("a", "DD", Granularity.Image, "glaucoma", i)),
        .. Enumerable.Range(0, 4).Select(i => Draft("b", "DD", Granularity.Image, "cataract", i)),
        Draft("a", "DD", Granularity.Image, "drusen", 0),
        .. Enumerable.Range(0, 2).Select(i => Draft("c", "OR-A", Granularity.Mask, "liver", i)),
    ];

    [Fact]
    public void A_target_keeps_its_count_round_robin_over_answer_labels_and_names_the_rest()
    {
        var targets = new[] { new CompositionTarget(null, Granularity.Image, 5) };
        var fill = CompositionTargets.Apply(Drafts(), targets, 11);
        var image = fill.Kept.Where(d => d.Case.Granularity == Granularity.Image).ToList();
        Assert.Equal(5, image.Count);
        // Every label has an item before any has a third: cataract 2, drusen 1, glaucoma 2.
        Assert.Equal([("cataract", 2), ("drusen", 1), ("glaucoma", 2)],
            image.GroupBy(d => d.Answers[0]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count())));
        // Items no target covers stay; the others over the target are named rejects.
        Assert.Equal(2, fill.Kept.Count(d => d.Case.Granularity == Granularity.Mask));
        Assert.Equal(4, fill.Rejects.Count);
        Assert.All(fill.Rejects, r => Assert.Equal("over-target", r.Reason));
        Assert.Contains("over the composition target of 5 items for task *, granularity image", fill.Rejects[0].Message);
        Assert.Equal(9, fill.Candidates[targets[0]]);
    }

    [Fact]
    public void The_choice_depends_on_the_seed_and_keys_never_on_the_input_order()
    {
        var targets = new[] { new CompositionTarget(null, Granularity.Image, 4) };
        var drafts = Drafts();
        var forward = CompositionTargets.Apply(drafts, targets, 11).Kept.Select(d => d.Key).ToList();
        var backward = CompositionTargets.Apply(Enumerable.Reverse(drafts).ToList(), targets, 11).Kept.Select(d => d.Key).ToList();
        Assert.Equal(forward, backward);
        var seeds = Enumerable.Range(1, 8).Select(s => string.Join(",", CompositionTargets.Apply(drafts, targets, (ulong)s).Kept.Select(d => d.Key))).Distinct();
        Assert.True(seeds.Count() > 1, "the seed chooses which items of a label stay");
    }

    [Fact]
    public void The_most_specific_target_counts_an_item_and_a_short_target_keeps_all_it_has()
    {
        var taskCell = new CompositionTarget("OR-A", Granularity.Mask, 10);
        var granularity = new CompositionTarget(null, Granularity.Mask, 0);
        var task = new CompositionTarget("DD", null, 100);
        var targets = new[] { granularity, taskCell, task };
        Assert.Same(taskCell, CompositionTargets.For(targets, "OR-A", Granularity.Mask));
        Assert.Same(task, CompositionTargets.For(targets, "DD", Granularity.Mask));
        Assert.Same(granularity, CompositionTargets.For(targets, "SG", Granularity.Mask));
        Assert.Null(CompositionTargets.For(targets, "SG", Granularity.Box));
        var fill = CompositionTargets.Apply(Drafts(), targets, 3);
        Assert.Equal(Drafts().Count, fill.Kept.Count);
        Assert.Empty(fill.Rejects);
        Assert.Equal(2, fill.Candidates[taskCell]);
        Assert.Equal(9, fill.Candidates[task]);
        Assert.Equal(0, fill.Candidates[granularity]);
    }
}

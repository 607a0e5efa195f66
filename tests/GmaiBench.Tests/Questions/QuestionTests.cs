using GmaiBench.Pipeline;
using GmaiBench.Questions;
using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Tests.Questions;

public class QuestionTests
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    public static TaggedCase Case(string key, string source, params string[] labels) => new()
    {
        Key = key, ItemKey = key, SourceId = source, ImageSha = "sha-" + key, Granularity = Granularity.Image, OriginalTask = "CLS_2D",
        GroupKey = key, Labels = labels, Task = "DD", Departments = ["PM"], Modality = "X-ray",
    };

    [Fact]
    public void Image_level_distractors_come_from_the_answers_own_source_and_never_a_relative()
    {
        var cases = new List<TaggedCase>
        {
            Case("a/1", "a", "pneumonia"), Case("a/2", "a", "covid-19"), Case("a/3", "a", "normal"), Case("a/4", "a", "pneumothorax"),
            Case("b/1", "b", "melanoma"), Case("b/2", "b", "melanocytic-nevus"),
        };
        var (drafts, rejects) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings(), 1);
        Assert.Empty(rejects);
        var a1 = drafts.Single(d => d.Key == "a/1");
        Assert.Equal(["normal", "pneumothorax"], a1.Distractors.Order());   // covid-19 is a child of pneumonia
        var b1 = drafts.Single(d => d.Key == "b/1");
        Assert.Equal(["melanocytic-nevus"], b1.Distractors);
        Assert.All(drafts, d => Assert.Contains("X-ray", d.Text));
    }

    [Fact]
    public void A_source_with_one_class_cannot_make_a_question()
    {
        var (drafts, rejects) = QuestionDrafter.Draft([Case("a/1", "a", "normal"), Case("a/2", "a", "normal")], Taxonomy, new QuestionSettings(), 1);
        Assert.Empty(drafts);
        Assert.All(rejects, r => Assert.Equal("too-few-options", r.Reason));
    }

    [Fact]
    public void Drafts_do_not_depend_on_input_order()
    {
        var cases = Enumerable.Range(0, 40).Select(i => Case($"s/{i:00}", "s", new[] { "pneumonia", "normal", "pneumothorax", "cardiomegaly", "atelectasis", "tuberculosis" }[i % 6])).ToList();
        var (a, _) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings(), 5);
        var shuffled = cases.ToList();
        new Prng(3).Shuffle(shuffled);
        var (b, _) = QuestionDrafter.Draft(shuffled, Taxonomy, new QuestionSettings(), 5);
        Assert.Equal(a.Select(d => (d.Key, d.Text, string.Join('|', d.Distractors))), b.Select(d => (d.Key, d.Text, string.Join('|', d.Distractors))));
        Assert.All(a, d => Assert.Equal(5, d.OptionCount));
    }

    [Fact]
    public void Answer_letters_are_balanced_by_construction()
    {
        var labels = new[] { "pneumonia", "normal", "pneumothorax", "cardiomegaly" };
        var cases = Enumerable.Range(0, 1001).Select(i => Case($"s/{i:0000}", "s", labels[i % 4])).ToList();
        var (drafts, _) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings { MaxOptions = 4 }, 11);
        var questions = AnswerLayout.Assign(drafts.Select(d => (d, "TEST")).ToList(), Taxonomy, 11);
        var counts = questions.GroupBy(q => q.Answer).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["A", "B", "C", "D"], counts.Keys.Order());
        Assert.InRange(counts.Values.Max() - counts.Values.Min(), 0, 1);
        Assert.All(questions, q => Assert.Equal(Taxonomy.Label(q.AnswerLabels[0])!.Name, q.Options["ABCD".IndexOf(q.Answer, StringComparison.Ordinal)]));
        Assert.Equal(Enumerable.Range(0, 1001), questions.Select(q => q.Index));
    }

    [Fact]
    public void Multi_label_cases_become_multi_choice_items()
    {
        var cases = new List<TaggedCase>
        {
            Case("m/1", "m", "pneumonia", "pleural-effusion"), Case("m/2", "m", "normal"), Case("m/3", "m", "atelectasis"), Case("m/4", "m", "cardiomegaly"),
        };
        var (drafts, _) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings(), 2);
        var q = AnswerLayout.Assign(drafts.Select(d => (d, "VAL")).ToList(), Taxonomy, 2).Single(x => x.Key == "m/1");
        Assert.True(q.Multi);
        Assert.Matches("^[A-E],[A-E]$", q.Answer);
        // One instruction, consistent with VLMEvalKit's closing "Please select the correct answer": the answer is the set.
        Assert.Contains("the correct answer is the set of all correct options", q.Text);
        Assert.DoesNotContain("select all correct answers", q.Text);
        var letters = q.Answer.Split(',').Select(l => l[0] - 'A').ToList();
        Assert.Equal(["pleural effusion", "pneumonia"], letters.Select(i => q.Options[i]).Order());
        Assert.Equal(5, q.Options.Count);
    }
}

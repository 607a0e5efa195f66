using GmaiBench.Scoring;

namespace GmaiBench.Tests.Scoring;

public class AnswerMatchingTests
{
    private static readonly Dictionary<string, string> Options = new() { ["A"] = "liver", ["B"] = "kidney", ["C"] = "spleen", ["D"] = "pancreas" };

    [Theory]
    // VLMEvalKit's can_infer: one option letter among the words wins; punctuation .()[],:;!*#{} separates words.
    [InlineData("B", "B")]
    [InlineData("(C)", "C")]
    [InlineData("The answer is D.", "D")]
    [InlineData("**A**", "A")]
    [InlineData("Answer: [B]", "B")]
    // Two letters: no answer; lower-case letters are not letters.
    [InlineData("A or B", null)]
    [InlineData("b", null)]
    // No letter: exactly one option text contained (case-insensitive), else nothing.
    [InlineData("It shows the Spleen", "C")]
    [InlineData("liver and kidney", null)]
    // Refusals and a lone Z are Z; an API failure is nothing.
    [InlineData("Cannot determine the answer", "Z")]
    [InlineData("Z", "Z")]
    [InlineData("Failed to obtain answer via API", null)]
    [InlineData("", null)]
    public void Single_answers_follow_vlmevalkit_exact_matching(string prediction, string? expected) =>
        Assert.Equal(expected, AnswerMatching.Single(prediction, Options));

    [Theory]
    [InlineData("A,C", "A,C")]
    [InlineData("C, A", "A,C")]
    [InlineData("The answers are B and D.", "B,D")]
    [InlineData("kidney; pancreas", "B,D")]
    [InlineData("none", "")]
    public void Multi_answers_are_the_set_of_letters_or_texts_named(string prediction, string expected) =>
        Assert.Equal(expected, string.Join(",", AnswerMatching.Multi(prediction, Options)));

    [Fact]
    public void The_wilson_interval_is_within_0_and_1_and_narrows_with_n()
    {
        var small = Accuracy.Of(4, 4);
        var large = Accuracy.Of(400, 400);
        Assert.Equal(1.0, small.Value);
        Assert.Equal(1.0, small.High, 9);
        Assert.True(small.Low < large.Low && large.Low > 0.99 - 0.02);
        var half = Accuracy.Of(100, 50);
        Assert.Equal(0.5, half.Value);
        Assert.InRange(half.Low, 0.40, 0.41);   // Wilson 95 %: 0.404-0.596
        Assert.InRange(half.High, 0.59, 0.60);
    }
}

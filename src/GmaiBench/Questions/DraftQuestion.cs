using GmaiBench.Model;

namespace GmaiBench.Questions;

/// <summary>A question before curation and answer placement: its text, the answer label(s) and the distractors.</summary>
public sealed record DraftQuestion
{
    public required TaggedCase Case { get; init; }
    public required string Text { get; init; }
    public required IReadOnlyList<string> Answers { get; init; }
    public required IReadOnlyList<string> Distractors { get; init; }
    public required string Pool { get; init; }
    public bool Multi => Answers.Count > 1;
    public int OptionCount => Answers.Count + Distractors.Count;
    public string Key => Case.Key;
}

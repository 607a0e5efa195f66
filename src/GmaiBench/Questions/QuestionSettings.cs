namespace GmaiBench.Questions;

/// <summary>How questions are drafted: option counts and where region distractors may come from.</summary>
public sealed record QuestionSettings
{
    public int MinOptions { get; init; } = 2;
    public int MaxOptions { get; init; } = 5;
    /// <summary>Which labels may be region-level distractors (pipeline file: <c>regions.distractors</c>).</summary>
    public DistractorScope Distractors { get; init; } = DistractorScope.SameRegion;
}

/// <summary>Which labels may be region-level distractors of an answer (always from its (modality, task, granularity) pool).</summary>
public enum DistractorScope { SameRegion, SameDepartment, Any }

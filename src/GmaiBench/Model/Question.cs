namespace GmaiBench.Model;

/// <summary>A candidate case after tagging: an image (with an optional marked region) and its place in the lexical tree.</summary>
public sealed record TaggedCase
{
    public required string Key { get; init; }
    public required string ItemKey { get; init; }
    public required string SourceId { get; init; }
    public required string ImageSha { get; init; }
    public required Granularity Granularity { get; init; }
    public required string OriginalTask { get; init; }
    public required string GroupKey { get; init; }
    /// <summary>Canonical label ids; more than one makes a multi-choice item.</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    public required string Task { get; init; }
    public required IReadOnlyList<string> Departments { get; init; }
    /// <summary>
    /// The item's one department: the first of its answer label's departments (else its source's, else None). Tree,
    /// subset, files, card and score all count an item under this department alone; the others stay in
    /// <see cref="Departments"/> for reference.
    /// </summary>
    public string PrimaryDepartment => Departments.Count == 0 ? "None" : Departments[0];
    public required string Modality { get; init; }
    /// <summary>Perceptual hash of the unmarked image (near-duplicate detection); null when unknown.</summary>
    public ulong? PHash { get; init; }
    /// <summary>Luminance standard deviation of the unmarked image; null when unknown.</summary>
    public double? Contrast { get; init; }
}

/// <summary>A finished item: options in letter order, the answer letter(s), and its split.</summary>
public sealed record Question
{
    public required string Key { get; init; }
    public required int Index { get; init; }
    public required TaggedCase Case { get; init; }
    public required string Text { get; init; }
    /// <summary>Option texts in order A, B, C, ...</summary>
    public required IReadOnlyList<string> Options { get; init; }
    /// <summary>Label id behind each option, same order.</summary>
    public required IReadOnlyList<string> OptionLabels { get; init; }
    /// <summary>"B", or "A,C" for multi-choice.</summary>
    public required string Answer { get; init; }
    public required IReadOnlyList<string> AnswerLabels { get; init; }
    /// <summary>The answer's label text (joined with ", " for multi-choice), as GMAI-MMBench's category column.</summary>
    public required string Category { get; init; }
    public required string TaskName { get; init; }
    public required string DepartmentName { get; init; }
    public required string Split { get; init; }
    public required string Pool { get; init; }
    public bool Multi => AnswerLabels.Count > 1;
}

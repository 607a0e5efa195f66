using GmaiBench.Model;
namespace GmaiBench.Taxonomy;

/// <summary>A clinical VQA task (e.g. Disease Diagnosis, DD).</summary>
public sealed record TaskNode(string Id, string Name);

/// <summary>A department of the Mayo Clinic list, or the "None" bucket.</summary>
public sealed record DepartmentNode(string Id, string Name);

/// <summary>An imaging modality with the aliases sources may spell it with.</summary>
public sealed record ModalityNode(string Name, IReadOnlyList<string> Aliases);

/// <summary>A perceptual granularity; <see cref="Cues"/> are words a region template must use to name its marking.</summary>
public sealed record GranularityNode(string Id, string Name, IReadOnlyList<string> Cues);

/// <summary>A canonical label: the leaf keyword of the lexical tree.</summary>
public sealed record LabelNode
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Synonyms { get; init; } = [];
    public IReadOnlyList<string> Abbreviations { get; init; } = [];
    /// <summary>True for paired structures: "left kidney" and "right kidney" merge into this label.</summary>
    public bool Lateral { get; init; }
    /// <summary>
    /// True for a family of numbered or segmental structures (rib, vertebra, cerebellar lobule): a level or
    /// segment number in a raw label ("rib_left_7", "vertebrae_L3", "Cerebelum_4_5") folds into this label.
    /// </summary>
    public bool Numbered { get; init; }
    public string? Parent { get; init; }
    public string? Region { get; init; }
    public string? Task { get; init; }
    public IReadOnlyList<string> Departments { get; init; } = [];
    /// <summary>Codes in standard vocabularies by scheme (<c>mesh</c>, <c>radlex</c>, <c>fma</c>, <c>snomed</c>).</summary>
    public IReadOnlyDictionary<string, string> Codes { get; init; } = new Dictionary<string, string>();
    public string File { get; init; } = "";
    public int Line { get; init; }
}

/// <summary>Question templates for one (task, granularity[, modality]) pool; <c>*</c> as task means any task.</summary>
public sealed record TemplatePool(string Task, string Granularity, string? Modality, IReadOnlyList<string> Templates, string File, int Line)
{
    public string Key => Modality is null ? $"{Task}/{Granularity}" : $"{Task}/{Granularity}/{Modality}";
}

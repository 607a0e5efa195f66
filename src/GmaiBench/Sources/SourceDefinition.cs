using GmaiBench.Sources.Layouts;

namespace GmaiBench.Sources;

/// <summary>One entry of <c>sources.yaml</c>, validated: a source dataset and how to read it.</summary>
public sealed record SourceDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string License { get; init; }
    public string? Citation { get; init; }
    public string? Homepage { get; init; }
    /// <summary>How the source is laid out on disk, resolved once when sources.yaml loads.</summary>
    public required ISourceLayout Layout { get; init; }
    /// <summary>Absolute path of the source root; every file the source names must stay inside it.</summary>
    public required string Root { get; init; }
    public required string Modality { get; init; }
    public required string Task { get; init; }
    public IReadOnlyList<string> Departments { get; init; } = [];
    /// <summary>Regular expression over the item's relative path whose group <c>group</c> (or first group) is the patient key.</summary>
    public string? GroupPattern { get; init; }
    /// <summary>Source-specific raw label -> canonical label overrides, applied before the taxonomy's synonyms.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required LayoutOptions Options { get; init; }
    public string File { get; init; } = "";
    public int Line { get; init; }
}

/// <summary>Options specific to a source layout; each layout defines its own record.</summary>
public abstract record LayoutOptions
{
    /// <summary>Whether the options name a table column holding each item's patient group.</summary>
    public virtual bool NamesGroupColumn => false;
}

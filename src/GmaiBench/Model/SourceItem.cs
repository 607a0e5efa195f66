namespace GmaiBench.Model;

/// <summary>What marks an item's regions (boxes, a label map, a labelled series); its canonical text is part of the item's fingerprint.</summary>
public abstract record RegionAnnotation
{
    /// <summary>A stable text of the annotation (file content hashes are added separately).</summary>
    public abstract string Canonical();

    /// <summary>Every file whose content the item depends on, given the item's own path (the image first).</summary>
    public virtual IEnumerable<string> Files(string itemPath) => [itemPath];
}

/// <summary>A discovered input of a source: one file (or file set) with the raw labels the source gives it.</summary>
public sealed record SourceItem(
    string Key,
    string SourceId,
    string RelativePath,
    string FullPath,
    IReadOnlyList<string> RawLabels,
    string GroupKey)
{
    /// <summary>The regions to mark (boxes or a label map), for detection and segmentation sources.</summary>
    public RegionAnnotation? Annotation { get; init; }

    /// <summary>Every file whose content the item's result depends on (the image first).</summary>
    public IEnumerable<string> Files => Annotation?.Files(FullPath) ?? [FullPath];
}

/// <summary>An input that could not become an item, with the reason; it still counts in the build report.</summary>
/// <remarks><c>Key</c> is what was rejected (an item or one of its cases); <see cref="ItemKey"/> the input it came from.</remarks>
public sealed record Reject(string Key, string SourceId, string Path, string Stage, string Reason, string Message, string? Item = null)
{
    public string ItemKey => Item ?? Key;

    /// <summary>A reject of one case: its path is the source-relative file of the item it came from.</summary>
    public static Reject OfCase(string caseKey, string sourceId, string itemKey, string stage, string reason, string message) =>
        new(caseKey, sourceId, itemKey.StartsWith(sourceId + "/", StringComparison.Ordinal) ? itemKey[(sourceId.Length + 1)..] : itemKey,
            stage, reason, message, itemKey);

    public override string ToString() => $"[{SourceId}] {Path}: {Reason}: {Message}";
}

/// <summary>What a layout found under a source root: items, rejects, and files it passed over.</summary>
public sealed record Discovery(IReadOnlyList<SourceItem> Items, IReadOnlyList<Reject> Rejects, IReadOnlyList<string> Ignored);

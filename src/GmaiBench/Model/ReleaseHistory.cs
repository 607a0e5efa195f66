namespace GmaiBench.Model;

/// <summary>An item as the latest earlier release published it: its index and its option texts in letter order.</summary>
public sealed record PublishedItem(string Identity, int Index, IReadOnlyList<string> Options);

/// <summary>
/// What earlier releases fix for the next one: the latest release's items by identity (an unchanged item keeps its index,
/// option order and answer letter) and the next index never issued by any release (indices are never reused).
/// </summary>
public sealed record ReleaseHistory(IReadOnlyDictionary<string, PublishedItem> Items, int NextIndex)
{
    public static ReleaseHistory Empty { get; } = new(new Dictionary<string, PublishedItem>(), 0);

    /// <summary>
    /// The split each item key was published in (TEST if any version had it in TEST): a patient group keeps its split
    /// across releases, so no TEST item of an earlier release ever turns up with its answer in VAL.
    /// </summary>
    public IReadOnlyDictionary<string, string> Splits { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// An item's identity: its image, question, split, and its option and answer texts as sets. Two items with the same
    /// identity are the same item whatever letter order they were drawn in.
    /// </summary>
    public static string IdentityOf(string imageSha, string question, string split, IEnumerable<string> options, IEnumerable<string> answers) =>
        Fingerprints.Of("identity/1", imageSha, question, split,
            string.Join('\u0002', options.Order(StringComparer.Ordinal)), string.Join('\u0002', answers.Order(StringComparer.Ordinal)));
}

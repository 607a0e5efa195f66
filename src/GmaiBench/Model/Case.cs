namespace GmaiBench.Model;

/// <summary>
/// What a pixel stage made of an item: one 2D RGB image (stored by its sha256) ready for a question, with the raw
/// labels it asks about and, for region granularities, the region record that lets the mark be re-checked.
/// </summary>
public sealed record Case
{
    public required string Key { get; init; }
    public required string ItemKey { get; init; }
    public required string SourceId { get; init; }
    public required Granularity Granularity { get; init; }
    public required string OriginalTask { get; init; }
    public required string ImageSha { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>The marked region as JSON (the region stages' record), null for whole images.</summary>
    public string? Region { get; init; }
    public required IReadOnlyList<string> RawLabels { get; init; }
    public required string GroupKey { get; init; }
    /// <summary>64-bit perceptual hash of the unmarked image, 16 hex digits.</summary>
    public string? Phash { get; init; }
    /// <summary>Luminance standard deviation of the unmarked image (0..255).</summary>
    public double? Contrast { get; init; }
}

/// <summary>What a per-item stage concluded for one fingerprint: ok, or rejected with a reason and a message for people.</summary>
public sealed record StageResult(string ItemKey, string Fingerprint, string Status, string? Reason = null, string? Message = null)
{
    public const string OkStatus = "ok";
    public const string RejectedStatus = "rejected";

    public bool IsOk => Status == OkStatus;

    public static StageResult Ok(string itemKey, string fingerprint) => new(itemKey, fingerprint, OkStatus);

    public static StageResult Rejected(string itemKey, string fingerprint, ItemRejectedException e) =>
        new(itemKey, fingerprint, RejectedStatus, e.Reason, e.Message);
}

/// <summary>What a per-item pixel stage made of one item: the outcome, its cases, and cases it had to reject.</summary>
public sealed record ItemOutcome(StageResult Result, IReadOnlyList<Case> Cases, IReadOnlyList<Reject> CaseRejects)
{
    /// <summary>Runs a stage's work on one item; a reject or an unreadable file ends as that item's rejected outcome.</summary>
    public static ItemOutcome Guard(SourceItem item, string fingerprint, Func<ItemOutcome> run)
    {
        try { return run(); }
        catch (ItemRejectedException e) { return new ItemOutcome(StageResult.Rejected(item.Key, fingerprint, e), [], []); }
        catch (IOException e) { return new ItemOutcome(StageResult.Rejected(item.Key, fingerprint, new ItemRejectedException("unreadable-file", e.Message)), [], []); }
    }
}

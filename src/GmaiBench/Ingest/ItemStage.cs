using GmaiBench.Catalog;
using GmaiBench.Ingest.Layouts;
using GmaiBench.Ingest.Raster;
using GmaiBench.Sources;

namespace GmaiBench.Ingest;

/// <summary>What a per-item pixel stage made of one item: the outcome, its cases, and cases it had to reject.</summary>
public sealed record ItemOutcome(StageResultRow Result, IReadOnlyList<CaseRow> Cases, IReadOnlyList<Reject> CaseRejects)
{
    /// <summary>Runs a stage's work on one item; a reject or an unreadable file ends as that item's rejected outcome.</summary>
    public static ItemOutcome Guard(SourceItem item, string fingerprint, Func<ItemOutcome> run)
    {
        try { return run(); }
        catch (ItemRejectedException e) { return new ItemOutcome(StageResultRow.Rejected(item.Key, fingerprint, e), [], []); }
        catch (IOException e) { return new ItemOutcome(StageResultRow.Rejected(item.Key, fingerprint, new ItemRejectedException("unreadable-file", e.Message)), [], []); }
    }
}

/// <summary>
/// A per-item pixel stage. Its fingerprint covers the item's content, the stage's parameters and its code
/// version, so the runner reuses an earlier outcome whenever none of them changed.
/// </summary>
public interface IItemStage
{
    /// <summary>Name shown in rejects (raster, region, volume).</summary>
    string Name { get; }
    string Fingerprint(string contentHash);
    ItemOutcome Run(SourceItem item, ISourceLayout layout, string fingerprint);
}

namespace GmaiBench.Catalog;

/// <summary>Row of <c>items</c>: a discovered input and its content hash.</summary>
public sealed class ItemRow
{
    public string Key { get; set; } = "";
    public string SourceId { get; set; } = "";
    public string RelPath { get; set; } = "";
    public string ContentHash { get; set; } = "";
    public string RawLabels { get; set; } = "[]";
    public string GroupKey { get; set; } = "";
}

/// <summary>Row of <c>stage_results</c>: what a per-item stage concluded for a fingerprint.</summary>
public sealed class StageResultRow
{
    public string ItemKey { get; set; } = "";
    public string Stage { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public string? Message { get; set; }

    /// <summary>The one stage row per item: every pixel stage records under this name.</summary>
    public const string PixelStage = "pixels";

    public static StageResultRow Ok(string itemKey, string fingerprint) =>
        new() { ItemKey = itemKey, Stage = PixelStage, Fingerprint = fingerprint, Status = "ok" };

    public static StageResultRow Rejected(string itemKey, string fingerprint, GmaiBench.Ingest.Raster.ItemRejectedException e) =>
        new() { ItemKey = itemKey, Stage = PixelStage, Fingerprint = fingerprint, Status = "rejected", Reason = e.Reason, Message = e.Message };
}

/// <summary>Row of <c>cases</c>: a 2D RGB image ready for questions, with its tags once tagged.</summary>
public sealed class CaseRow
{
    public string Key { get; set; } = "";
    public string ItemKey { get; set; } = "";
    public string SourceId { get; set; } = "";
    public string Granularity { get; set; } = "";
    public string OriginalTask { get; set; } = "";
    public string ImageSha { get; set; } = "";
    public long Width { get; set; }
    public long Height { get; set; }
    public string? Region { get; set; }
    public string RawLabels { get; set; } = "[]";
    public string GroupKey { get; set; } = "";
    public string? Labels { get; set; }
    public string? Task { get; set; }
    public string? Departments { get; set; }
    public string? Modality { get; set; }
    /// <summary>64-bit perceptual hash of the unmarked image, 16 hex digits.</summary>
    public string? Phash { get; set; }
    /// <summary>Luminance standard deviation of the unmarked image (0..255).</summary>
    public double? Contrast { get; set; }
}

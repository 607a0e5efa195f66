using GmaiBench.Model;

namespace GmaiBench.Catalog;

/// <summary>Row of <c>stage_results</c>: what a per-item stage concluded for a fingerprint.</summary>
internal sealed class StageResultRow
{
    public string ItemKey { get; set; } = "";
    public string Stage { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public string? Message { get; set; }

    public StageResult ToModel() => new(ItemKey, Fingerprint, Status, Reason, Message);
}

/// <summary>Row of <c>cases</c>: a 2D RGB image ready for questions (the tag columns are written by <see cref="CatalogStore.SaveTags"/>).</summary>
internal sealed class CaseRow
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
    public string? Phash { get; set; }
    public double? Contrast { get; set; }

    public static CaseRow Of(Case c) => new()
    {
        Key = c.Key, ItemKey = c.ItemKey, SourceId = c.SourceId, Granularity = c.Granularity.Text(), OriginalTask = c.OriginalTask,
        ImageSha = c.ImageSha, Width = c.Width, Height = c.Height, Region = c.Region, RawLabels = StringLists.ToJson(c.RawLabels),
        GroupKey = c.GroupKey, Phash = c.Phash, Contrast = c.Contrast,
    };

    public Case ToModel() => new()
    {
        Key = Key, ItemKey = ItemKey, SourceId = SourceId, Granularity = GranularityNames.Parse(Granularity), OriginalTask = OriginalTask,
        ImageSha = ImageSha, Width = (int)Width, Height = (int)Height, Region = Region,
        RawLabels = StringLists.FromJson(RawLabels), GroupKey = GroupKey, Phash = Phash, Contrast = Contrast,
    };
}

/// <summary>Row of <c>file_hashes</c>, the stat cache: a file's sha256 as read when it had this size, time and inode.</summary>
public sealed record FileHashRow(string Path, long Size, long Mtime, long Inode, string Sha);

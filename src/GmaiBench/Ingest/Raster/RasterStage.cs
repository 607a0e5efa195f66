using GmaiBench.Sources.Layouts;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Raster;

/// <summary>
/// The per-item pixel stage for 2D raster sources: decode, normalise to RGB PNG, store in the object store.
/// Its fingerprint covers the file content, the image parameters and <see cref="CodeVersion"/>, so a rebuild
/// with nothing changed decodes nothing and a label or template edit never re-decodes.
/// </summary>
public sealed class RasterStage(ImageSettings settings, IObjectStore store) : IItemStage
{
    public StageKind Kind => StageKind.Raster;
    /// <summary>Bump when the stage's output for the same input changes.</summary>
    public const string CodeVersion = "raster/6";

    /// <summary>The settings' part of every fingerprint, serialised once (at the first item) rather than per item.</summary>
    private readonly Lazy<string> _settingsText = new(() => Fingerprints.Canonical(settings));

    public string Fingerprint(string contentHash) => Fingerprints.Of(CodeVersion, contentHash, _settingsText.Value);

    public ItemOutcome Run(SourceItem item, ISourceLayout layout, string fingerprint) => ItemOutcome.Guard(item, fingerprint, () =>
    {
        using var image = RasterDecoder.DecodeImage(File.ReadAllBytes(item.FullPath), settings);
        var (phash, contrast) = GmaiBench.Imaging.PerceptualHash.Of(image.Image);
        var sha = store.Put(RasterDecoder.EncodePng(image.Image));
        var row = new Case
        {
            Key = item.Key, ItemKey = item.Key, SourceId = item.SourceId, Granularity = layout.Granularity, OriginalTask = layout.OriginalTask,
            ImageSha = sha, Width = image.Image.Width, Height = image.Image.Height,
            Phash = phash.ToString("x16"), Contrast = Math.Round(contrast, 4),
            RawLabels = item.RawLabels, GroupKey = item.GroupKey,
        };
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), [row], []);
    });
}

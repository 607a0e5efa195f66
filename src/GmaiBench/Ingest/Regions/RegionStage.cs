using System.Text.Json;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources.Layouts;
using GmaiBench.Ingest.Raster;
using GmaiBench.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Regions;

/// <summary>A case's marked region as stored in the catalog: enough to re-check the mark against its source.</summary>
public sealed record RegionRecord(string Label, string Granularity, int Area, IReadOnlyList<int[]> Boxes, string BaseImage, int LineWidth)
{
    /// <summary>For slices of volumes: the axis and slice index ("axial/0042").</summary>
    public string? Plane { get; init; }

    /// <summary>The catalog's JSON of the record: <see cref="System.Text.Json.JsonSerializer"/>'s default form, from compile-time metadata (one per case).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, RegionJson.Default.RegionRecord);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(RegionRecord))]
internal sealed partial class RegionJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>
/// The per-item pixel stage for 2D detection and segmentation sources. It normalises the image, brings the
/// annotation onto the SAME final pixel grid (boxes scaled by their pixel edges, label maps resized by nearest
/// neighbour with the image's pixel-centre mapping), and only then draws: one box item per labelled box set,
/// one mask and one contour item per segmentation target (and box items from its components if asked).
/// </summary>
public sealed class RegionStage(ImageSettings image, RegionSettings regions, PromptStyle style, IObjectStore store) : IItemStage
{
    public const string CodeVersion = "region/6";

    public StageKind Kind => StageKind.Region;

    /// <summary>The settings' part of every fingerprint, serialised once (at the first item) rather than per item.</summary>
    private readonly Lazy<string[]> _settingsText = new(() => [Fingerprints.Canonical(image), Fingerprints.Canonical(regions), Fingerprints.Canonical(style)]);

    public string Fingerprint(string contentHash) => Fingerprints.Of([CodeVersion, contentHash, .. _settingsText.Value]);

    public ItemOutcome Run(SourceItem item, ISourceLayout layout, string fingerprint) => ItemOutcome.Guard(item, fingerprint, () =>
    {
        using var decoded = RasterDecoder.DecodeImage(File.ReadAllBytes(item.FullPath), image);
        var canvas = decoded.Image;
        var targets = item.Annotation switch
        {
            BoxAnnotation b => BoxTargets(b, decoded),
            MaskAnnotation m => MaskTargets(m, decoded),
            _ => throw new ItemRejectedException("no-annotation", "a region source item carries no annotation"),
        };
        var cases = new List<Case>();
        var rejects = new List<Reject>();
        RegionCases.Emit(item, layout.OriginalTask, item.Key, canvas, targets, style, regions, store, Kind.Text(), cases, rejects);
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), cases, rejects);
    });

    private List<RegionTarget> BoxTargets(BoxAnnotation annotation, DecodedImage decoded)
    {
        int w = decoded.Image.Width, h = decoded.Image.Height;
        var targets = new List<RegionTarget>();
        foreach (var group in annotation.Boxes.GroupBy(b => b.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var boxes = group
                .Select(b => b.Box.ClipTo(decoded.SourceWidth, decoded.SourceHeight))
                .Where(b => !b.IsEmpty)
                .Select(b => BoxConvention.Scale(b, decoded.SourceWidth, decoded.SourceHeight, w, h).ClipTo(w, h))
                .Where(b => !b.IsEmpty)
                .Distinct().OrderBy(b => (b.Y0, b.X0, b.Y1, b.X1)).ToList();
            var region = Region.OfBoxes(w, h, boxes);
            (string, string)? problem = boxes.Count == 0
                ? ("box-outside-image", $"every '{group.Key}' box lies outside the {decoded.SourceWidth}x{decoded.SourceHeight} image")
                : region.Area < regions.MinArea
                    ? ("target-too-small", $"'{group.Key}' covers {region.Area} px after resizing to {w}x{h}, below the minimum of {regions.MinArea}")
                    : null;
            targets.Add(new RegionTarget(group.Key, region, boxes, [Granularity.Box], problem));
        }
        return targets;
    }

    private List<RegionTarget> MaskTargets(MaskAnnotation annotation, DecodedImage decoded)
    {
        var map = LabelImageDecoder.Decode(File.ReadAllBytes(annotation.MaskPath), annotation, image);
        if (map.Width != decoded.SourceWidth || map.Height != decoded.SourceHeight)
            throw new ItemRejectedException("mask-size-mismatch",
                $"the label map {annotation.MaskRelative} is {map.Width}x{map.Height}, the image {decoded.SourceWidth}x{decoded.SourceHeight}; an overlay is never drawn misaligned");
        int w = decoded.Image.Width, h = decoded.Image.Height;
        var resized = map.Resize(w, h);
        var targets = new List<RegionTarget>();
        for (var code = 1; code <= map.Labels.Count; code++)
        {
            var target = RegionCases.FromLabels(resized.Codes, w, h, code, map.Labels[code - 1], regions, $"after resizing to {w}x{h}");
            if (target is not null) targets.Add(target);
        }
        if (targets.Count == 0) throw new ItemRejectedException("empty-label-map", $"the label map {annotation.MaskRelative} holds none of the configured labels");
        return targets;
    }
}

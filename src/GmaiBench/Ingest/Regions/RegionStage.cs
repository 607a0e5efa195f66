using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using GmaiBench.Ingest.Annotations;
using GmaiBench.Ingest.Layouts;
using GmaiBench.Ingest.Raster;
using GmaiBench.Pipeline;
using GmaiBench.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Ingest.Regions;

/// <summary>A case's marked region as stored in the catalog: enough to re-check the mark against its source.</summary>
public sealed record RegionRecord(string Label, string Granularity, int Area, IReadOnlyList<int[]> Boxes, string BaseImage, int LineWidth);

/// <summary>
/// The per-item pixel stage for 2D detection and segmentation sources. It normalises the image, brings the
/// annotation onto the SAME final pixel grid (boxes scaled by their pixel edges, label maps resized by nearest
/// neighbour with the image's pixel-centre mapping), and only then draws: one box item per labelled box set,
/// one mask and one contour item per segmentation target (and box items from its components if asked).
/// </summary>
public sealed class RegionStage(ImageSettings image, RegionSettings regions, PromptStyle style, ObjectStore store) : IItemStage
{
    public const string CodeVersion = "region/2";

    public string Name => "region";

    public string Fingerprint(string contentHash) =>
        Fingerprints.Of(CodeVersion, contentHash, PipelineSettings.Canonical(image), PipelineSettings.Canonical(regions), PipelineSettings.Canonical(style));

    public ItemOutcome Run(SourceItem item, ISourceLayout layout, string fingerprint)
    {
        try
        {
            using var decoded = RasterDecoder.DecodeImage(File.ReadAllBytes(item.FullPath), image);
            var canvas = decoded.Image;
            var baseSha = store.Put(RasterDecoder.EncodePng(canvas));
            var (phash, contrast) = GmaiBench.Imaging.PerceptualHash.Of(canvas);
            var targets = item.Annotation switch
            {
                BoxAnnotation b => BoxTargets(b, decoded),
                MaskAnnotation m => MaskTargets(m, decoded),
                _ => throw new ItemRejectedException("no-annotation", "a region source item carries no annotation"),
            };
            var cases = new List<CaseRow>();
            var rejects = new List<Reject>();
            var lineWidth = style.LineWidth(canvas.Width, canvas.Height);
            foreach (var t in targets)
            {
                foreach (var granularity in t.Granularities)
                {
                    var key = $"{item.Key}/{t.Label}/{granularity}";
                    if (t.Problem is not null) { rejects.Add(Reject.OfCase(key, item.SourceId, item.Key, Name, t.Problem.Value.Reason, t.Problem.Value.Message)); continue; }
                    if (granularity == "box" && t.Boxes.Count == 0)
                    {
                        rejects.Add(Reject.OfCase(key, item.SourceId, item.Key, Name, "target-too-small", $"no component of '{t.Label}' reaches the minimum area of {regions.MinArea} px for a box"));
                        continue;
                    }
                    using var marked = canvas.Clone();
                    IReadOnlyList<PixelBox> boxes = t.Boxes;
                    switch (granularity)
                    {
                        case "box":
                            VisualPrompt.Box(marked, boxes, style);
                            break;
                        case "mask":
                            VisualPrompt.Mask(marked, t.Region, style);
                            break;
                        default:
                            VisualPrompt.Contour(marked, t.Region, style);
                            break;
                    }
                    var sha = store.Put(RasterDecoder.EncodePng(marked));
                    var record = new RegionRecord(t.Label, granularity, t.Region.Area, boxes.Select(b => new[] { b.X0, b.Y0, b.X1, b.Y1 }).ToList(), baseSha, lineWidth);
                    cases.Add(new CaseRow
                    {
                        Key = key, ItemKey = item.Key, SourceId = item.SourceId, Granularity = granularity, OriginalTask = layout.OriginalTask,
                        ImageSha = sha, Width = marked.Width, Height = marked.Height, Region = JsonSerializer.Serialize(record),
                        RawLabels = JsonSerializer.Serialize(new[] { t.Label }), GroupKey = item.GroupKey,
                        Phash = phash.ToString("x16"), Contrast = Math.Round(contrast, 4),
                    });
                }
            }
            return new ItemOutcome(StageResultRow.Ok(item.Key, fingerprint), cases, rejects);
        }
        catch (ItemRejectedException e)
        {
            return new ItemOutcome(StageResultRow.Rejected(item.Key, fingerprint, e), [], []);
        }
        catch (IOException e)
        {
            return new ItemOutcome(StageResultRow.Rejected(item.Key, fingerprint, new ItemRejectedException("unreadable-file", e.Message)), [], []);
        }
    }

    private sealed record Target(string Label, Region Region, IReadOnlyList<PixelBox> Boxes, string[] Granularities, (string Reason, string Message)? Problem);

    private List<Target> BoxTargets(BoxAnnotation annotation, DecodedImage decoded)
    {
        int w = decoded.Image.Width, h = decoded.Image.Height;
        var targets = new List<Target>();
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
            targets.Add(new Target(group.Key, region, boxes, ["box"], problem));
        }
        return targets;
    }

    private List<Target> MaskTargets(MaskAnnotation annotation, DecodedImage decoded)
    {
        var map = LabelMapDecoder.Decode(File.ReadAllBytes(annotation.MaskPath), annotation, image);
        if (map.Width != decoded.SourceWidth || map.Height != decoded.SourceHeight)
            throw new ItemRejectedException("mask-size-mismatch",
                $"the label map {annotation.MaskRelative} is {map.Width}x{map.Height}, the image {decoded.SourceWidth}x{decoded.SourceHeight}; an overlay is never drawn misaligned");
        int w = decoded.Image.Width, h = decoded.Image.Height;
        var resized = map.Resize(w, h);
        var targets = new List<Target>();
        string[] granularities = regions.DeriveBoxes ? ["mask", "contour", "box"] : ["mask", "contour"];
        for (var code = 1; code <= map.Labels.Count; code++)
        {
            var region = Region.OfLabel(resized.Codes, w, h, code);
            var area = region.Area;
            if (area == 0) continue;   // a label the map does not contain in this image: no target, nothing to reject
            var boxes = region.Components().Where(c => c.Area >= regions.MinArea).Select(c => c.Box).ToList();
            (string, string)? problem = area < regions.MinArea
                ? ("target-too-small", $"'{map.Labels[code - 1]}' covers {area} px after resizing to {w}x{h}, below the minimum of {regions.MinArea}")
                : null;
            targets.Add(new Target(map.Labels[code - 1], region, boxes, granularities, problem));
        }
        if (targets.Count == 0) throw new ItemRejectedException("empty-label-map", $"the label map {annotation.MaskRelative} holds none of the configured labels");
        return targets;
    }
}

using GmaiBench.Imaging;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using GmaiBench.Ingest.Raster;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Regions;

/// <summary>One thing to mark on an image: its raw label, its pixels and boxes on the image's grid, the granularities wanted, or why not.</summary>
public sealed record RegionTarget(string Label, Region Region, IReadOnlyList<PixelBox> Boxes, Granularity[] Granularities, (string Reason, string Message)? Problem);

/// <summary>
/// Draws each target on a copy of the final image and stores one case per (target, granularity), with the unmarked
/// image stored once for the audit. Shared by the 2D region stage and the volume stage, so marks look the same.
/// </summary>
public static class RegionCases
{
    public static void Emit(SourceItem item, string originalTask, string keyPrefix, Image<Rgb24> canvas, IEnumerable<RegionTarget> targets,
        PromptStyle style, RegionSettings regions, IObjectStore store, string stage, List<Case> cases, List<Reject> rejects, string? plane = null)
    {
        var baseSha = store.Put(PngWriter.Encode(canvas));
        var (phash, contrast) = PerceptualHash.Of(canvas);
        var lineWidth = style.LineWidth(canvas.Width, canvas.Height);
        foreach (var t in targets)
        {
            foreach (var granularity in t.Granularities)
            {
                var key = $"{keyPrefix}/{t.Label}/{granularity.Text()}";
                if (t.Problem is not null) { rejects.Add(Reject.OfCase(key, item.SourceId, item.Key, stage, t.Problem.Value.Reason, t.Problem.Value.Message)); continue; }
                if (granularity == Granularity.Box && t.Boxes.Count == 0)
                {
                    rejects.Add(Reject.OfCase(key, item.SourceId, item.Key, stage, "target-too-small", $"no component of '{t.Label}' reaches the minimum area of {regions.MinArea} px for a box"));
                    continue;
                }
                using var marked = canvas.Clone();
                switch (granularity)
                {
                    case Granularity.Box: VisualPrompt.Box(marked, t.Boxes, style); break;
                    case Granularity.Mask: VisualPrompt.Mask(marked, t.Region, style); break;
                    default: VisualPrompt.Contour(marked, t.Region, style); break;
                }
                var sha = store.Put(PngWriter.Encode(marked));
                var record = new RegionRecord(t.Label, granularity.Text(), t.Region.Area, t.Boxes.Select(b => new[] { b.X0, b.Y0, b.X1, b.Y1 }).ToList(), baseSha, lineWidth) { Plane = plane };
                cases.Add(new Case
                {
                    Key = key, ItemKey = item.Key, SourceId = item.SourceId, Granularity = granularity, OriginalTask = originalTask,
                    ImageSha = sha, Width = marked.Width, Height = marked.Height, Region = record.ToJson(),
                    RawLabels = [t.Label], GroupKey = item.GroupKey,
                    Phash = phash.ToString("x16"), Contrast = Math.Round(contrast, 4),
                });
            }
        }
    }

    /// <summary>The target for one label value of a label slice on the final grid; too small targets carry their problem.</summary>
    public static RegionTarget? FromLabels(ReadOnlySpan<int> labels, int width, int height, int value, string label, RegionSettings regions, string where)
    {
        var region = Region.OfLabel(labels, width, height, value);
        var area = region.Area;
        if (area == 0) return null;
        var boxes = region.Components().Where(c => c.Area >= regions.MinArea).Select(c => c.Box).ToList();
        Granularity[] granularities = regions.DeriveBoxes ? [Granularity.Mask, Granularity.Contour, Granularity.Box] : [Granularity.Mask, Granularity.Contour];
        (string, string)? problem = area < regions.MinArea
            ? ("target-too-small", $"'{label}' covers {area} px {where}, below the minimum of {regions.MinArea}")
            : null;
        return new RegionTarget(label, region, boxes, granularities, problem);
    }
}

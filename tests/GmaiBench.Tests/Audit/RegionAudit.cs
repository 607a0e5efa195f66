using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources.Layouts;
using GmaiBench.Ingest.Raster;
using GmaiBench.Ingest.Regions;
using GmaiBench.Pipeline;
using GmaiBench.Questions;
using GmaiBench.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Tests.Audit;

/// <summary>
/// Re-checks every region item against its SOURCE: the target is recomputed from the label map or boxes the
/// source annotation gives (not from what the build stored), brought onto the emitted image's grid, and the mark
/// found by comparing the emitted image with the unmarked one. A box must enclose the target without covering
/// it, a contour must be exactly the target's outline ring, a mask must cover exactly the target. Test code: the
/// suite runs it over every region item of the demo build and of the region fixtures.
/// </summary>
public static class RegionAudit
{
    public static List<string> Check(ProjectConfig config, IReadOnlyList<Question> questions, ObjectStore objects)
    {
        var problems = new List<string>();
        var settings = config.Settings;
        var cache = new SourceCache(settings);
        var items = new Dictionary<string, SourceItem>(StringComparer.Ordinal);
        foreach (var s in config.Sources.Where(s => s.Layout.Stage is StageKind.Region or StageKind.Volume))
            foreach (var i in s.Layout.Discover(s).Items) items[i.Key] = i;
        using var catalog = new WorkArea(settings.WorkDir).OpenCatalog();
        var regions = new CatalogStore(catalog).Cases().Where(c => c.Region is not null)
            .ToDictionary(c => c.Key, c => JsonSerializer.Deserialize<RegionRecord>(c.Region!)!);
        foreach (var q in questions.Where(q => q.Case.Granularity != Granularity.Image))
        {
            var where = $"{q.Key} (index {q.Index})";
            if (!items.TryGetValue(q.Case.ItemKey, out var item) || !regions.TryGetValue(q.Case.Key, out var record))
            {
                problems.Add($"{where}: its source item or region record is gone");
                continue;
            }
            using var marked = Image.Load<Rgb24>(objects.Get(q.Case.ImageSha));
            using var unmarked = Image.Load<Rgb24>(objects.Get(record.BaseImage));
            int w = marked.Width, h = marked.Height;
            if (unmarked.Width != w || unmarked.Height != h) { problems.Add($"{where}: marked and unmarked images differ in size"); continue; }
            string? sizeProblem = null;
            var target = item.Annotation switch
            {
                VolumeAnnotation v => VolumeTarget(v, record, q.Case.Granularity.Text(), w, h, settings, cache),
                StructureAnnotation s => StructureTarget(s, record, q.Case.Granularity.Text(), w, h, settings, cache),
                _ => RasterTarget(item, record, q.Case.Granularity.Text(), w, h, settings, cache, out sizeProblem),
            };
            if (sizeProblem is not null) { problems.Add($"{where}: {sizeProblem}"); continue; }
            if (target is null) { problems.Add($"{where}: the source annotation holds no '{record.Label}'"); continue; }
            var changed = new bool[w * h];
            for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                changed[y * w + x] = !marked[x, y].Equals(unmarked[x, y]);
            var diff = new Region(w, h, changed);
            var style = settings.Prompts;
            var colour = style.Colour;
            var problem = q.Case.Granularity switch
            {
                Granularity.Box => CheckBox(target.Value.Region, target.Value.Boxes, diff, marked, unmarked, style),
                Granularity.Contour => CheckExact(target.Value.Region.Outline(style.LineWidth(w, h)), marked, unmarked, (_, _) => colour, "outline"),
                _ => CheckExact(target.Value.Region, marked, unmarked, (x, y) => VisualPrompt.Blend(unmarked[x, y], colour, style.Alpha), "mask"),
            };
            if (problem is not null) problems.Add($"{where}: {problem}");
        }
        return problems;
    }

    /// <summary>Source files read once per check, however many items come from them.</summary>
    private sealed class SourceCache(PipelineSettings settings)
    {
        private readonly Dictionary<string, (int SourceWidth, int SourceHeight, int Width, int Height)> _sizes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, LabelImage> _masks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, LabelMap> _volumes = new(StringComparer.Ordinal);

        public (int SourceWidth, int SourceHeight, int Width, int Height) Size(string path)
        {
            if (!_sizes.TryGetValue(path, out var size))
            {
                using var source = RasterDecoder.DecodeImage(File.ReadAllBytes(path), settings.Image);
                _sizes[path] = size = (source.SourceWidth, source.SourceHeight, source.Image.Width, source.Image.Height);
            }
            return size;
        }

        public LabelImage Mask(MaskAnnotation m, int w, int h)
        {
            var key = $"{m.MaskPath}|{w}x{h}";
            if (!_masks.TryGetValue(key, out var map)) _masks[key] = map = LabelImageDecoder.Decode(File.ReadAllBytes(m.MaskPath), m, settings.Image).Resize(w, h);
            return map;
        }

        public LabelMap Volume(string path)
        {
            if (!_volumes.TryGetValue(path, out var map)) _volumes[path] = map = NiftiReader.ReadLabels(path).ToCanonical();
            return map;
        }

        private readonly Dictionary<string, (LabelMap Map, GmaiBench.Ingest.Dicom.RgbFrame Colour)> _colour = new(StringComparer.Ordinal);

        /// <summary>
        /// A structure object's region, rasterised again from the object and its series read in this process (the same
        /// reading as the decoder child's); on a colour image, the region's mask on the stored frame with that frame.
        /// </summary>
        public (LabelMap Map, GmaiBench.Ingest.Dicom.RgbFrame? Colour)? Structure(StructureAnnotation s, string region)
        {
            var key = $"{s.ObjectPath}|{region}";
            if (_volumes.TryGetValue(key, out var cached)) return (cached, null);
            if (_colour.TryGetValue(key, out var colour)) return (colour.Map, colour.Colour);
            var pairing = GmaiBench.Ingest.Dicom.StructureObjects.Pair(s.ObjectPath, s.SeriesFiles);
            foreach (var mask in pairing.Masks)
            {
                if (pairing.Series.Colour is { } frame) _colour.TryAdd($"{s.ObjectPath}|{mask.Region.Name}", (mask.Map, frame));
                else _volumes.TryAdd($"{s.ObjectPath}|{mask.Region.Name}", mask.Map.ToCanonical());
            }
            return _volumes.TryGetValue(key, out cached) ? (cached, null) : _colour.TryGetValue(key, out colour) ? (colour.Map, colour.Colour) : null;
        }
    }

    private static (Region Region, List<PixelBox> Boxes)? RasterTarget(SourceItem item, RegionRecord record, string granularity, int width, int height,
        PipelineSettings settings, SourceCache cache, out string? problem)
    {
        problem = null;
        var (sourceWidth, sourceHeight, w, h) = cache.Size(item.FullPath);
        if (w != width || h != height) { problem = $"the source image no longer gives a {width}x{height} image"; return null; }
        var label = record.Label;
        switch (item.Annotation)
        {
            case BoxAnnotation b:
            {
                var boxes = b.Boxes.Where(x => x.Label == label)
                    .Select(x => BoxConvention.Scale(x.Box.ClipTo(sourceWidth, sourceHeight), sourceWidth, sourceHeight, w, h).ClipTo(w, h))
                    .Where(x => !x.IsEmpty).ToList();
                return boxes.Count == 0 ? null : (Region.OfBoxes(w, h, boxes), boxes);
            }
            case MaskAnnotation m:
            {
                var map = cache.Mask(m, w, h);
                var code = map.Labels.ToList().IndexOf(label) + 1;
                if (code == 0) return null;
                var region = Region.OfLabel(map.Codes, w, h, code);
                var boxes = granularity == "box" ? region.Components().Where(c => c.Area >= settings.Regions.MinArea).Select(c => c.Box).ToList() : [];
                return region.Area == 0 ? null : (region, boxes);
            }
            default:
                return null;
        }
    }

    /// <summary>The target of a volume slice, recomputed from the label-map file: canonical orientation, the slice, the shared grid.</summary>
    private static (Region Region, List<PixelBox> Boxes)? VolumeTarget(VolumeAnnotation v, RegionRecord record, string granularity, int w, int h, PipelineSettings settings, SourceCache cache)
    {
        if (record.Plane is null) return null;
        var parts = record.Plane.Split('/');
        var plane = new SlicePlane(VolumeLayoutOptions.Axis(parts[0]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        var value = v.Values.Where(kv => kv.Value == record.Label).Select(kv => kv.Key).FirstOrDefault();
        if (value == 0) return null;
        return PlaneTarget(cache.Volume(v.LabelPath), plane, value, granularity, w, h, settings);
    }

    private static (Region Region, List<PixelBox> Boxes)? StructureTarget(StructureAnnotation s, RegionRecord record, string granularity, int w, int h, PipelineSettings settings, SourceCache cache)
    {
        if (record.Plane is null || cache.Structure(s, record.Label) is not { } found) return null;
        var parts = record.Plane.Split('/');
        if (found.Colour is { } colour)
        {
            // A colour image's region: the mask of the frame shown, at the emitted size by nearest neighbour.
            if (record.Plane != $"frame/{colour.Frame:0000}" || RasterDecoder.CappedSize(colour.Width, colour.Height, settings.Image.MaxSide) != (w, h)) return null;
            var region = Region.OfLabel(GmaiBench.Ingest.Volumes.VolumeStage.ColourMask(found.Map, colour, w, h), w, h, 1);
            var boxes = granularity == "box" ? region.Components().Where(c => c.Area >= settings.Regions.MinArea).Select(c => c.Box).ToList() : [];
            return region.Area == 0 ? null : (region, boxes);
        }
        var plane = new SlicePlane(VolumeLayoutOptions.Axis(parts[0]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        return PlaneTarget(found.Map, plane, 1, granularity, w, h, settings);
    }

    private static (Region Region, List<PixelBox> Boxes)? PlaneTarget(LabelMap labels, SlicePlane plane, int value, string granularity, int w, int h, PipelineSettings settings)
    {
        var sampling = SliceRenderer.Sampling(labels.Grid, plane, settings.Image.MaxSide);
        var slice = SliceRenderer.RenderLabels(labels, plane, sampling);
        if (slice.Width != w || slice.Height != h) return null;
        var region = Region.OfLabel(slice.Labels, w, h, value);
        var boxes = granularity == "box" ? region.Components().Where(c => c.Area >= settings.Regions.MinArea).Select(c => c.Box).ToList() : [];
        return region.Area == 0 ? null : (region, boxes);
    }

    /// <summary>Every pixel of <paramref name="expected"/> carries the expected colour and no other pixel changed.</summary>
    private static string? CheckExact(Region expected, Image<Rgb24> marked, Image<Rgb24> unmarked, Func<int, int, Rgb24> colourAt, string what)
    {
        for (var y = 0; y < marked.Height; y++)
        for (var x = 0; x < marked.Width; x++)
        {
            var want = expected[x, y] ? colourAt(x, y) : unmarked[x, y];
            if (!marked[x, y].Equals(want)) return $"the {what} differs from the source target at ({x}, {y})";
        }
        return null;
    }

    /// <summary>The box lines lie outside the target, cover none of it, and every target pixel sits inside a drawn box.</summary>
    private static string? CheckBox(Region target, List<PixelBox> boxes, Region diff, Image<Rgb24> marked, Image<Rgb24> unmarked, PromptStyle style)
    {
        for (var i = 0; i < diff.Pixels.Length; i++)
            if (diff.Pixels[i] && target.Pixels[i]) return $"the box covers target pixel ({i % diff.Width}, {i / diff.Width})";
        var drawn = VisualPrompt.BoxPixels(target.Width, target.Height, boxes, style.LineWidth(target.Width, target.Height));
        var colour = style.Colour;
        for (var y = 0; y < target.Height; y++)
        for (var x = 0; x < target.Width; x++)
        {
            if (drawn[x, y] && !marked[x, y].Equals(colour)) return $"the box line is missing at ({x}, {y})";
            if (!drawn[x, y] && !marked[x, y].Equals(unmarked[x, y])) return $"a pixel outside the box lines changed at ({x}, {y})";
            if (target[x, y] && !boxes.Any(b => b.Contains(x, y))) return $"target pixel ({x}, {y}) is not enclosed by a box";
        }
        return null;
    }
}

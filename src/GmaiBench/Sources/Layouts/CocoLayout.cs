using System.Globalization;
using System.Text.Json;
using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record CocoOptions(string Annotations, string Images) : LayoutOptions;

/// <summary>
/// <c>coco</c>: COCO detection JSON (<c>images</c>, <c>annotations</c> with <c>bbox: [x, y, width, height]</c> in
/// pixel-edge coordinates, <c>categories</c>). Each image with valid boxes is an item; a bad annotation is a reject.
/// </summary>
public sealed class CocoLayout : ISourceLayout
{
    public string Name => "coco";
    public Granularity Granularity => Granularity.Box;
    public string OriginalTask => "DET_2D";
    public string Describe => "COCO detection JSON; options: annotations, images";

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        if (options is null)
        {
            r.Error(null, YamlConfigReader.Join(path, "annotations"), "coco needs options.annotations (the JSON file, relative to the source root)");
            return new CocoOptions("", "");
        }
        r.CheckKeys(options, path, "annotations", "images");
        var o = new CocoOptions(r.String(options, "annotations", path, required: true) ?? "", r.String(options, "images", path) ?? "");
        Layouts.RequireFile(r, options, "annotations", path, root, o.Annotations);
        return o;
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    public Discovery Discover(SourceDefinition source)
    {
        var o = (CocoOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var file = SourcePaths.ResolveInside(source.Root, o.Annotations, out var problem);
        Reject Bad(string key, string reason, string message) => new($"{source.Id}/{o.Annotations}#{key}", source.Id, $"{o.Annotations}#{key}", "discover", reason, message);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(file ?? throw new FileNotFoundException(problem))); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new Discovery([], [Bad("file", "bad-annotation-file", $"{o.Annotations}: {(file is null ? problem : ParseErrors.Json(e))}")], []);
        }
        using (doc)
        {
            var root = doc.RootElement;
            // A file of the wrong shape is named with the JSON path at fault, never read as an empty dataset.
            if (root.ValueKind != JsonValueKind.Object)
                return new Discovery([], [Bad("file", "bad-annotation-file", $"{o.Annotations}: $ must be a JSON object with images, annotations and categories; found {Kind(root)}")], []);
            foreach (var name in new[] { "images", "annotations", "categories" })
            {
                if (!root.TryGetProperty(name, out var member))
                    return new Discovery([], [Bad("file", "bad-annotation-file", $"{o.Annotations}: $.{name} is missing")], []);
                if (member.ValueKind != JsonValueKind.Array)
                    return new Discovery([], [Bad("file", "bad-annotation-file", $"{o.Annotations}: $.{name} must be an array; found {Kind(member)}")], []);
            }
            var images = new SortedDictionary<long, (string File, double W, double H)>();
            var categories = new Dictionary<long, string>();
            var at = 0;
            foreach (var img in Array(root, "images"))
            {
                if (img.ValueKind == JsonValueKind.Object && TryLong(img, "id", out var id) && img.TryGetProperty("file_name", out var fn) && fn.ValueKind == JsonValueKind.String)
                    images[id] = (fn.GetString()!, Number(img, "width"), Number(img, "height"));
                else rejects.Add(Bad($"images[{at}]", "bad-annotation", $"{o.Annotations}: $.images[{at}] needs a whole-number id and a file_name string"));
                at++;
            }
            at = 0;
            foreach (var cat in Array(root, "categories"))
            {
                if (cat.ValueKind == JsonValueKind.Object && TryLong(cat, "id", out var id) && cat.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                    categories[id] = n.GetString()!;
                else rejects.Add(Bad($"categories[{at}]", "bad-annotation", $"{o.Annotations}: $.categories[{at}] needs a whole-number id and a name string"));
                at++;
            }
            var boxes = images.Keys.ToDictionary(k => k, _ => new List<LabelledBox>());
            var i = 0;
            foreach (var ann in Array(root, "annotations"))
            {
                if (ann.ValueKind != JsonValueKind.Object)
                {
                    rejects.Add(Bad($"annotations[{i}]", "bad-annotation", $"{o.Annotations}: $.annotations[{i}] must be an object; found {Kind(ann)}"));
                    i++;
                    continue;
                }
                var key = TryLong(ann, "id", out var annId) ? $"annotation:{annId}" : $"annotations[{i}]";
                i++;
                if (!TryLong(ann, "image_id", out var imageId) || !images.TryGetValue(imageId, out var image))
                {
                    rejects.Add(Bad(key, "unknown-image-id", $"image_id {(ann.TryGetProperty("image_id", out var v) ? v.ToString() : "(none)")} is not in images"));
                    continue;
                }
                if (!TryLong(ann, "category_id", out var catId) || !categories.TryGetValue(catId, out var label))
                {
                    rejects.Add(Bad(key, "unknown-category", $"category_id {(ann.TryGetProperty("category_id", out var v) ? v.ToString() : "(none)")} is not in categories"));
                    continue;
                }
                if (!ann.TryGetProperty("bbox", out var bb) || bb.ValueKind != JsonValueKind.Array || bb.GetArrayLength() != 4 || bb.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                {
                    rejects.Add(Bad(key, "bad-box", "bbox must be [x, y, width, height]"));
                    continue;
                }
                var c = bb.EnumerateArray().Select(x => x.GetDouble()).ToArray();
                var box = BoxConvention.ToPixels(c[0], c[1], c[2], c[3], BoxFormat.Xywh, BoxCoordinates.PixelEdge, out var reason, out var message);
                if (box is null) { rejects.Add(Bad(key, reason!, message!)); continue; }
                if (image.W > 0 && image.H > 0 && box.Value.ClipTo((int)image.W, (int)image.H).IsEmpty)
                {
                    rejects.Add(Bad(key, "box-outside-image", $"box {box} lies outside the {image.W}x{image.H} image"));
                    continue;
                }
                boxes[imageId].Add(new LabelledBox(label, box.Value, key));
            }
            var pattern = GroupKeys.Compile(source.GroupPattern);
            foreach (var (id, image) in images)
            {
                var rel = o.Images.Length == 0 ? image.File : $"{o.Images.TrimEnd('/')}/{image.File}";
                DetectionItems.Add(source, rel, boxes[id], items, rejects, pattern);
            }
        }
        return new Discovery(items.OrderBy(x => x.Key, StringComparer.Ordinal).ToList(), rejects, []);
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];

    private static bool TryLong(JsonElement e, string name, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out value);
    }

    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
}

/// <summary>Option checks shared by layouts.</summary>
public static class Layouts
{
    /// <summary>Reports when an options path is missing, escapes the root, or is not a file.</summary>
    public static void RequireFile(YamlConfigReader r, YamlMappingNode options, string key, string path, string root, string value)
    {
        if (value.Length == 0 || !Directory.Exists(root)) return;
        var full = SourcePaths.ResolveInside(root, value, out var problem);
        if (full is null) r.Error(r.Get(options, key), YamlConfigReader.Join(path, key), problem!);
        else if (!File.Exists(full)) r.Error(r.Get(options, key), YamlConfigReader.Join(path, key), $"file not found: {value}");
    }

    /// <summary>Reports when an options path is missing, escapes the root, or is not a folder.</summary>
    public static void RequireFolder(YamlConfigReader r, YamlMappingNode options, string key, string path, string root, string value)
    {
        if (!Directory.Exists(root)) return;
        var full = SourcePaths.ResolveInside(root, value.Length == 0 ? "." : value, out var problem);
        if (value.Length > 0 && full is null) r.Error(r.Get(options, key), YamlConfigReader.Join(path, key), problem!);
        else if (full is not null && !Directory.Exists(full)) r.Error(r.Get(options, key), YamlConfigReader.Join(path, key), $"folder not found: {value}");
    }

    /// <summary><c>values: {1: liver, 2: spleen}</c>: label value -> raw label; 0 is background and refused.</summary>
    public static Dictionary<int, string> LabelValues(YamlConfigReader r, YamlMappingNode options, string path, int max = int.MaxValue)
    {
        var values = new Dictionary<int, string>();
        foreach (var (k, v, line) in r.StringMap(options, "values", path) ?? [])
        {
            if (!int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > max)
                r.Issues.Add(new ConfigIssue(r.File, line, $"{path}.values.{k}",
                    max == int.MaxValue ? "a label value must be a positive whole number (0 is background)" : $"a label value must be a whole number from 1 to {max} (0 is background)"));
            else values[value] = v;
        }
        return values;
    }

    public static double ParseNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
}

using System.Globalization;
using System.Text.RegularExpressions;
using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record MaskPairsOptions(
    string Images, string Masks, string MaskSuffix, string MaskExtension,
    IReadOnlyDictionary<int, string> Values, IReadOnlyDictionary<string, string> Colours, IReadOnlyList<string> Extensions) : LayoutOptions;

/// <summary>
/// <c>mask-pairs-2d</c>: an image and a label-map PNG of the same size (<c>masks/&lt;stem&gt;&lt;suffix&gt;.png</c>).
/// The label map is read by value (grayscale or palette index) through <c>values</c>, or by colour through
/// <c>colors</c> (<c>"#rrggbb": label</c>). Each label present gives a mask item and a contour item.
/// </summary>
public sealed partial class MaskPairsLayout : ISourceLayout
{
    public string Name => "mask-pairs-2d";
    public Granularity Granularity => Granularity.Mask;
    public string OriginalTask => "SEG_2D";
    public string Describe => "image + label-map PNG pairs; options: images, masks, mask_suffix, mask_extension, values, colors, extensions";

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColour();

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        var values = new Dictionary<int, string>();
        var colours = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options is null)
        {
            r.Error(null, YamlConfigReader.Join(path, "values"), "mask-pairs-2d needs options.values (label value -> label) or options.colors (\"#rrggbb\" -> label)");
            return new MaskPairsOptions("images", "masks", "", ".png", values, colours, ImageFolderLayout.DefaultExtensions);
        }
        r.CheckKeys(options, path, "images", "masks", "mask_suffix", "mask_extension", "values", "colors", "extensions");
        values = Layouts.LabelValues(r, options, path, max: 65535);
        foreach (var (k, v, line) in r.StringMap(options, "colors", path) ?? [])
        {
            if (!HexColour().IsMatch(k)) r.Issues.Add(new ConfigIssue(r.File, line, $"{path}.colors.{k}", "a colour must be written \"#rrggbb\""));
            else colours[k.ToLowerInvariant()] = v;
        }
        if (values.Count == 0 && colours.Count == 0)
            r.Error(options, YamlConfigReader.Join(path, "values"), "give options.values (label value -> label) or options.colors (\"#rrggbb\" -> label)");
        var ext = r.StringList(options, "extensions", path);
        return new MaskPairsOptions(
            r.String(options, "images", path) ?? "images", r.String(options, "masks", path) ?? "masks",
            r.String(options, "mask_suffix", path) ?? "", r.String(options, "mask_extension", path) ?? ".png",
            values, colours, ext is null ? ImageFolderLayout.DefaultExtensions : ImageFolderLayout.NormaliseExtensions(ext));
    }

    public Discovery Discover(SourceDefinition source)
    {
        var o = (MaskPairsOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var ignored = new List<string>();
        var imageRoot = SourcePaths.ResolveInside(source.Root, o.Images, out var problem);
        if (imageRoot is null || !Directory.Exists(imageRoot))
            return new Discovery([], [new Reject($"{source.Id}/{o.Images}", source.Id, o.Images, "discover", "missing-folder", problem ?? $"image folder '{o.Images}' not found")], []);
        var pattern = GroupKeys.Compile(source.GroupPattern);
        var labels = o.Values.Values.Concat(o.Colours.Values).Distinct().Order(StringComparer.Ordinal).ToList();
        var walk = SourceTree.Files(source.Root, imageRoot);
        rejects.AddRange(SourceTree.Rejects(source, walk));
        foreach (var full in walk.Files)
        {
            var rel = SourcePaths.Relative(source.Root, full);
            if (!o.Extensions.Contains(Path.GetExtension(full).ToLowerInvariant())) { ignored.Add(rel); continue; }
            var stem = Path.ChangeExtension(SourcePaths.Relative(imageRoot, full), null);
            var maskRel = $"{o.Masks.TrimEnd('/')}/{stem}{o.MaskSuffix}{o.MaskExtension}";
            var key = $"{source.Id}/{rel}";
            var mask = SourcePaths.ResolveInside(source.Root, maskRel, out problem);
            if (mask is null) { rejects.Add(new Reject(key, source.Id, rel, "discover", "path-escapes-root", problem!)); continue; }
            if (!File.Exists(mask)) { rejects.Add(new Reject(key, source.Id, rel, "discover", "missing-mask", $"no label map at {maskRel}")); continue; }
            items.Add(new SourceItem(key, source.Id, rel, full, labels, GroupKeys.From(source.Id, rel, pattern, null))
            {
                Annotation = new MaskAnnotation(mask, maskRel, o.Values, o.Colours),
            });
        }
        return new Discovery(items, rejects, ignored);
    }
}

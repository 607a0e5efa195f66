using System.Xml;
using System.Xml.Linq;
using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record VocOptions(string Annotations, string Images) : LayoutOptions;

/// <summary>
/// <c>voc</c>: Pascal VOC XML, one file per image (<c>filename</c>, <c>size</c>, <c>object/name</c>,
/// <c>object/bndbox</c> with 1-based inclusive pixel indices <c>xmin ymin xmax ymax</c>).
/// </summary>
public sealed class VocLayout : ISourceLayout
{
    public string Name => "voc";
    public Granularity Granularity => Granularity.Box;
    public string OriginalTask => "DET_2D";
    public string Describe => "Pascal VOC XML per image; options: annotations (folder), images (folder)";

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        var o = new VocOptions("Annotations", "JPEGImages");
        if (options is not null)
        {
            r.CheckKeys(options, path, "annotations", "images");
            o = new VocOptions(r.String(options, "annotations", path) ?? o.Annotations, r.String(options, "images", path) ?? o.Images);
            Layouts.RequireFolder(r, options, "annotations", path, root, o.Annotations);
        }
        return o;
    }

    public Discovery Discover(SourceDefinition source)
    {
        var o = (VocOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var dir = SourcePaths.ResolveInside(source.Root, o.Annotations, out var problem);
        if (dir is null || !Directory.Exists(dir))
            return new Discovery([], [new Reject($"{source.Id}/{o.Annotations}", source.Id, o.Annotations, "discover", "missing-folder", problem ?? $"annotation folder '{o.Annotations}' not found")], []);
        var pattern = GroupKeys.Compile(source.GroupPattern);
        var walk = SourceTree.Files(source.Root, dir);
        rejects.AddRange(SourceTree.Rejects(source, walk));
        foreach (var xml in walk.Files.Where(f => f.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)))
        {
            var rel = SourcePaths.Relative(source.Root, xml);
            Reject Bad(string part, string reason, string message) => new($"{source.Id}/{rel}{part}", source.Id, $"{rel}{part}", "discover", reason, message);
            XDocument doc;
            try { doc = XDocument.Load(xml, LoadOptions.SetLineInfo); }
            catch (XmlException e) { rejects.Add(Bad("", "bad-annotation-file", ParseErrors.Xml(e))); continue; }
            var ann = doc.Root;
            var file = ann?.Element("filename")?.Value.Trim();
            if (ann is null || string.IsNullOrEmpty(file)) { rejects.Add(Bad("", "bad-annotation-file", "no <filename>")); continue; }
            double width = Layouts.ParseNumber(ann.Element("size")?.Element("width")?.Value ?? ""), height = Layouts.ParseNumber(ann.Element("size")?.Element("height")?.Value ?? "");
            var boxes = new List<LabelledBox>();
            var n = 0;
            foreach (var obj in ann.Elements("object"))
            {
                var part = $"#object[{n++}]";
                var name = obj.Element("name")?.Value.Trim();
                var bb = obj.Element("bndbox");
                if (string.IsNullOrEmpty(name)) { rejects.Add(Bad(part, "unknown-category", "the object has no <name>")); continue; }
                if (bb is null) { rejects.Add(Bad(part, "bad-box", "the object has no <bndbox>")); continue; }
                double V(string e) => Layouts.ParseNumber(bb.Element(e)?.Value ?? "");
                var box = BoxConvention.ToPixels(V("xmin"), V("ymin"), V("xmax"), V("ymax"), BoxFormat.Xyxy, BoxCoordinates.OneBasedIndex, out var reason, out var message);
                if (box is null) { rejects.Add(Bad(part, reason!, message!)); continue; }
                if (width > 0 && height > 0 && box.Value.ClipTo((int)width, (int)height).IsEmpty)
                {
                    rejects.Add(Bad(part, "box-outside-image", $"box {box} lies outside the {width}x{height} image"));
                    continue;
                }
                boxes.Add(new LabelledBox(name, box.Value, $"{rel}{part}"));
            }
            var imageRel = o.Images.Length == 0 ? file : $"{o.Images.TrimEnd('/')}/{file}";
            DetectionItems.Add(source, imageRel, boxes, items, rejects, pattern);
        }
        return new Discovery(items.OrderBy(x => x.Key, StringComparer.Ordinal).ToList(), rejects, []);
    }
}

using GmaiBench.Sources;
using GmaiBench.Model;

namespace GmaiBench.Sources.Layouts;

/// <summary>Groups valid boxes by image into detection items; images named by annotations must exist inside the root.</summary>
public static class DetectionItems
{
    public static void Add(SourceDefinition source, string imageRel, List<LabelledBox> boxes, List<SourceItem> items, List<Reject> rejects,
        System.Text.RegularExpressions.Regex? groupPattern, string? group = null)
    {
        var key = $"{source.Id}/{imageRel}";
        var full = SourcePaths.ResolveInside(source.Root, imageRel, out var problem);
        if (full is null) { rejects.Add(new Reject(key, source.Id, imageRel, "discover", "path-escapes-root", problem!)); return; }
        if (!File.Exists(full)) { rejects.Add(new Reject(key, source.Id, imageRel, "discover", "missing-file", $"the annotations name an image that does not exist: {imageRel}")); return; }
        if (boxes.Count == 0) { rejects.Add(new Reject(key, source.Id, imageRel, "discover", "no-annotation", "no valid box for this image")); return; }
        var rel = SourcePaths.Relative(source.Root, full);
        items.Add(new SourceItem($"{source.Id}/{rel}", source.Id, rel, full, boxes.Select(b => b.Label).Distinct().Order(StringComparer.Ordinal).ToList(),
            GroupKeys.From(source.Id, rel, groupPattern, group))
        {
            Annotation = new BoxAnnotation(boxes),
        });
    }
}

using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record CsvBoxesOptions(string Table, string FileColumn, string LabelColumn, BoxFormat Format, BoxCoordinates Coordinates, string Images, string? GroupColumn) : LayoutOptions
{
    public override bool NamesGroupColumn => GroupColumn is not null;
}

/// <summary>
/// <c>csv-boxes</c>: a table with one box per row: file, label and either <c>x0,y0,x1,y1</c> (<c>format: xyxy</c>)
/// or <c>x,y,w,h</c> (<c>format: xywh</c>), in 0-based inclusive pixel indices (<c>coordinates: pixel-index</c>,
/// the default) or continuous pixel-edge coordinates (<c>coordinates: pixel-edge</c>, as COCO).
/// </summary>
public sealed class CsvBoxesLayout : ISourceLayout
{
    public string Name => "csv-boxes";
    public Granularity Granularity => Granularity.Box;
    public string OriginalTask => "DET_2D";
    public string Describe => "a table of boxes; options: table, file_column, label_column, format (xyxy|xywh), coordinates (pixel-index|pixel-edge), images, group_column";

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        if (options is null)
        {
            r.Error(null, YamlConfigReader.Join(path, "table"), "csv-boxes needs options.table");
            return new CsvBoxesOptions("", "file", "label", BoxFormat.Xyxy, BoxCoordinates.PixelIndex, "", null);
        }
        r.CheckKeys(options, path, "table", "file_column", "label_column", "format", "coordinates", "images", "group_column");
        var format = r.String(options, "format", path) ?? "xyxy";
        var coords = r.String(options, "coordinates", path) ?? "pixel-index";
        if (format is not ("xyxy" or "xywh")) r.Error(r.Get(options, "format"), $"{path}.format", $"expected xyxy or xywh, found '{format}'");
        if (coords is not ("pixel-index" or "pixel-edge")) r.Error(r.Get(options, "coordinates"), $"{path}.coordinates", $"expected pixel-index or pixel-edge, found '{coords}'");
        var o = new CsvBoxesOptions(r.String(options, "table", path, required: true) ?? "", r.String(options, "file_column", path) ?? "file",
            r.String(options, "label_column", path) ?? "label", format == "xywh" ? BoxFormat.Xywh : BoxFormat.Xyxy,
            coords == "pixel-edge" ? BoxCoordinates.PixelEdge : BoxCoordinates.PixelIndex, r.String(options, "images", path) ?? "", r.String(options, "group_column", path));
        Layouts.RequireFile(r, options, "table", path, root, o.Table);
        return o;
    }

    public static string[] CoordinateColumns(BoxFormat f) => f == BoxFormat.Xywh ? ["x", "y", "w", "h"] : ["x0", "y0", "x1", "y1"];

    public Discovery Discover(SourceDefinition source)
    {
        var o = (CsvBoxesOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var path = SourcePaths.ResolveInside(source.Root, o.Table, out var problem);
        if (path is null || !File.Exists(path))
            return new Discovery([], [new Reject($"{source.Id}/{o.Table}", source.Id, o.Table, "discover", "missing-table", problem ?? $"box table not found: {o.Table}")], []);
        var table = CsvTable.Read(path);
        rejects.AddRange(table.Rejects(source.Id, o.Table));
        var cols = CoordinateColumns(o.Format).Select(table.Column).ToArray();
        int fileCol = table.Column(o.FileColumn), labelCol = table.Column(o.LabelColumn), groupCol = o.GroupColumn is null ? -1 : table.Column(o.GroupColumn);
        if (fileCol < 0 || labelCol < 0 || cols.Any(c => c < 0))
            return new Discovery([], [new Reject($"{source.Id}/{o.Table}", source.Id, o.Table, "discover", "bad-table",
                $"columns {o.FileColumn}, {o.LabelColumn}, {string.Join(", ", CoordinateColumns(o.Format))} are required; found: {string.Join(", ", table.Header)}")], []);
        var byImage = new SortedDictionary<string, (List<LabelledBox> Boxes, string? Group)>(StringComparer.Ordinal);
        foreach (var (line, cells) in table.Rows)
        {
            string Cell(int i) => i >= 0 && i < cells.Count ? cells[i].Trim() : "";
            var where = $"{o.Table}:{line}";
            Reject Bad(string reason, string message) => new($"{source.Id}/{where}", source.Id, where, "discover", reason, message);
            var file = Cell(fileCol);
            var label = Cell(labelCol);
            if (file.Length == 0) { rejects.Add(Bad("bad-row", "the row names no file")); continue; }
            if (label.Length == 0) { rejects.Add(Bad("no-label", "the row gives no label")); continue; }
            var v = cols.Select(c => Layouts.ParseNumber(Cell(c))).ToArray();
            var box = BoxConvention.ToPixels(v[0], v[1], v[2], v[3], o.Format, o.Coordinates, out var reason, out var message);
            if (box is null) { rejects.Add(Bad(reason!, message!)); continue; }
            var rel = o.Images.Length == 0 ? file : $"{o.Images.TrimEnd('/')}/{file}";
            if (!byImage.TryGetValue(rel, out var entry)) byImage[rel] = entry = ([], groupCol >= 0 ? Cell(groupCol) : null);
            entry.Boxes.Add(new LabelledBox(label, box.Value, where));
        }
        var pattern = GroupKeys.Compile(source.GroupPattern);
        foreach (var (rel, (boxes, group)) in byImage) DetectionItems.Add(source, rel, boxes, items, rejects, pattern, group);
        return new Discovery(items.OrderBy(x => x.Key, StringComparer.Ordinal).ToList(), rejects, []);
    }
}

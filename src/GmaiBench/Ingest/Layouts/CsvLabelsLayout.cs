using GmaiBench.Configuration;
using GmaiBench.Ingest.Annotations;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Ingest.Layouts;

public sealed record CsvLabelsOptions(
    string Table,
    string FileColumn,
    string LabelColumn,
    string LabelSeparator,
    string? GroupColumn,
    string ImageDir) : LayoutOptions;

/// <summary>
/// <c>csv-labels</c>: a table of file -> label(s). Several labels in one cell (split on
/// <c>label_separator</c>) make a multi-label item. Paths are relative to <c>image_dir</c> under the root.
/// </summary>
public sealed class CsvLabelsLayout : ISourceLayout
{
    public string Name => "csv-labels";
    public string Granularity => "image";
    public string OriginalTask => "CLS_2D";
    public string Describe => "a table of file -> label(s); options: table, file_column, label_column, label_separator, group_column, image_dir";

    public LayoutOptions ParseOptions(YamlConfigReader reader, YamlMappingNode? options, string path, string root)
    {
        if (options is null)
        {
            reader.Error(null, YamlConfigReader.Join(path, "table"), "csv-labels needs options.table (the CSV file, relative to the source root)");
            return new CsvLabelsOptions("", "file", "label", ";", null, "");
        }
        reader.CheckKeys(options, path, "table", "file_column", "label_column", "label_separator", "group_column", "image_dir");
        var table = reader.String(options, "table", path, required: true) ?? "";
        var o = new CsvLabelsOptions(
            table,
            reader.String(options, "file_column", path) ?? "file",
            reader.String(options, "label_column", path) ?? "label",
            reader.String(options, "label_separator", path) ?? ";",
            reader.String(options, "group_column", path),
            reader.String(options, "image_dir", path) ?? "");
        if (table.Length > 0 && Directory.Exists(root))
        {
            var tableNode = reader.Get(options, "table");
            var full = SourcePaths.ResolveInside(root, table, out var problem);
            if (full is null) reader.Error(tableNode, YamlConfigReader.Join(path, "table"), problem!);
            else if (!File.Exists(full)) reader.Error(tableNode, YamlConfigReader.Join(path, "table"), $"file not found: {full}");
            else
            {
                var header = CsvTable.Read(full).Header;
                foreach (var (key, col) in new[] { ("file_column", o.FileColumn), ("label_column", o.LabelColumn), ("group_column", o.GroupColumn) })
                {
                    if (col is not null && !header.Contains(col))
                        reader.Error(reader.Get(options, key) ?? tableNode, YamlConfigReader.Join(path, key),
                            $"column '{col}' is not in {table}{Suggest.DidYouMean(col, header)}; its columns are: {string.Join(", ", header)}");
                }
            }
        }
        return o;
    }

    public Discovery Discover(SourceDefinition source)
    {
        var options = (CsvLabelsOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var tablePath = SourcePaths.ResolveInside(source.Root, options.Table, out var tableProblem);
        if (tablePath is null || !File.Exists(tablePath))
        {
            rejects.Add(new Reject($"{source.Id}/{options.Table}", source.Id, options.Table, "discover", "missing-table",
                tableProblem ?? $"label table not found: {options.Table}"));
            return new Discovery(items, rejects, []);
        }
        var table = CsvTable.Read(tablePath);
        int fileCol = table.Column(options.FileColumn), labelCol = table.Column(options.LabelColumn);
        var groupCol = options.GroupColumn is null ? -1 : table.Column(options.GroupColumn);
        if (fileCol < 0 || labelCol < 0)
        {
            rejects.Add(new Reject($"{source.Id}/{options.Table}", source.Id, options.Table, "discover", "bad-table",
                $"columns '{options.FileColumn}' and '{options.LabelColumn}' are required; found: {string.Join(", ", table.Header)}"));
            return new Discovery(items, rejects, []);
        }
        var pattern = GroupKeys.Compile(source.GroupPattern);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, cells) in table.Rows)
        {
            string Cell(int i) => i >= 0 && i < cells.Count ? cells[i].Trim() : "";
            var file = Cell(fileCol);
            var where = $"{options.Table}:{line}";
            if (file.Length == 0)
            {
                rejects.Add(new Reject($"{source.Id}/{where}", source.Id, where, "discover", "bad-row", "the row names no file"));
                continue;
            }
            var rel = options.ImageDir.Length == 0 ? file : $"{options.ImageDir.TrimEnd('/')}/{file}";
            var key = $"{source.Id}/{rel}";
            var full = SourcePaths.ResolveInside(source.Root, rel, out var problem);
            if (full is null)
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "path-escapes-root", $"{where}: {problem}"));
                continue;
            }
            if (!File.Exists(full))
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "missing-file", $"{where} names a file that does not exist: {rel}"));
                continue;
            }
            var labels = Cell(labelCol).Split(options.LabelSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal).ToList();
            if (labels.Count == 0)
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "no-label", $"{where} gives no label"));
                continue;
            }
            if (!seen.Add(key))
            {
                rejects.Add(new Reject(key + $"#{line}", source.Id, rel, "discover", "duplicate-row", $"{where} repeats a file already listed"));
                continue;
            }
            var relNormal = SourcePaths.Relative(source.Root, full);
            items.Add(new SourceItem($"{source.Id}/{relNormal}", source.Id, relNormal, full, labels,
                GroupKeys.From(source.Id, relNormal, pattern, groupCol >= 0 ? Cell(groupCol) : null)));
        }
        return new Discovery(items.OrderBy(i => i.Key, StringComparer.Ordinal).ToList(), rejects, []);
    }
}

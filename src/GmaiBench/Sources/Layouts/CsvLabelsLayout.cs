using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record CsvLabelsOptions(
    string Table,
    string FileColumn,
    string LabelColumn,
    string LabelSeparator,
    string? GroupColumn,
    string ImageDir) : LayoutOptions
{
    public LabelTableOptions TableOptions() => new(Table, FileColumn, LabelColumn, LabelSeparator, GroupColumn, ImageDir);

    public override bool NamesGroupColumn => GroupColumn is not null;
}

/// <summary>
/// <c>csv-labels</c>: a table of file -> label(s). Several labels in one cell (split on
/// <c>label_separator</c>) make a multi-label item. Paths are relative to <c>image_dir</c> under the root.
/// </summary>
public sealed class CsvLabelsLayout : ISourceLayout
{
    public string Name => "csv-labels";
    public Granularity Granularity => Granularity.Image;
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
        LabelTable.Validate(reader, options, path, root, o.TableOptions(),
            ("file_column", o.FileColumn), ("label_column", o.LabelColumn), ("group_column", o.GroupColumn));
        return o;
    }

    public Discovery Discover(SourceDefinition source)
    {
        var options = (CsvLabelsOptions)source.Options;
        var rejects = new List<Reject>();
        var pattern = GroupKeys.Compile(source.GroupPattern);
        var items = LabelTable.Read(source, options.TableOptions(), File.Exists, "file", rejects)
            .Select(r => new SourceItem($"{source.Id}/{r.RelativePath}", source.Id, r.RelativePath, r.FullPath, r.Labels,
                GroupKeys.From(source.Id, r.RelativePath, pattern, r.Group)))
            .OrderBy(i => i.Key, StringComparer.Ordinal).ToList();
        return new Discovery(items, rejects, []);
    }
}

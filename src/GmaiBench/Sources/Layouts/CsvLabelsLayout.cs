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
    /// <summary>Appended to each file cell (tables that name images without their extension).</summary>
    public string FileExtension { get; init; } = "";
    /// <summary>Further image folders searched in order when a file is not in <see cref="ImageDir"/>.</summary>
    public IReadOnlyList<string> MoreImageDirs { get; init; } = [];
    /// <summary>One-hot label columns (null: the labels are the text of <see cref="LabelColumn"/>).</summary>
    public IReadOnlyList<string>? LabelColumns { get; init; }
    public IReadOnlyList<string> Positive { get; init; } = ["1", "1.0"];

    public LabelTableOptions TableOptions() => new(Table, FileColumn, LabelColumn, LabelSeparator, GroupColumn, ImageDir)
    {
        PathSuffix = FileExtension, MoreBaseDirs = MoreImageDirs, LabelColumns = LabelColumns, Positive = Positive,
    };

    public override bool NamesGroupColumn => GroupColumn is not null;
}

/// <summary>
/// <c>csv-labels</c>: a table of file -> label(s). Several labels in one cell (split on
/// <c>label_separator</c>) make a multi-label item. Paths are relative to <c>image_dir</c> under the root (a list of
/// folders is searched in order); <c>file_extension</c> completes file cells written without one. One-hot tables name
/// their label columns in <c>label_columns</c>: a row takes each column whose cell is one of <c>positive</c>.
/// </summary>
public sealed class CsvLabelsLayout : ISourceLayout
{
    public string Name => "csv-labels";
    public Granularity Granularity => Granularity.Image;
    public string OriginalTask => "CLS_2D";
    public string Describe => "a table of file -> label(s); options: table, file_column, label_column (or one-hot label_columns + positive), label_separator, group_column, image_dir (one or a list), file_extension";

    public LayoutOptions ParseOptions(YamlConfigReader reader, YamlMappingNode? options, string path, string root)
    {
        if (options is null)
        {
            reader.Error(null, YamlConfigReader.Join(path, "table"), "csv-labels needs options.table (the CSV file, relative to the source root)");
            return new CsvLabelsOptions("", "file", "label", ";", null, "");
        }
        reader.CheckKeys(options, path, "table", "file_column", "label_column", "label_columns", "positive", "label_separator", "group_column", "image_dir", "file_extension");
        var table = reader.String(options, "table", path, required: true) ?? "";
        var imageDirs = reader.StringList(options, "image_dir", path) ?? [""];
        if (imageDirs.Count == 0) imageDirs = [""];
        var labelColumns = reader.StringList(options, "label_columns", path);
        if (labelColumns is not null)
        {
            foreach (var key in new[] { "label_column", "label_separator" }.Where(k => reader.Get(options, k) is not null))
                reader.Error(reader.Get(options, key), $"{path}.{key}", $"options.{key} does not apply to one-hot tables (options.label_columns)");
            if (labelColumns.Count == 0) reader.Error(reader.Get(options, "label_columns"), $"{path}.label_columns", "name at least one label column");
        }
        else if (reader.Get(options, "positive") is not null)
            reader.Error(reader.Get(options, "positive"), $"{path}.positive", "options.positive only applies with options.label_columns");
        var extension = reader.String(options, "file_extension", path) ?? "";
        if (extension.Length > 0 && !extension.StartsWith('.')) extension = "." + extension;
        var o = new CsvLabelsOptions(
            table,
            reader.String(options, "file_column", path) ?? "file",
            reader.String(options, "label_column", path) ?? "label",
            reader.String(options, "label_separator", path) ?? ";",
            reader.String(options, "group_column", path),
            imageDirs[0])
        {
            FileExtension = extension, MoreImageDirs = imageDirs.Skip(1).ToList(), LabelColumns = labelColumns,
            Positive = reader.StringList(options, "positive", path) ?? ["1", "1.0"],
        };
        var columns = new List<(string, string?)> { ("file_column", o.FileColumn), ("group_column", o.GroupColumn) };
        if (labelColumns is null) columns.Add(("label_column", o.LabelColumn));
        else columns.AddRange(labelColumns.Select(c => ("label_columns", (string?)c)));
        LabelTable.Validate(reader, options, path, root, o.TableOptions(), [.. columns]);
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

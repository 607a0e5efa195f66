using GmaiBench.Configuration;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;
using GmaiBench.Model;

namespace GmaiBench.Sources.Layouts;

/// <summary>Where a label table is and which of its columns name the input, its label(s) and its patient.</summary>
public sealed record LabelTableOptions(string Table, string PathColumn, string LabelColumn, string LabelSeparator, string? GroupColumn, string BaseDir)
{
    /// <summary>Appended to every path cell, for tables that name images without their extension (APTOS <c>id_code</c>, ISIC <c>image</c>).</summary>
    public string PathSuffix { get; init; } = "";
    /// <summary>Further folders to look in, in order, when the input is not under <see cref="BaseDir"/> (HAM10000's two image parts).</summary>
    public IReadOnlyList<string> MoreBaseDirs { get; init; } = [];
    /// <summary>
    /// One-hot tables (ISIC 2019, CheXpert): each of these columns is a label, given to the row when its cell is one of
    /// <see cref="Positive"/>. Null when the labels are the text of <see cref="LabelColumn"/>.
    /// </summary>
    public IReadOnlyList<string>? LabelColumns { get; init; }
    public IReadOnlyList<string> Positive { get; init; } = ["1", "1.0"];
}

/// <summary>
/// A CSV table of input -> label(s), shared by <c>csv-labels</c> (image files) and <c>dicom</c> (series folders or DICOM
/// files). Several labels in one cell (split on the separator) make a multi-label item. Every row becomes an item or a
/// named reject: no path, a path outside the root, a missing input, no label, a repeated input.
/// </summary>
public static class LabelTable
{
    /// <summary>One usable row: the input's source-relative path and full path, its labels, its group cell if any.</summary>
    public sealed record Row(string Where, string RelativePath, string FullPath, IReadOnlyList<string> Labels, string? Group);

    /// <summary>Checks the table exists and has the named columns (at validation time, before any build).</summary>
    public static void Validate(YamlConfigReader reader, YamlMappingNode options, string path, string root, LabelTableOptions o,
        params (string Key, string? Column)[] columns)
    {
        if (o.Table.Length == 0 || !Directory.Exists(root)) return;
        var tableNode = reader.Get(options, "table");
        var full = SourcePaths.ResolveInside(root, o.Table, out var problem);
        if (full is null) reader.Error(tableNode, YamlConfigReader.Join(path, "table"), problem!);
        else if (!File.Exists(full)) reader.Error(tableNode, YamlConfigReader.Join(path, "table"), $"file not found: {full}");
        else
        {
            var header = CsvTable.Read(full).Header;
            foreach (var (key, col) in columns)
            {
                if (col is not null && !header.Contains(col))
                    reader.Error(reader.Get(options, key) ?? tableNode, YamlConfigReader.Join(path, key),
                        $"column '{col}' is not in {o.Table}{Suggest.DidYouMean(col, header)}; its columns are: {string.Join(", ", header)}");
            }
        }
    }

    /// <summary>
    /// The rows of the table whose input exists (<paramref name="exists"/>; <paramref name="noun"/> names it in messages);
    /// every other row, or the whole table when it is missing or lacks a column, becomes a reject. An input listed on
    /// several rows is one item when they agree (the others are duplicate-row rejects) and a conflicting-rows reject when
    /// they do not.
    /// </summary>
    public static List<Row> Read(SourceDefinition source, LabelTableOptions o, Func<string, bool> exists, string noun, List<Reject> rejects)
    {
        var rows = new List<Row>();
        var tablePath = SourcePaths.ResolveInside(source.Root, o.Table, out var tableProblem);
        if (tablePath is null || !File.Exists(tablePath))
        {
            rejects.Add(new Reject($"{source.Id}/{o.Table}", source.Id, o.Table, "discover", "missing-table", tableProblem ?? $"label table not found: {o.Table}"));
            return rows;
        }
        var table = CsvTable.Read(tablePath);
        rejects.AddRange(table.Rejects(source.Id, o.Table));
        var pathCol = table.Column(o.PathColumn);
        var labelCols = (o.LabelColumns ?? [o.LabelColumn]).Select(c => (Name: c, Index: table.Column(c))).ToList();
        var groupCol = o.GroupColumn is null ? -1 : table.Column(o.GroupColumn);
        if (pathCol < 0 || labelCols.Any(c => c.Index < 0))
        {
            rejects.Add(new Reject($"{source.Id}/{o.Table}", source.Id, o.Table, "discover", "bad-table",
                $"columns {string.Join(", ", new[] { o.PathColumn }.Concat(labelCols.Select(c => c.Name)).Select(c => $"'{c}'"))} are required; found: {string.Join(", ", table.Header)}"));
            return rows;
        }
        var candidates = new List<Row>();
        foreach (var (line, cells) in table.Rows)
        {
            string Cell(int i) => i >= 0 && i < cells.Count ? cells[i].Trim() : "";
            var named = Cell(pathCol);
            var where = $"{o.Table}:{line}";
            if (named.Length == 0)
            {
                rejects.Add(new Reject($"{source.Id}/{where}", source.Id, where, "discover", "bad-row", $"{where}: the row names no {noun}"));
                continue;
            }
            named += o.PathSuffix;
            string? rel = null, full = null, problem = null;
            foreach (var dir in new[] { o.BaseDir }.Concat(o.MoreBaseDirs))
            {
                rel = dir.Length == 0 ? named : $"{dir.TrimEnd('/')}/{named}";
                full = SourcePaths.ResolveInside(source.Root, rel, out problem);
                if (full is null || exists(full)) break;
            }
            var key = $"{source.Id}/{rel}";
            if (full is null)
            {
                rejects.Add(new Reject(key, source.Id, rel!, "discover", "path-escapes-root", $"{where}: {problem}"));
                continue;
            }
            if (!exists(full))
            {
                var looked = o.MoreBaseDirs.Count == 0 ? rel : $"{named} (looked in {string.Join(", ", new[] { o.BaseDir }.Concat(o.MoreBaseDirs).Select(d => d.Length == 0 ? "the root" : d))})";
                rejects.Add(new Reject(key, source.Id, rel!, "discover", "missing-file", $"{where} names a {noun} that does not exist: {looked}"));
                continue;
            }
            var labels = o.LabelColumns is null
                ? Cell(labelCols[0].Index).Split(o.LabelSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Distinct(StringComparer.Ordinal).ToList()
                : labelCols.Where(c => o.Positive.Contains(Cell(c.Index), StringComparer.Ordinal)).Select(c => c.Name).ToList();
            if (labels.Count == 0)
            {
                rejects.Add(new Reject(key, source.Id, rel!, "discover", "no-label",
                    o.LabelColumns is null ? $"{where} gives no label" : $"{where} marks none of the label columns ({string.Join(", ", o.LabelColumns)}) with {string.Join(" or ", o.Positive)}"));
                continue;
            }
            // "./s1", "s1/" and "s1" are one input: rows are matched on the normalised path.
            var relative = SourcePaths.Relative(source.Root, Path.TrimEndingDirectorySeparator(full));
            candidates.Add(new Row(where, relative, Path.TrimEndingDirectorySeparator(full), labels, groupCol >= 0 ? Cell(groupCol) : null));
        }
        // An input listed more than once is kept once when its rows agree, and refused when they do not: which row
        // wins must never depend on the order of the table.
        foreach (var same in candidates.GroupBy(r => r.RelativePath, StringComparer.Ordinal))
        {
            // Of agreeing rows, the one whose labels read first (ordinal) is kept, so even their written order is fixed.
            var first = same.OrderBy(r => string.Join('\u0001', r.Labels), StringComparer.Ordinal).First();
            var agree = same.All(r => r.Group == first.Group && r.Labels.Order(StringComparer.Ordinal).SequenceEqual(first.Labels.Order(StringComparer.Ordinal)));
            if (!agree)
            {
                var versions = string.Join("; ", same.Select(r => $"{r.Where} gives {string.Join("+", r.Labels)}{(r.Group is null ? "" : $" (group {r.Group})")}"));
                rejects.Add(new Reject($"{source.Id}/{first.RelativePath}", source.Id, first.RelativePath, "discover", "conflicting-rows",
                    $"{same.Count()} rows list this {noun} with different labels or groups: {versions}"));
                continue;
            }
            rows.Add(first);
            foreach (var extra in same.Where(r => !ReferenceEquals(r, first)))
                rejects.Add(new Reject($"{source.Id}/{extra.RelativePath}#{extra.Where}", source.Id, extra.RelativePath, "discover", "duplicate-row",
                    $"{extra.Where} repeats {first.Where} ({first.RelativePath})"));
        }
        return rows;
    }
}

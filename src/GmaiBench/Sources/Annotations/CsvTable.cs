using System.Text;

namespace GmaiBench.Sources.Annotations;

/// <summary>A comma- (or other-) separated table with a header row, read per RFC 4180 (quoted fields, doubled quotes).</summary>
public sealed class CsvTable
{
    public IReadOnlyList<string> Header { get; }
    /// <summary>Rows with the 1-based line number where each starts in the file.</summary>
    public IReadOnlyList<(int Line, IReadOnlyList<string> Cells)> Rows { get; }

    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<(int, IReadOnlyList<string>)> rows)
    {
        Header = header;
        Rows = rows;
    }

    public int Column(string name) => Header.ToList().FindIndex(h => string.Equals(h, name, StringComparison.Ordinal));

    public static CsvTable Read(string path, char delimiter = ',') => Parse(File.ReadAllText(path, Encoding.UTF8), delimiter);

    public static CsvTable Parse(string text, char delimiter = ',')
    {
        var records = new List<(int, IReadOnlyList<string>)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                    else inQuotes = false;
                }
                else
                {
                    if (c == '\n') line++;
                    cell.Append(c);
                }
                continue;
            }
            if (c == '"' && cell.Length == 0) { inQuotes = true; any = true; }
            else if (c == delimiter) { cells.Add(cell.ToString()); cell.Clear(); any = true; }
            else if (c == '\r') { }
            else if (c == '\n')
            {
                if (any || cell.Length > 0) { cells.Add(cell.ToString()); records.Add((recordLine, cells.ToArray())); }
                cells.Clear(); cell.Clear(); any = false;
                line++;
                recordLine = line;
            }
            else { cell.Append(c); any = true; }
        }
        if (any || cell.Length > 0) { cells.Add(cell.ToString()); records.Add((recordLine, cells.ToArray())); }
        if (records.Count == 0) return new CsvTable([], []);
        var header = records[0].Item2.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        return new CsvTable(header, records.Skip(1).ToList());
    }
}

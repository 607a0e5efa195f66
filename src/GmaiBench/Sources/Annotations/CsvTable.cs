using System.Text;

namespace GmaiBench.Sources.Annotations;

/// <summary>
/// A comma- (or other-) separated table with a header row, read strictly per RFC 4180 (quoted fields, doubled quotes).
/// Nothing is lost silently: an unterminated quote, text after a closing quote, a row whose field count differs from
/// the header's, and bytes that are not UTF-8 are <see cref="Problems"/> with the line they start on; ragged rows are
/// left out of <see cref="Rows"/>.
/// </summary>
public sealed class CsvTable
{
    public IReadOnlyList<string> Header { get; }
    /// <summary>Rows with the 1-based line number where each starts in the file.</summary>
    public IReadOnlyList<(int Line, IReadOnlyList<string> Cells)> Rows { get; }
    /// <summary>What could not be read as a row, with its 1-based line.</summary>
    public IReadOnlyList<(int Line, string Message)> Problems { get; }

    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<(int, IReadOnlyList<string>)> rows, IReadOnlyList<(int, string)> problems)
    {
        Header = header;
        Rows = rows;
        Problems = problems;
    }

    /// <summary>Each problem as a discovery reject of <paramref name="source"/>, keyed by table and line.</summary>
    public IEnumerable<GmaiBench.Model.Reject> Rejects(string sourceId, string table) =>
        Problems.Select(p => new GmaiBench.Model.Reject($"{sourceId}/{table}:{p.Line}", sourceId, $"{table}:{p.Line}", "discover", "malformed-table", $"{table}: {p.Message}"));

    public int Column(string name) => Header.ToList().FindIndex(h => string.Equals(h, name, StringComparison.Ordinal));

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CsvTable Read(string path, char delimiter = ',')
    {
        var bytes = File.ReadAllBytes(path);
        try { return Parse(StrictUtf8.GetString(bytes), delimiter); }
        catch (DecoderFallbackException e)
        {
            var at = e.Index >= 0 ? e.Index : 0;
            var line = 1 + bytes.AsSpan(0, Math.Min(at, bytes.Length)).Count((byte)'\n');
            return new CsvTable([], [], [(line, $"the table is not UTF-8 text (an invalid byte at line {line}); save it as UTF-8")]);
        }
    }

    public static CsvTable Parse(string text, char delimiter = ',')
    {
        var problems = new List<(int, string)>();
        var quoteLine = 0;
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
                    else
                    {
                        inQuotes = false;
                        var next = i + 1 < text.Length ? text[i + 1] : '\n';
                        if (next != delimiter && next != '\n' && next != '\r')
                            problems.Add((line, $"text follows a closing quote on line {line} (a quote inside a field must be doubled)"));
                    }
                }
                else
                {
                    if (c == '\n') line++;
                    cell.Append(c);
                }
                continue;
            }
            if (c == '"' && cell.Length == 0) { inQuotes = true; any = true; quoteLine = line; }
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
        if (inQuotes)
        {
            // The rest of the file went into one field: say so, and keep only the records before it.
            problems.Add((quoteLine, $"a quote opened on line {quoteLine} is never closed: lines {quoteLine}-{line} cannot be read as rows"));
            any = false;
            cell.Clear();
        }
        if (any || cell.Length > 0) { cells.Add(cell.ToString()); records.Add((recordLine, cells.ToArray())); }
        if (records.Count == 0) return new CsvTable([], [], problems);
        var header = records[0].Item2.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        var rows = new List<(int, IReadOnlyList<string>)>();
        foreach (var (at, row) in records.Skip(1))
        {
            if (row.Count == header.Length) rows.Add((at, row));
            else problems.Add((at, $"line {at} has {row.Count} field(s), the header has {header.Length}"));
        }
        return new CsvTable(header, rows, problems.OrderBy(p => p.Item1).ToList());
    }
}

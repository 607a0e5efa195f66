using System.Text;

namespace GmaiBench.Release;

/// <summary>
/// Tab-separated text as pandas reads it (<c>read_csv(sep='\t')</c>): a field is quoted only when it holds a
/// tab, a line break or a double quote (doubled inside quotes), so ordinary rows also split on plain tabs.
/// </summary>
public static class TsvFormat
{
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value.AsSpan().IndexOfAny('\t', '\n', '\r') < 0 && !value.Contains('"')) return value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    public static void WriteRow(TextWriter writer, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first) writer.Write('\t');
            writer.Write(Field(f));
            first = false;
        }
        writer.Write('\n');
    }

    /// <summary>Parses TSV written by <see cref="WriteRow"/> (and pandas' quoting): header row, then records.</summary>
    public static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else cell.Append(c);
            }
            else if (c == '"' && cell.Length == 0) inQuotes = true;
            else if (c == '\t') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); rows.Add(row.ToArray()); row.Clear(); }
            else if (c != '\r') cell.Append(c);
        }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row.ToArray()); }
        return rows;
    }

    public static UTF8Encoding Utf8 { get; } = new(encoderShouldEmitUTF8Identifier: false);
}

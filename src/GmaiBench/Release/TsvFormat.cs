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
        WriteFields(writer, fields);
        writer.Write('\n');
    }

    /// <summary>The fields of a row, tab-separated, without the line break (a caller streams a last field itself).</summary>
    public static void WriteFields(TextWriter writer, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first) writer.Write('\t');
            writer.Write(Field(f));
            first = false;
        }
    }

    /// <summary>Parses TSV written by <see cref="WriteRow"/> (and pandas' quoting): header row, then records.</summary>
    public static List<string[]> Parse(string text) => [.. ReadRows(new StringReader(text))];

    /// <summary>
    /// The rows of a TSV file one at a time (header first), so a multi-gigabyte VLMEvalKit file is read with one row in memory.
    /// </summary>
    public static IEnumerable<string[]> ReadRows(string path)
    {
        using var reader = new StreamReader(path, Utf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        foreach (var row in ReadRows(reader)) yield return row;
    }

    /// <summary>The rows read from <paramref name="reader"/> one at a time, with the quoting <see cref="Field"/> writes.</summary>
    public static IEnumerable<string[]> ReadRows(TextReader reader)
    {
        var row = new List<string>();
        var cell = new StringBuilder();
        var inQuotes = false;
        var buffer = new char[1 << 16];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                var c = buffer[i];
                if (inQuotes)
                {
                    if (c != '"') { cell.Append(c); continue; }
                    // A quote inside quotes: doubled means a literal quote, else the field's end.
                    int next = i + 1 < n ? buffer[i + 1] : reader.Peek();
                    if (next == '"') { cell.Append('"'); if (i + 1 < n) i++; else reader.Read(); }
                    else inQuotes = false;
                }
                else if (c == '"' && cell.Length == 0) inQuotes = true;
                else if (c == '\t') { row.Add(cell.ToString()); cell.Clear(); }
                else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); yield return row.ToArray(); row.Clear(); }
                else if (c != '\r') cell.Append(c);
            }
        }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); yield return row.ToArray(); }
    }

    public static UTF8Encoding Utf8 { get; } = new(encoderShouldEmitUTF8Identifier: false);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using ExcelDataReader;
using nietras.SeparatedValues;

namespace GmaiBench.Scoring;

/// <summary>One row of a predictions file: the item index it names and the model's answer text, with where it stood.</summary>
public sealed record Prediction(long Index, string Text, string Where);

/// <summary>
/// Reads the files VLMEvalKit writes after inference: <c>.xlsx</c> (its default), <c>.tsv</c>, <c>.csv</c>, <c>.json</c>
/// (records, or pandas' column mapping) and <c>.jsonl</c>, each with <c>index</c> and <c>prediction</c> columns. Rows it
/// cannot read are problems naming file and row, never silently dropped.
/// </summary>
public static class PredictionFile
{
    public static readonly string[] Extensions = [".xlsx", ".tsv", ".csv", ".json", ".jsonl"];

    // ExcelDataReader asks for Windows-1252 while it opens a workbook; .NET has it only through the code-pages provider.
    static PredictionFile() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static (List<Prediction> Rows, List<string> Problems) Read(string path)
    {
        var problems = new List<string>();
        var name = Path.GetFileName(path);
        if (!File.Exists(path)) return ([], [$"{name}: no such file"]);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        List<(string? Index, string? Prediction, string Where)> raw;
        try
        {
            raw = ext switch
            {
                ".xlsx" => Xlsx(path),
                ".tsv" => Separated(path, '\t'),
                ".csv" => Separated(path, ','),
                ".json" => Json(path),
                ".jsonl" => JsonLines(path),
                _ => throw new FormatException($"unsupported predictions format '{ext}'; supported: {string.Join(", ", Extensions)}"),
            };
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or InvalidDataException or ExcelDataReader.Exceptions.ExcelReaderException
                                       or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            return ([], [$"{name}: cannot be read: {e.Message}"]);
        }
        var rows = new List<Prediction>();
        foreach (var (index, prediction, where) in raw)
        {
            if (string.IsNullOrWhiteSpace(index) || !double.TryParse(index, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                || number != Math.Floor(number) || number < 0)
                problems.Add($"{name} {where}: index '{index}' is not a whole number");
            else rows.Add(new Prediction((long)number, prediction ?? "", $"{name} {where}"));
        }
        return (rows, problems);
    }

    private static List<(string?, string?, string)> FromTable(IReadOnlyList<string> header, IEnumerable<(string?[] Cells, string Where)> body)
    {
        var index = IndexOf(header, "index");
        var prediction = IndexOf(header, "prediction");
        return body.Select(r => (Cell(r.Cells, index), Cell(r.Cells, prediction), r.Where)).ToList();
    }

    private static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++) if (string.Equals(header[i].Trim(), column, StringComparison.OrdinalIgnoreCase)) return i;
        throw new FormatException($"no '{column}' column (columns: {string.Join(", ", header)})");
    }

    private static string? Cell(string?[] cells, int i) => i < cells.Length ? cells[i] : null;

    private static List<(string?, string?, string)> Xlsx(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
        if (!reader.Read()) throw new FormatException("the first sheet is empty");
        var header = Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "").ToList();
        var body = new List<(string?[], string)>();
        var row = 1;
        while (reader.Read())
        {
            row++;
            body.Add((Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).ToArray(), $"row {row}"));
        }
        return FromTable(header, body);
    }

    private static List<(string?, string?, string)> Separated(string path, char separator)
    {
        using var reader = Sep.New(separator).Reader(o => o with { Unescape = true, DisableColCountCheck = false }).FromFile(path);
        var header = reader.Header.ColNames.ToList();
        var body = new List<(string?[], string)>();
        foreach (var row in reader)
        {
            var cells = new string?[row.ColCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = row[i].ToString();
            body.Add((cells, $"line {row.LineNumberFrom}"));
        }
        return FromTable(header, body);
    }

    private static string? Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => e.GetRawText(),
    };

    private static (string?, string?) Record(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException($"expected an object per record, found {e.ValueKind}");
        string? Get(string name) => e.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => Text(p.Value)).FirstOrDefault();
        return (Get("index"), Get("prediction"));
    }

    private static List<(string?, string?, string)> Json(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
            return root.EnumerateArray().Select((e, i) => { var (a, b) = Record(e); return (a, b, $"record {i + 1}"); }).ToList();
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("expected an array of records or an object of columns");
        // pandas' DataFrame.to_json(): {"index": {"0": 7, ...}, "prediction": {"0": "B", ...}} (or lists).
        JsonElement Column(string name) => root.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: not JsonValueKind.Undefined } v
            ? v : throw new FormatException($"no '{name}' column");
        static List<(string Key, JsonElement Value)> Cells(JsonElement c) => c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select((v, i) => (i.ToString(CultureInfo.InvariantCulture), v)).ToList()
            : c.EnumerateObject().Select(p => (p.Name, p.Value)).ToList();
        var index = Cells(Column("index"));
        var prediction = Cells(Column("prediction")).ToDictionary(c => c.Key, c => Text(c.Value), StringComparer.Ordinal);
        return index.Select(c => (Text(c.Value), prediction.GetValueOrDefault(c.Key), $"row {c.Key}")).ToList();
    }

    private static List<(string?, string?, string)> JsonLines(string path)
    {
        var rows = new List<(string?, string?, string)>();
        var line = 0;
        foreach (var text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            using var doc = JsonDocument.Parse(text);
            var (a, b) = Record(doc.RootElement);
            rows.Add((a, b, $"line {line}"));
        }
        return rows;
    }
}

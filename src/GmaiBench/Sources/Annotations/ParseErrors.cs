using System.Text.Json;
using System.Xml;

namespace GmaiBench.Sources.Annotations;

/// <summary>Where an annotation file stops being valid, said for a person (line and column), not in the parser's words.</summary>
public static class ParseErrors
{
    public static string Json(Exception e) => e switch
    {
        JsonException { LineNumber: { } line, BytePositionInLine: { } column } => $"not valid JSON at line {line + 1}, column {column + 1}",
        JsonException => "not valid JSON",
        FileNotFoundException => "the file does not exist",
        UnauthorizedAccessException => "the file cannot be read (permission denied)",
        _ => "the file cannot be read",
    };

    public static string Xml(XmlException e) => $"not valid XML at line {e.LineNumber}, column {e.LinePosition}";
}

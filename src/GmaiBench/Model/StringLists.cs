using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmaiBench.Model;

/// <summary>
/// Label, option and department lists as JSON text (the catalog's columns, fingerprints, release item lists), written
/// exactly as <see cref="JsonSerializer"/> writes them with its defaults, but from compile-time metadata: the first
/// reflection-built serialiser of a build cost about 50 ms, paid by two threads at once while inputs were hashed.
/// </summary>
public static class StringLists
{
    public static string ToJson(IReadOnlyList<string> values) => JsonSerializer.Serialize(values, StringListJson.Default.IReadOnlyListString);

    /// <summary>The list a <see cref="ToJson"/> text holds; empty for JSON <c>null</c>.</summary>
    public static List<string> FromJson(string json) => JsonSerializer.Deserialize(json, StringListJson.Default.ListString) ?? [];
}

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class StringListJson : JsonSerializerContext;

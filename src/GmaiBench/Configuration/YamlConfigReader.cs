using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Configuration;

/// <summary>
/// Reads YAML configuration node by node, collecting every problem with its file, line and field
/// instead of stopping at the first. Unknown keys are errors (a typo must never be silently ignored).
/// </summary>
public sealed class YamlConfigReader(string file)
{
    public string File { get; } = file;
    public List<ConfigIssue> Issues { get; } = [];

    /// <summary>Parses a YAML text; a syntax error becomes an issue and null is returned.</summary>
    public YamlNode? Parse(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0)
            {
                Error(null, "(document)", "the file is empty");
                return null;
            }
            return stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            Issues.Add(new ConfigIssue(File, (int)e.Start.Line, "(syntax)", e.InnerException?.Message ?? e.Message));
            return null;
        }
    }

    public void Error(YamlNode? node, string field, string message) =>
        Issues.Add(new ConfigIssue(File, node is null ? 0 : (int)node.Start.Line, field, message));

    public YamlMappingNode? AsMap(YamlNode? node, string field)
    {
        if (node is null) return null;
        if (node is YamlMappingNode m) return m;
        Error(node, field, $"expected a mapping (key: value), found {Describe(node)}");
        return null;
    }

    public YamlSequenceNode? AsSequence(YamlNode? node, string field)
    {
        if (node is null) return null;
        if (node is YamlSequenceNode s) return s;
        Error(node, field, $"expected a list, found {Describe(node)}");
        return null;
    }

    public YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value == key) return v;
        }
        return null;
    }

    /// <summary>Reports keys not in <paramref name="allowed"/>, with the nearest allowed names.</summary>
    public void CheckKeys(YamlMappingNode map, string path, params string[] allowed)
    {
        foreach (var (k, _) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "?";
            if (!allowed.Contains(name))
            {
                Error(k, Join(path, name), $"unknown key '{name}'{Suggest.DidYouMean(name, allowed)}; expected one of: {string.Join(", ", allowed)}");
            }
        }
    }

    public string? String(YamlMappingNode map, string key, string path, bool required = false)
    {
        var node = Get(map, key);
        var field = Join(path, key);
        if (node is null || IsNull(node))
        {
            if (required) Error(node ?? map, field, "is required (a text value)");
            return null;
        }
        if (node is YamlScalarNode s)
        {
            if (required && string.IsNullOrWhiteSpace(s.Value)) { Error(node, field, "must not be empty"); return null; }
            return s.Value;
        }
        Error(node, field, $"expected a text value, found {Describe(node)}");
        return null;
    }

    public int? Int(YamlMappingNode map, string key, string path, int min = int.MinValue, int max = int.MaxValue)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node)) return null;
        var field = Join(path, key);
        if (node is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            if (v < min || v > max) { Error(node, field, $"must be between {min} and {max}, found {v}"); return null; }
            return v;
        }
        Error(node, field, $"expected a whole number, found {Describe(node)}");
        return null;
    }

    public long? Long(YamlMappingNode map, string key, string path, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node)) return null;
        var field = Join(path, key);
        if (node is YamlScalarNode s && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            if (v < min || v > max) { Error(node, field, $"must be between {min} and {max}, found {v}"); return null; }
            return v;
        }
        Error(node, field, $"expected a whole number, found {Describe(node)}");
        return null;
    }

    public double? Double(YamlMappingNode map, string key, string path, double min = double.MinValue, double max = double.MaxValue)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node)) return null;
        var field = Join(path, key);
        if (node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            if (v < min || v > max) { Error(node, field, $"must be between {min} and {max}, found {v.ToString(CultureInfo.InvariantCulture)}"); return null; }
            return v;
        }
        Error(node, field, $"expected a number, found {Describe(node)}");
        return null;
    }

    public bool? Bool(YamlMappingNode map, string key, string path)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node)) return null;
        if (node is YamlScalarNode s && bool.TryParse(s.Value, out var v)) return v;
        Error(node, Join(path, key), $"expected true or false, found {Describe(node)}");
        return null;
    }

    /// <summary>A list of text values; a single scalar is accepted as a one-element list.</summary>
    public List<string>? StringList(YamlMappingNode map, string key, string path)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node)) return null;
        var field = Join(path, key);
        if (node is YamlScalarNode one) return [one.Value ?? ""];
        if (node is not YamlSequenceNode seq) { Error(node, field, $"expected a list of text values, found {Describe(node)}"); return null; }
        var list = new List<string>();
        var i = 0;
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode s && s.Value is not null) list.Add(s.Value);
            else Error(item, $"{field}[{i}]", $"expected a text value, found {Describe(item)}");
            i++;
        }
        return list;
    }

    /// <summary>A mapping of text to text (for example raw label -> canonical label).</summary>
    public List<(string Key, string Value, int Line)>? StringMap(YamlMappingNode map, string key, string path)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node)) return null;
        var field = Join(path, key);
        var m = AsMap(node, field);
        if (m is null) return null;
        var list = new List<(string, string, int)>();
        foreach (var (k, v) in m.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (v is YamlScalarNode s && s.Value is not null) list.Add((name, s.Value, (int)k.Start.Line));
            else Error(v, $"{field}.{name}", $"expected a text value, found {Describe(v)}");
        }
        return list;
    }

    public static int LineOf(YamlNode? node) => node is null ? 0 : (int)node.Start.Line;

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && s.Style == ScalarStyle.Plain && (s.Value is null || s.Value == "" || s.Value == "~" || s.Value == "null");

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}

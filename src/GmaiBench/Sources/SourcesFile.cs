using System.Text.RegularExpressions;
using GmaiBench.Configuration;
using GmaiBench.Sources.Layouts;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources;

/// <summary>Loads and validates <c>sources.yaml</c>: the registry of source datasets.</summary>
public static partial class SourcesFile
{
    private static readonly string[] SourceKeys =
        ["id", "name", "license", "citation", "homepage", "layout", "root", "modality", "task", "department", "departments", "group_pattern", "labels", "options"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex IdPattern();

    /// <summary>Loads every source; all problems are collected and thrown together.</summary>
    public static IReadOnlyList<SourceDefinition> Load(string path)
    {
        var (sources, issues) = TryLoad(path);
        if (issues.Count > 0) throw new ConfigException(issues);
        return sources;
    }

    public static (IReadOnlyList<SourceDefinition> Sources, IReadOnlyList<ConfigIssue> Issues) TryLoad(string path)
    {
        var reader = new YamlConfigReader(path);
        if (!File.Exists(path))
        {
            reader.Error(null, "(file)", "sources file not found");
            return ([], reader.Issues);
        }
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var root = reader.AsMap(reader.Parse(File.ReadAllText(path)), "(document)");
        var result = new List<SourceDefinition>();
        if (root is null) return (result, reader.Issues);
        reader.CheckKeys(root, "", "version", "sources");
        var version = reader.Int(root, "version", "");
        if (version is not null && version != 1) reader.Error(reader.Get(root, "version"), "version", $"unsupported version {version}; this tool reads version 1");
        var list = reader.AsSequence(reader.Get(root, "sources"), "sources");
        if (list is null)
        {
            if (reader.Get(root, "sources") is null) reader.Error(root, "sources", "is required (a list of source datasets)");
            return (result, reader.Issues);
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var map = reader.AsMap(list.Children[i], $"sources[{i}]");
            if (map is null) continue;
            var s = ReadSource(reader, map, i, baseDir, path);
            if (s is null) continue;
            if (!ids.Add(s.Id)) reader.Error(reader.Get(map, "id"), $"sources[{i}].id", $"duplicate source id '{s.Id}'");
            result.Add(s);
        }
        return (result, reader.Issues);
    }

    private static SourceDefinition? ReadSource(YamlConfigReader r, YamlMappingNode map, int index, string baseDir, string file)
    {
        var before = r.Issues.Count;
        var id = r.String(map, "id", $"sources[{index}]", required: true);
        var path = id is null ? $"sources[{index}]" : $"sources[{index}]({id})";
        r.CheckKeys(map, path, SourceKeys);
        if (id is not null && !IdPattern().IsMatch(id))
            r.Error(r.Get(map, "id"), $"{path}.id", "must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        var name = r.String(map, "name", path, required: true);
        var license = r.String(map, "license", path, required: true);
        var layoutName = r.String(map, "layout", path, required: true);
        var rootText = r.String(map, "root", path, required: true);
        var modality = r.String(map, "modality", path, required: true);
        var task = r.String(map, "task", path, required: true);
        var departments = r.StringList(map, "departments", path) ?? [];
        var department = r.String(map, "department", path);
        if (department is not null) departments = [department, .. departments];
        var groupPattern = r.String(map, "group_pattern", path);
        if (groupPattern is not null)
        {
            try { _ = new Regex(groupPattern); }
            catch (ArgumentException e) { r.Error(r.Get(map, "group_pattern"), $"{path}.group_pattern", $"not a valid regular expression: {e.Message}"); }
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v, line) in r.StringMap(map, "labels", path) ?? [])
        {
            if (!labels.TryAdd(k, v)) r.Issues.Add(new ConfigIssue(file, line, $"{path}.labels.{k}", "raw label listed twice"));
        }

        string? rootFull = null;
        if (rootText is not null)
        {
            rootFull = Path.GetFullPath(Path.Combine(baseDir, rootText));
            if (!Directory.Exists(rootFull)) r.Error(r.Get(map, "root"), $"{path}.root", $"folder not found: {rootFull}");
        }
        ISourceLayout? layout = null;
        if (layoutName is not null)
        {
            layout = LayoutRegistry.Find(layoutName);
            if (layout is null)
                r.Error(r.Get(map, "layout"), $"{path}.layout",
                    $"unknown layout '{layoutName}'{Suggest.DidYouMean(layoutName, LayoutRegistry.Names)}; supported: {string.Join(", ", LayoutRegistry.Names)}");
        }
        var optionsNode = r.Get(map, "options");
        var optionsMap = optionsNode is null ? null : r.AsMap(optionsNode, $"{path}.options");
        var options = layout?.ParseOptions(r, optionsMap, $"{path}.options", rootFull ?? baseDir);

        if (r.Issues.Count > before || layout is null || options is null) return null;
        return new SourceDefinition
        {
            Id = id!, Name = name!, License = license!,
            Citation = r.String(map, "citation", path), Homepage = r.String(map, "homepage", path),
            Layout = layout, Root = rootFull!, Modality = modality!, Task = task!, Departments = departments,
            GroupPattern = groupPattern, Labels = labels, Options = options, File = file, Line = YamlConfigReader.LineOf(map),
        };
    }
}

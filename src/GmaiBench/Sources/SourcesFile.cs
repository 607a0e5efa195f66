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
        var loaded = TryLoadWithFiles(path);
        return (loaded.Sources, loaded.Issues);
    }

    /// <summary>What a sources file gave: its sources, the problems, and every file read (the file and what it includes, in order).</summary>
    public sealed record Loaded(IReadOnlyList<SourceDefinition> Sources, IReadOnlyList<ConfigIssue> Issues, IReadOnlyList<string> Files);

    /// <summary>
    /// Loads a sources file and the catalogue files it includes (<c>- include: pipelines/sources/x.yaml</c>, paths relative to
    /// the including file, with an optional <c>root:</c> that points the included entry at a download). Ids stay unique across
    /// every file; a missing file, an include cycle or a root override on a file of several entries is an error at the include.
    /// </summary>
    public static Loaded TryLoadWithFiles(string path)
    {
        var issues = new List<ConfigIssue>();
        var result = new List<SourceDefinition>();
        var files = new List<string>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new YamlConfigReader(path);
        if (!File.Exists(path)) reader.Error(null, "(file)", "sources file not found");
        else LoadFile(reader, Path.GetFullPath(path), [], null, result, files, ids, new Counter());
        issues.InsertRange(0, reader.Issues);
        return new Loaded(result, issues, files);
    }

    /// <summary>Entry numbering across files, so every entry's field path (<c>sources[7](id)</c>) is unique.</summary>
    private sealed class Counter { public int Next; }

    /// <summary>Where an include asked an entry to be read from: the root folder, and the include's reader and node to blame.</summary>
    private sealed record RootOverride(string Root, YamlConfigReader Reader, YamlNode Node, string Field);

    private static void LoadFile(YamlConfigReader reader, string fullPath, List<string> stack, RootOverride? rootOverride,
        List<SourceDefinition> result, List<string> files, Dictionary<string, string> ids, Counter counter)
    {
        files.Add(fullPath);
        stack.Add(fullPath);
        var baseDir = Path.GetDirectoryName(fullPath)!;
        var root = reader.AsMap(reader.Parse(File.ReadAllText(fullPath)), "(document)");
        if (root is null) { stack.RemoveAt(stack.Count - 1); return; }
        reader.CheckKeys(root, "", "version", "sources");
        var version = reader.Int(root, "version", "");
        if (version is not null && version != 1) reader.Error(reader.Get(root, "version"), "version", $"unsupported version {version}; this tool reads version 1");
        var list = reader.AsSequence(reader.Get(root, "sources"), "sources");
        if (list is null)
        {
            if (reader.Get(root, "sources") is null) reader.Error(root, "sources", "is required (a list of source datasets)");
            stack.RemoveAt(stack.Count - 1);
            return;
        }
        var entries = list.Children.Select(c => c as YamlMappingNode).ToList();
        if (rootOverride is not null && entries.Count(e => e is not null && reader.Get(e, "include") is null) != 1)
            rootOverride.Reader.Error(rootOverride.Node, rootOverride.Field,
                $"root: can only point an include at one dataset, but {fullPath} holds {entries.Count} entries; include its entries one by one");
        for (var i = 0; i < list.Children.Count; i++)
        {
            var index = counter.Next++;
            var map = reader.AsMap(list.Children[i], $"sources[{index}]");
            if (map is null) continue;
            if (reader.Get(map, "include") is not null)
            {
                Include(reader, map, index, baseDir, stack, result, files, ids, counter);
                continue;
            }
            var s = ReadSource(reader, map, index, baseDir, fullPath, rootOverride);
            if (s is null) continue;
            if (!ids.TryAdd(s.Id, $"{fullPath}:{YamlConfigReader.LineOf(map)}"))
            {
                reader.Error(reader.Get(map, "id"), $"sources[{index}]({s.Id}).id", $"duplicate source id '{s.Id}' (first defined at {ids[s.Id]})");
                continue;
            }
            result.Add(s);
        }
        stack.RemoveAt(stack.Count - 1);
    }

    /// <summary><c>- include: FILE</c> with an optional <c>root:</c>: reads FILE's entries as if they stood here.</summary>
    private static void Include(YamlConfigReader reader, YamlMappingNode map, int index, string baseDir, List<string> stack,
        List<SourceDefinition> result, List<string> files, Dictionary<string, string> ids, Counter counter)
    {
        var field = $"sources[{index}]";
        reader.CheckKeys(map, field, "include", "root");
        var target = reader.String(map, "include", field, required: true);
        if (target is null) return;
        field = $"sources[{index}](include {target})";
        var full = Path.GetFullPath(Path.Combine(baseDir, target));
        if (!File.Exists(full))
        {
            reader.Error(reader.Get(map, "include"), $"{field}.include", $"included file not found: {full}");
            return;
        }
        if (stack.Contains(full, StringComparer.Ordinal))
        {
            var cycle = stack.SkipWhile(f => f != full).Append(full).Select(f => Path.GetFileName(f));
            reader.Error(reader.Get(map, "include"), $"{field}.include", $"include cycle: {string.Join(" -> ", cycle)}");
            return;
        }
        RootOverride? rootOverride = null;
        var rootText = reader.String(map, "root", field);
        if (rootText is not null)
        {
            var rootFull = Path.GetFullPath(Path.Combine(baseDir, rootText));
            if (!Directory.Exists(rootFull))
            {
                reader.Error(reader.Get(map, "root"), $"{field}.root", $"folder not found: {rootFull} (point root: at the downloaded dataset)");
                return;
            }
            rootOverride = new RootOverride(rootFull, reader, reader.Get(map, "root")!, $"{field}.root");
        }
        var inner = new YamlConfigReader(full);
        LoadFile(inner, full, stack, rootOverride, result, files, ids, counter);
        reader.Issues.AddRange(inner.Issues);
    }

    private static SourceDefinition? ReadSource(YamlConfigReader r, YamlMappingNode map, int index, string baseDir, string file, RootOverride? rootOverride)
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
        var rootText = r.String(map, "root", path);
        if (rootText is null && rootOverride is null)
            r.Error(map, $"{path}.root", "is required: the folder of the downloaded dataset (or give root: where this entry is included)");
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

        var rootFull = rootOverride?.Root;
        if (rootFull is null && rootText is not null)
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

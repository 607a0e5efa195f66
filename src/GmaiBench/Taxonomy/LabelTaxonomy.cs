using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GmaiBench.Configuration;
using YamlDotNet.RepresentationModel;
using GmaiBench.Model;

namespace GmaiBench.Taxonomy;

/// <summary>
/// The lexical tree as data (<c>label-taxonomy/</c>): tasks, departments, modalities, granularities, the
/// canonical label catalogue (<c>labels/*.yaml</c>) and the question-template pools. Loaded and validated.
/// </summary>
public sealed class LabelTaxonomy
{
    public IReadOnlyList<TaskNode> Tasks { get; private init; } = [];
    public IReadOnlyList<DepartmentNode> Departments { get; private init; } = [];
    public IReadOnlyList<ModalityNode> Modalities { get; private init; } = [];
    public IReadOnlyList<GranularityNode> Granularities { get; private init; } = [];
    public IReadOnlyList<LabelNode> Labels { get; private init; } = [];
    public IReadOnlyList<TemplatePool> Pools { get; private init; } = [];
    /// <summary>Instruction appended to multi-choice questions.</summary>
    public string MultiChoiceInstruction { get; private init; } = "";
    /// <summary>sha256 over every taxonomy file's bytes, in path order.</summary>
    public string Fingerprint { get; private init; } = "";
    public LabelNormaliser Normaliser { get; private init; } = null!;

    private Dictionary<string, LabelNode> _labelsById = new();
    private Dictionary<string, string> _modalityByAlias = new();

    public LabelNode? Label(string id) => _labelsById.GetValueOrDefault(id);
    public TaskNode? Task(string idOrName) => Tasks.FirstOrDefault(t => t.Id == idOrName || t.Name == idOrName);
    public DepartmentNode? Department(string idOrName) => Departments.FirstOrDefault(d => d.Id == idOrName || d.Name == idOrName);
    public GranularityNode? Granularity(string id) => Granularities.FirstOrDefault(g => g.Id == id);

    /// <summary>Resolves a modality name or alias (case-insensitive) to its canonical name.</summary>
    public string? Modality(string nameOrAlias) => _modalityByAlias.GetValueOrDefault(LabelNormaliser.Fold(nameOrAlias));

    /// <summary>Whether <paramref name="a"/> is <paramref name="b"/>, or an ancestor or descendant of it.</summary>
    public bool Related(string a, string b)
    {
        if (a == b) return true;
        return IsAncestor(a, b) || IsAncestor(b, a);
    }

    private bool IsAncestor(string ancestor, string id)
    {
        var seen = 0;
        for (var cur = Label(id)?.Parent; cur is not null && seen++ < 64; cur = Label(cur)?.Parent)
        {
            if (cur == ancestor) return true;
        }
        return false;
    }

    /// <summary>The most specific pool for (task, granularity, modality): exact modality, then any modality, then any task.</summary>
    public TemplatePool? Pool(string task, Model.Granularity granularity, string modality)
    {
        var g = granularity.Text();
        return Pools.FirstOrDefault(p => p.Task == task && p.Granularity == g && p.Modality == modality)
            ?? Pools.FirstOrDefault(p => p.Task == task && p.Granularity == g && p.Modality is null)
            ?? Pools.FirstOrDefault(p => p.Task == "*" && p.Granularity == g && p.Modality is null);
    }

    public static LabelTaxonomy Load(string folder)
    {
        var (taxonomy, issues) = TryLoad(folder);
        if (issues.Count > 0) throw new ConfigException(issues);
        return taxonomy!;
    }

    public static (LabelTaxonomy? Taxonomy, IReadOnlyList<ConfigIssue> Issues) TryLoad(string folder)
    {
        var issues = new List<ConfigIssue>();
        if (!Directory.Exists(folder))
        {
            issues.Add(new ConfigIssue(folder, 0, "(folder)", "label taxonomy folder not found"));
            return (null, issues);
        }
        YamlMappingNode? Open(string name, out YamlConfigReader reader)
        {
            var path = Path.Combine(folder, name);
            reader = new YamlConfigReader(path);
            if (!File.Exists(path)) { reader.Error(null, "(file)", "required taxonomy file not found"); return null; }
            return reader.AsMap(reader.Parse(File.ReadAllText(path)), "(document)");
        }

        var tasks = new List<TaskNode>();
        var tasksMap = Open("tasks.yaml", out var tr);
        foreach (var (m, path) in Entries(tr, tasksMap, "tasks"))
        {
            tr.CheckKeys(m, path, "id", "name");
            var id = tr.String(m, "id", path, true); var name = tr.String(m, "name", path, true);
            if (id is not null && name is not null) tasks.Add(new TaskNode(id, name));
        }
        Duplicates(tr, tasksMap, "tasks", tasks.Select(t => t.Id));
        issues.AddRange(tr.Issues);

        var departments = new List<DepartmentNode>();
        var deptMap = Open("departments.yaml", out var dr);
        foreach (var (m, path) in Entries(dr, deptMap, "departments"))
        {
            dr.CheckKeys(m, path, "id", "name");
            var id = dr.String(m, "id", path, true); var name = dr.String(m, "name", path, true);
            if (id is not null && name is not null) departments.Add(new DepartmentNode(id, name));
        }
        Duplicates(dr, deptMap, "departments", departments.Select(t => t.Id));
        issues.AddRange(dr.Issues);

        var modalities = new List<ModalityNode>();
        var modalityByAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        var modMap = Open("modalities.yaml", out var mr);
        foreach (var (m, path) in Entries(mr, modMap, "modalities"))
        {
            mr.CheckKeys(m, path, "name", "aliases");
            var name = mr.String(m, "name", path, true);
            if (name is null) continue;
            var aliases = mr.StringList(m, "aliases", path) ?? [];
            modalities.Add(new ModalityNode(name, aliases));
            foreach (var a in aliases.Prepend(name))
            {
                var key = LabelNormaliser.Fold(a);
                if (modalityByAlias.TryGetValue(key, out var other) && other != name)
                    mr.Error(m, path, $"alias '{a}' is claimed by modalities '{other}' and '{name}'");
                modalityByAlias[key] = name;
            }
        }
        issues.AddRange(mr.Issues);

        var granularities = new List<GranularityNode>();
        var granMap = Open("granularities.yaml", out var gr);
        foreach (var (m, path) in Entries(gr, granMap, "granularities"))
        {
            gr.CheckKeys(m, path, "id", "name", "cues");
            var id = gr.String(m, "id", path, true); var name = gr.String(m, "name", path, true);
            if (id is not null && name is not null) granularities.Add(new GranularityNode(id, name, gr.StringList(m, "cues", path) ?? []));
        }
        issues.AddRange(gr.Issues);

        var taskIds = tasks.Select(t => t.Id).ToHashSet();
        var deptIds = departments.Select(d => d.Id).ToHashSet();
        var labels = new List<LabelNode>();
        var labelDir = Path.Combine(folder, "labels");
        var labelFiles = Directory.Exists(labelDir)
            ? Directory.GetFiles(labelDir, "*.yaml").Order(StringComparer.Ordinal).ToList()
            : [];
        if (labelFiles.Count == 0) issues.Add(new ConfigIssue(labelDir, 0, "(folder)", "no label catalogue files (labels/*.yaml)"));
        var labelReaders = new List<(YamlConfigReader, List<(LabelNode, YamlMappingNode)>)>();
        foreach (var file in labelFiles)
        {
            var lr = new YamlConfigReader(file);
            var root = lr.AsMap(lr.Parse(File.ReadAllText(file)), "(document)");
            var inFile = new List<(LabelNode, YamlMappingNode)>();
            foreach (var (m, path) in Entries(lr, root, "labels"))
            {
                lr.CheckKeys(m, path, LabelKeys);
                var id = lr.String(m, "id", path, true); var name = lr.String(m, "name", path, true);
                if (id is null || name is null) continue;
                var where = $"{path}({id})";
                var label = new LabelNode
                {
                    Id = id, Name = name,
                    Synonyms = lr.StringList(m, "synonyms", path) ?? [],
                    Abbreviations = lr.StringList(m, "abbreviations", path) ?? [],
                    Lateral = lr.Bool(m, "lateral", path) ?? false,
                    Numbered = lr.Bool(m, "numbered", path) ?? false,
                    Parent = lr.String(m, "parent", path),
                    // Every label is asked about under a task and placed in a body region (region distractors
                    // are limited to it), so both are required rather than left to a source to fill in.
                    Region = lr.String(m, "region", where, required: true),
                    Task = lr.String(m, "task", where, required: true),
                    Departments = lr.StringList(m, "departments", path) ?? [],
                    Codes = ReadCodes(lr, m, where),
                    File = file, Line = YamlConfigReader.LineOf(m),
                };
                if (label.Task is not null && !taskIds.Contains(label.Task))
                    lr.Error(lr.Get(m, "task"), $"{where}.task", $"unknown task '{label.Task}'{Suggest.DidYouMean(label.Task, taskIds)}");
                foreach (var d in label.Departments.Where(d => !deptIds.Contains(d)))
                    lr.Error(lr.Get(m, "departments"), $"{where}.departments", $"unknown department '{d}'{Suggest.DidYouMean(d, deptIds)}");
                inFile.Add((label, m));
                labels.Add(label);
            }
            labelReaders.Add((lr, inFile));
        }
        var ids = new Dictionary<string, LabelNode>(StringComparer.Ordinal);
        foreach (var (lr, inFile) in labelReaders)
        {
            foreach (var (label, m) in inFile)
            {
                if (!ids.TryAdd(label.Id, label))
                    lr.Error(m, $"labels({label.Id}).id", $"duplicate label id; first defined in {ids[label.Id].File}:{ids[label.Id].Line}");
            }
        }
        var codeOwners = new Dictionary<string, LabelNode>(StringComparer.Ordinal);
        foreach (var (lr, inFile) in labelReaders)
        {
            foreach (var (label, m) in inFile)
            {
                if (label.Parent is not null && !ids.ContainsKey(label.Parent))
                    lr.Error(lr.Get(m, "parent"), $"labels({label.Id}).parent", $"unknown parent label '{label.Parent}'{Suggest.DidYouMean(label.Parent, ids.Keys)}");
                else if (ParentCycle(label, ids) is { } cycle)
                    lr.Error(lr.Get(m, "parent"), $"labels({label.Id}).parent", $"parent chain returns to itself: {string.Join(" -> ", cycle)}");
                // One code names one concept: two labels carrying it are the same label under two ids.
                foreach (var (scheme, code) in label.Codes)
                {
                    var key = $"{scheme}:{code}";
                    if (codeOwners.TryGetValue(key, out var owner) && owner.Id != label.Id)
                        lr.Error(lr.Get(m, scheme), $"labels({label.Id}).{scheme}", $"{key} is also the code of label '{owner.Id}' ({owner.File}:{owner.Line}); a code may name one label only");
                    else codeOwners.TryAdd(key, label);
                }
            }
            issues.AddRange(lr.Issues);
        }
        var normaliser = LabelNormaliser.Build(labels, issues);

        var pools = new List<TemplatePool>();
        var tplMap = Open("templates.yaml", out var pr);
        var multi = "";
        if (tplMap is not null)
        {
            pr.CheckKeys(tplMap, "", "multi_choice_instruction", "pools");
            multi = pr.String(tplMap, "multi_choice_instruction", "", required: true) ?? "";
            var granIds = granularities.ToDictionary(g => g.Id);
            var poolKeys = new HashSet<string>();
            // Each label text folded once, not once per template.
            var labelTexts = labels.Select(l => (l.Id, Texts: l.Synonyms.Prepend(l.Name).Select(t => (Text: t, Folded: LabelNormaliser.Fold(t))).ToList())).ToList();
            foreach (var (m, path) in Entries(pr, tplMap, "pools"))
            {
                pr.CheckKeys(m, path, "task", "granularity", "modality", "templates");
                var task = pr.String(m, "task", path, true);
                var gran = pr.String(m, "granularity", path, true);
                var modality = pr.String(m, "modality", path);
                var templates = pr.StringList(m, "templates", path) ?? [];
                if (task is null || gran is null) continue;
                if (task != "*" && !taskIds.Contains(task)) pr.Error(pr.Get(m, "task"), $"{path}.task", $"unknown task '{task}'{Suggest.DidYouMean(task, taskIds)}");
                if (!granIds.TryGetValue(gran, out var granNode)) pr.Error(pr.Get(m, "granularity"), $"{path}.granularity", $"unknown granularity '{gran}'{Suggest.DidYouMean(gran, granIds.Keys)}");
                string? canonicalModality = null;
                if (modality is not null && !modalityByAlias.TryGetValue(LabelNormaliser.Fold(modality), out canonicalModality))
                    pr.Error(pr.Get(m, "modality"), $"{path}.modality", $"unknown modality '{modality}'{Suggest.DidYouMean(modality, modalities.Select(x => x.Name))}");
                if (templates.Count == 0) pr.Error(m, $"{path}.templates", "a pool needs at least one template");
                // An unknown modality keeps its own spelling in the key, so it is not also reported as a second pool.
                var pool = new TemplatePool(task, gran, canonicalModality ?? modality, templates, pr.File, YamlConfigReader.LineOf(m));
                if (!poolKeys.Add(pool.Key)) pr.Error(m, path, $"a second pool for {pool.Key}");
                var seq = pr.Get(m, "templates") as YamlSequenceNode;
                for (var i = 0; i < templates.Count; i++)
                {
                    var node = seq is not null && i < seq.Children.Count ? seq.Children[i] : m;
                    foreach (var problem in TemplateProblems(templates[i], granNode, labelTexts))
                        pr.Error(node, $"{path}.templates[{i}]", problem);
                }
                pools.Add(pool);
            }
        }
        issues.AddRange(pr.Issues);

        var taxonomy = new LabelTaxonomy
        {
            Tasks = tasks, Departments = departments, Modalities = modalities, Granularities = granularities,
            Labels = labels, Pools = pools, MultiChoiceInstruction = multi, Normaliser = normaliser,
            Fingerprint = FingerprintOf(folder),
            _labelsById = ids, _modalityByAlias = modalityByAlias,
        };
        return (taxonomy, issues);
    }

    /// <summary>What is wrong with one template: no placeholder, no cue for the marking, a label's text in it.</summary>
    /// <param name="labels">Each label's id with its name and synonyms, each beside its folded form.</param>
    private static IEnumerable<string> TemplateProblems(string template, GranularityNode? granularity,
        IReadOnlyList<(string Id, List<(string Text, string Folded)> Texts)> labels)
    {
        if (!template.Contains("{modality}", StringComparison.Ordinal))
            yield return "template has no {modality} placeholder";
        var stripped = template.Replace("{modality}", " ", StringComparison.Ordinal);
        if (Regex.IsMatch(stripped, @"\{[^}]*\}")) yield return "template has a placeholder other than {modality}";
        if (granularity is not null && granularity.Cues.Count > 0
            && !granularity.Cues.Any(c => template.Contains(c, StringComparison.OrdinalIgnoreCase)))
            yield return $"a {granularity.Id} template must name its marking with one of: {string.Join(", ", granularity.Cues.Select(c => $"'{c}'"))}";
        var folded = " " + LabelNormaliser.Fold(stripped) + " ";
        foreach (var (id, texts) in labels)
        {
            foreach (var (text, f) in texts)
            {
                if (f.Length >= 3 && folded.Contains(" " + f + " ", StringComparison.Ordinal))
                {
                    yield return $"template contains the text of label '{id}' ('{text}'), which would give the answer away";
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Standard vocabularies a label may cite, so that standardisation is traceable: a MeSH descriptor (D...) or
    /// supplementary concept (C...), a RadLex id, an FMA id, a SNOMED CT concept id.
    /// </summary>
    private static readonly Dictionary<string, Regex> CodeFormats = new(StringComparer.Ordinal)
    {
        ["mesh"] = new Regex(@"^[DC]\d{6,9}$", RegexOptions.CultureInvariant),
        ["radlex"] = new Regex(@"^RID\d+$", RegexOptions.CultureInvariant),
        ["fma"] = new Regex(@"^FMA\d+$", RegexOptions.CultureInvariant),
        ["snomed"] = new Regex(@"^\d{6,18}$", RegexOptions.CultureInvariant),
    };

    /// <summary>The keys a label entry may carry; the code keys name the concept in a standard vocabulary.</summary>
    private static readonly string[] LabelKeys =
        ["id", "name", "synonyms", "abbreviations", "lateral", "numbered", "parent", "region", "task", "departments", .. CodeFormats.Keys];

    private static IReadOnlyDictionary<string, string> ReadCodes(YamlConfigReader r, YamlMappingNode m, string where)
    {
        var codes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (scheme, format) in CodeFormats)
        {
            var code = r.String(m, scheme, where);
            if (code is null) continue;
            if (!format.IsMatch(code)) r.Error(r.Get(m, scheme), $"{where}.{scheme}", $"'{code}' is not a {scheme} code (expected {format})");
            else codes[scheme] = code;
        }
        return codes;
    }

    /// <summary>The chain from <paramref name="label"/> back to itself when its parents loop, else null.</summary>
    private static List<string>? ParentCycle(LabelNode label, IReadOnlyDictionary<string, LabelNode> ids)
    {
        var chain = new List<string> { label.Id };
        var seen = new HashSet<string>(StringComparer.Ordinal) { label.Id };
        for (var cur = label.Parent; cur is not null && ids.TryGetValue(cur, out var node); cur = node.Parent)
        {
            chain.Add(cur);
            if (cur == label.Id) return chain;
            if (!seen.Add(cur)) return null;   // a loop further up, reported at a label on it
        }
        return null;
    }

    private static IEnumerable<(YamlMappingNode Map, string Path)> Entries(YamlConfigReader r, YamlMappingNode? root, string key)
    {
        if (root is null) yield break;
        var node = r.Get(root, key);
        if (node is null) { r.Error(root, key, "is required"); yield break; }
        var seq = r.AsSequence(node, key);
        if (seq is null) yield break;
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var m = r.AsMap(seq.Children[i], $"{key}[{i}]");
            if (m is not null) yield return (m, $"{key}[{i}]");
        }
    }

    private static void Duplicates(YamlConfigReader r, YamlMappingNode? root, string key, IEnumerable<string> ids)
    {
        foreach (var g in ids.GroupBy(x => x).Where(g => g.Count() > 1))
            r.Error(root, key, $"'{g.Key}' is defined {g.Count()} times");
    }

    private static string FingerprintOf(string folder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder, "*.yaml", SearchOption.AllDirectories)
                     .Select(f => (full: f, rel: Path.GetRelativePath(folder, f).Replace('\\', '/')))
                     .OrderBy(f => f.rel, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file.rel + "\n"));
            sha.AppendData(File.ReadAllBytes(file.full));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

using System.Text.RegularExpressions;

namespace GmaiBench.Tests.Architecture;

/// <summary>
/// The namespace-level dependency graph of a C# source tree: a module is the first namespace segment under
/// <c>GmaiBench</c> (a folder of <c>src/GmaiBench</c>, or a project such as <c>GmaiBench.Demo</c>); an edge comes from a
/// <c>using GmaiBench.X</c> line or a qualified <c>GmaiBench.X.</c> name. Strongly connected components by Tarjan's algorithm.
/// </summary>
public static partial class ModuleGraph
{
    [GeneratedRegex(@"^namespace\s+GmaiBench(?:\.([A-Za-z]+))?", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using (?:static )?GmaiBench\.([A-Za-z]+)", RegexOptions.Multiline)]
    private static partial Regex Using();

    [GeneratedRegex(@"(?<!using )(?<!namespace )GmaiBench\.([A-Z][A-Za-z]+)\.")]
    private static partial Regex Qualified();

    /// <summary>Edges module -> modules it imports, over every <c>.cs</c> file under <paramref name="srcRoot"/> (build output excluded).</summary>
    public static SortedDictionary<string, SortedSet<string>> Of(string srcRoot)
    {
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(srcRoot, "*.cs", SearchOption.AllDirectories))
        {
            var parts = Path.GetRelativePath(srcRoot, file).Split(Path.DirectorySeparatorChar);
            if (parts.Contains("obj") || parts.Contains("bin")) continue;
            var text = File.ReadAllText(file);
            var ns = Namespace().Match(text);
            var module = ns.Success ? (ns.Groups[1].Success ? ns.Groups[1].Value : "Root") : parts[0];
            if (!graph.TryGetValue(module, out var edges)) graph[module] = edges = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Match m in Using().Matches(text)) edges.Add(m.Groups[1].Value);
            foreach (Match m in Qualified().Matches(text)) edges.Add(m.Groups[1].Value);
            edges.Remove(module);
        }
        return graph;
    }

    /// <summary>The strongly connected components of two or more modules: each is a cycle.</summary>
    public static List<List<string>> Cycles(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<List<string>>();
        var next = 0;
        IEnumerable<string> Out(string v) => graph.TryGetValue(v, out var e) ? e : [];

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Out(v))
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) cycles.Add([.. component.Order(StringComparer.Ordinal)]);
        }

        foreach (var v in graph.Keys.Concat(graph.Values.SelectMany(e => e)).Distinct().Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return cycles;
    }
}

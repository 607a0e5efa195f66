using System.Text;
using GmaiBench.Configuration;

namespace GmaiBench.Taxonomy;

/// <summary>How a raw label expression reached its canonical label.</summary>
public enum MatchRule { Override, Exact, Synonym, Abbreviation, Laterality, MergedSide, WordOrder, Plural }

/// <summary>The outcome of normalising one raw label.</summary>
public sealed record LabelMatch(string Raw, LabelNode? Label, MatchRule Rule, IReadOnlyList<string> Candidates, string? Problem)
{
    public bool IsMapped => Label is not null;
}

/// <summary>
/// Maps raw label expressions to canonical labels, as GMAI-MMBench did against MeSH: fold case, punctuation,
/// underscores; expand abbreviations and laterality shorthands; unify synonyms; merge left/right into the
/// paired structure's label (only for labels marked <c>lateral</c>, so direction attributes keep their side);
/// fold word order only where the token set names exactly one label. A raw label matching two labels is an error.
/// </summary>
public sealed class LabelNormaliser
{
    private static readonly Dictionary<string, string> SideWords = new(StringComparer.Ordinal)
    {
        ["lt"] = "left", ["l"] = "left", ["left"] = "left",
        ["rt"] = "right", ["r"] = "right", ["right"] = "right",
        ["bilat"] = "bilateral", ["bilateral"] = "bilateral", ["both"] = "bilateral",
    };

    private readonly Dictionary<string, (LabelNode Label, MatchRule Kind)> _exact;
    private readonly Dictionary<string, List<LabelNode>> _byTokenSet;
    private readonly IReadOnlyList<LabelNode> _labels;

    private LabelNormaliser(Dictionary<string, (LabelNode, MatchRule)> exact, Dictionary<string, List<LabelNode>> byTokenSet, IReadOnlyList<LabelNode> labels)
    {
        _exact = exact;
        _byTokenSet = byTokenSet;
        _labels = labels;
    }

    /// <summary>Builds the indexes; a folded name claimed by two labels is reported as an issue.</summary>
    public static LabelNormaliser Build(IReadOnlyList<LabelNode> labels, List<ConfigIssue> issues)
    {
        var exact = new Dictionary<string, (LabelNode, MatchRule)>(StringComparer.Ordinal);
        var byTokens = new Dictionary<string, List<LabelNode>>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var texts = new[] { label.Id, label.Name }.Select(t => (t, MatchRule.Exact))
                .Concat(label.Synonyms.Select(t => (t, MatchRule.Synonym)))
                .Concat(label.Abbreviations.Select(t => (t, MatchRule.Abbreviation)));
            foreach (var (text, kind) in texts)
            {
                var key = Fold(text);
                if (key.Length == 0) continue;
                if (exact.TryGetValue(key, out var prior) && prior.Item1.Id != label.Id)
                {
                    var other = prior.Item1;
                    issues.Add(new ConfigIssue(label.File, label.Line, $"labels({label.Id})",
                        $"'{text}' is also claimed by label '{other.Id}' ({other.File}:{other.Line}); a synonym may belong to one label only"));
                    continue;
                }
                if (!exact.ContainsKey(key)) exact[key] = (label, kind);
                var set = TokenSet(key);
                if (!byTokens.TryGetValue(set, out var list)) byTokens[set] = list = [];
                if (!list.Contains(label)) list.Add(label);
            }
        }
        return new LabelNormaliser(exact, byTokens, labels);
    }

    private static IEnumerable<string> Texts(LabelNode l) => l.Synonyms.Concat(l.Abbreviations).Prepend(l.Name).Prepend(l.Id);

    /// <summary>Lower case; every run of characters that are not letters or digits becomes one space.</summary>
    public static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch))
            {
                if (space && sb.Length > 0) sb.Append(' ');
                sb.Append(char.ToLowerInvariant(ch));
                space = false;
            }
            else if (ch != '\'') space = true;
        }
        return sb.ToString();
    }

    private static string TokenSet(string folded) => string.Join(' ', folded.Split(' ').Order(StringComparer.Ordinal));

    /// <summary>Normalises <paramref name="raw"/>, applying a source's own overrides first.</summary>
    public LabelMatch Normalise(string raw, IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (overrides is not null)
        {
            var target = overrides.TryGetValue(raw, out var t) ? t
                : overrides.FirstOrDefault(kv => Fold(kv.Key) == Fold(raw)).Value;
            if (target is not null)
            {
                return _exact.TryGetValue(Fold(target), out var o)
                    ? new LabelMatch(raw, o.Label, MatchRule.Override, [], null)
                    : new LabelMatch(raw, null, MatchRule.Override, Nearest(target), $"the source maps it to '{target}', which is not a canonical label");
            }
        }
        var folded = Fold(raw);
        if (folded.Length == 0) return new LabelMatch(raw, null, MatchRule.Exact, [], "empty label");
        if (_exact.TryGetValue(folded, out var hit)) return new LabelMatch(raw, hit.Label, hit.Kind, [], null);

        var tokens = folded.Split(' ').ToList();
        var expanded = tokens.Select(tk => tokens.Count > 1 && SideWords.TryGetValue(tk, out var s) ? s : tk).ToList();
        var expandedText = string.Join(' ', expanded);
        if (expandedText != folded && _exact.TryGetValue(expandedText, out hit)) return new LabelMatch(raw, hit.Label, MatchRule.Laterality, [], null);

        // Merge sides into the paired structure: "left kidney" -> kidney, only for labels marked lateral.
        var sides = expanded.Where(t => t is "left" or "right" or "bilateral").ToList();
        if (sides.Count == 1 && expanded.Count > 1)
        {
            var rest = expanded.Where(t => t is not ("left" or "right" or "bilateral")).ToList();
            var restText = string.Join(' ', rest);
            var found = Lookup(restText, rest, out var ambiguous);
            if (ambiguous is not null) return ambiguous with { Raw = raw };
            if (found is not null && found.Lateral) return new LabelMatch(raw, found, MatchRule.MergedSide, [], null);
        }

        var byOrder = Lookup(expandedText, expanded, out var amb);
        if (amb is not null) return amb with { Raw = raw };
        if (byOrder is not null) return new LabelMatch(raw, byOrder, MatchRule.WordOrder, [], null);

        // Plural: "nodules" -> "nodule", only when the singular names exactly one label.
        var singular = expanded.Select(Singular).ToList();
        if (!singular.SequenceEqual(expanded))
        {
            var s = Lookup(string.Join(' ', singular), singular, out amb);
            if (amb is not null) return amb with { Raw = raw };
            if (s is not null) return new LabelMatch(raw, s, MatchRule.Plural, [], null);
        }
        return new LabelMatch(raw, null, MatchRule.Exact, Nearest(raw), "no canonical label matches");
    }

    private LabelNode? Lookup(string text, List<string> tokens, out LabelMatch? ambiguous)
    {
        ambiguous = null;
        if (_exact.TryGetValue(text, out var hit)) return hit.Label;
        if (tokens.Count < 2) return null;
        if (_byTokenSet.TryGetValue(TokenSet(text), out var list))
        {
            if (list.Count == 1) return list[0];
            ambiguous = new LabelMatch(text, null, MatchRule.WordOrder, list.Select(l => l.Id).ToList(),
                $"matches {list.Count} canonical labels ({string.Join(", ", list.Select(l => l.Id))}); map it explicitly in the source's labels:");
        }
        return null;
    }

    private static string Singular(string token) =>
        token.Length > 3 && token.EndsWith('s') && !token.EndsWith("ss", StringComparison.Ordinal)
        && !token.EndsWith("us", StringComparison.Ordinal) && !token.EndsWith("is", StringComparison.Ordinal)
            ? token[..^1] : token;

    /// <summary>The three canonical labels nearest to <paramref name="raw"/> by edit distance over folded texts.</summary>
    public IReadOnlyList<string> Nearest(string raw, int count = 3)
    {
        var f = Fold(raw);
        return _labels
            .Select(l => (l.Id, d: Texts(l).Min(t => Suggest.Distance(f, Fold(t)))))
            .OrderBy(x => x.d).ThenBy(x => x.Id, StringComparer.Ordinal)
            .Take(count).Select(x => x.Id).ToList();
    }
}

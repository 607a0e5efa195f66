using System.Text;
using System.Text.RegularExpressions;
using GmaiBench.Configuration;

namespace GmaiBench.Taxonomy;

/// <summary>How a raw label expression reached its canonical label.</summary>
public enum MatchRule { Override, Exact, Synonym, Abbreviation, Laterality, MergedSide, WordOrder, Plural, Numbered, NoteDropped, InContext }

/// <summary>The outcome of normalising one raw label.</summary>
public sealed record LabelMatch(string Raw, LabelNode? Label, MatchRule Rule, IReadOnlyList<string> Candidates, string? Problem)
{
    public bool IsMapped => Label is not null;
}

/// <summary>
/// Maps raw label expressions to canonical labels, as GMAI-MMBench did against MeSH: fold case, punctuation,
/// underscores and CamelCase; expand abbreviations and laterality shorthands; unify synonyms; merge left/right
/// into the paired structure's label (only for labels marked <c>lateral</c>, so direction attributes keep their
/// side); fold word order only where the token set names exactly one label; fold plurals; drop a level or
/// segment number only into a label marked <c>numbered</c>; drop a parenthesised note when nothing else matched.
/// A raw label matching two labels is an error.
/// </summary>
/// <remarks>
/// Numbered structures map to their family label ("rib_left_7" -> rib, "vertebrae_L3" -> vertebra,
/// "Cerebelum_4_5_L" -> cerebellum): the level stays out of the label because one 2D slice rarely shows
/// enough of the spine or rib cage to count from, so a question asking for the number could not be answered
/// fairly from the image. A source that wants levels maps them itself in its <c>labels:</c>.
/// Grades are never folded: a bare "0".."4" names nothing on its own (DR grade? KL grade? BI-RADS?), so it
/// maps only through the source's own <c>labels:</c> map.
/// </remarks>
public sealed class LabelNormaliser
{
    private static readonly Dictionary<string, string> SideWords = new(StringComparer.Ordinal)
    {
        ["lt"] = "left", ["l"] = "left", ["left"] = "left",
        ["rt"] = "right", ["r"] = "right", ["right"] = "right",
        ["bilat"] = "bilateral", ["bilateral"] = "bilateral", ["both"] = "bilateral",
    };

    /// <summary>A level or segment number: "7", "10", "7b" (AAL lobule), or a vertebral level "C1", "T12", "Th12", "L3", "S1".</summary>
    private static readonly Regex LevelToken = new(@"^(\d{1,2}[a-z]?|(c|t|th|l|s)\d{1,2})$", RegexOptions.CultureInvariant);

    private static readonly Regex ParenthesisedNote = new(@"\([^()]*\)", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, (LabelNode Label, MatchRule Kind)> _exact;
    private readonly Dictionary<string, List<LabelNode>> _byTokenSet;
    private readonly Dictionary<string, List<LabelNode>> _bySingularTokenSet;
    private readonly Dictionary<string, LabelNode> _byAbbreviation;
    private readonly IReadOnlyList<(LabelNode Label, List<string[]> Texts, List<string> Folded)> _suggestable;
    private readonly Dictionary<string, List<LabelNode>> _children;

    private LabelNormaliser(Dictionary<string, (LabelNode, MatchRule)> exact, Dictionary<string, List<LabelNode>> byTokenSet,
        Dictionary<string, List<LabelNode>> bySingularTokenSet, IReadOnlyList<LabelNode> labels)
    {
        _exact = exact;
        _byTokenSet = byTokenSet;
        _bySingularTokenSet = bySingularTokenSet;
        _byAbbreviation = new Dictionary<string, LabelNode>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            foreach (var a in label.Abbreviations.Select(Fold).Where(a => a.Length > 0 && !a.Contains(' ')))
                _byAbbreviation.TryAdd(a, label);
        }
        _suggestable = labels
            .Select(l => (l, Texts(l).Select(t => SuggestionTokens(Fold(t), expand: false)).ToList(), Texts(l).Select(Fold).ToList()))
            .ToList();
        _children = labels.Where(l => l.Parent is not null).GroupBy(l => l.Parent!).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Normalises every raw label of one source: each on its own first, then what is left in the context of the labels the
    /// rest of the source mapped to (<see cref="InContext"/>). What <c>gmai labels</c>, tagging and the mapping figures use.
    /// </summary>
    public Dictionary<string, LabelMatch> NormaliseVocabulary(IEnumerable<string> raws, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var result = raws.Distinct(StringComparer.Ordinal).ToDictionary(r => r, r => Normalise(r, overrides), StringComparer.Ordinal);
        var siblings = result.Values.Where(m => m.Label is not null).Select(m => m.Label!).DistinctBy(l => l.Id).ToList();
        foreach (var raw in result.Keys.ToList())
            if (result[raw].Label is null) result[raw] = InContext(result[raw], siblings);
        return result;
    }

    /// <summary>
    /// A bare word that names something only inside its dataset ("tumor" in a kidney tumour collection, "pituitary" beside
    /// glioma and meningioma, "Bipolar" among surgical tools) read with the labels the same source maps to: the word after a
    /// sibling's name ("kidney tumor"), or a label of the same family as a sibling whose name holds the word ("pituitary
    /// tumor" is a brain tumour like glioma; "bipolar forceps" a surgical instrument like a grasper). Taken only when exactly
    /// one label results; several are listed as candidates, so the source decides in its <c>labels:</c>.
    /// </summary>
    private LabelMatch InContext(LabelMatch unmapped, IReadOnlyList<LabelNode> siblings)
    {
        var words = Fold(unmapped.Raw).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || siblings.Count == 0 || words.All(w => LevelToken.IsMatch(w))) return unmapped;
        var found = new List<LabelNode>();
        void Take(LabelNode? l) { if (l is not null && !found.Any(f => f.Id == l.Id) && !siblings.Any(s => s.Id == l.Id)) found.Add(l); }
        foreach (var sibling in siblings)
        {
            foreach (var name in new[] { sibling.Name }.Concat(sibling.Synonyms))
                Take(Match($"{name} {unmapped.Raw}")?.Label);
            if (sibling.Parent is { } parent && _children.TryGetValue(parent, out var family))
                foreach (var kin in family.Where(k => Texts(k).Any(t => words.All(w => Fold(t).Split(' ').Contains(w)))))
                    Take(kin);
        }
        return found.Count switch
        {
            1 => new LabelMatch(unmapped.Raw, found[0], MatchRule.InContext, [], null),
            0 => unmapped,
            _ => unmapped with
            {
                Candidates = [.. found.Select(f => f.Id).Order(StringComparer.Ordinal)],
                Problem = $"beside this source's other labels it could be {string.Join(" or ", found.Select(f => f.Name).Order(StringComparer.Ordinal))}; map it in the source's labels:",
            },
        };
    }

    /// <summary>Builds the indexes; a folded name claimed by two labels is reported as an issue.</summary>
    public static LabelNormaliser Build(IReadOnlyList<LabelNode> labels, List<ConfigIssue> issues)
    {
        var exact = new Dictionary<string, (LabelNode, MatchRule)>(StringComparer.Ordinal);
        var byTokens = new Dictionary<string, List<LabelNode>>(StringComparer.Ordinal);
        var bySingular = new Dictionary<string, List<LabelNode>>(StringComparer.Ordinal);
        static void Add(Dictionary<string, List<LabelNode>> index, string key, LabelNode label)
        {
            if (!index.TryGetValue(key, out var list)) index[key] = list = [];
            if (!list.Contains(label)) list.Add(label);
        }
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
                Add(byTokens, TokenSet(key), label);
                Add(bySingular, TokenSet(string.Join(' ', key.Split(' ').Select(Singular))), label);
            }
        }
        return new LabelNormaliser(exact, byTokens, bySingular, labels);
    }

    private static IEnumerable<string> Texts(LabelNode l) => l.Synonyms.Concat(l.Abbreviations).Prepend(l.Name).Prepend(l.Id);

    /// <summary>
    /// Lower case; every run of characters that are not letters or digits becomes one space; a lower-case letter
    /// followed by an upper-case one starts a new word ("CalotTriangleDissection", "OpticNerve_L"), and so does a
    /// number after a word of three letters or more ("Crus1", "covid19"; "T12", "L3" and "T1Gd" stay whole).
    /// </summary>
    public static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        var prev = '\0';
        var letterRun = 0;
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch))
            {
                var boundary = (char.IsLower(prev) && char.IsUpper(ch)) || (char.IsDigit(ch) && letterRun >= 3);
                if ((space || boundary) && sb.Length > 0) sb.Append(' ');
                sb.Append(char.ToLowerInvariant(ch));
                letterRun = char.IsLetter(ch) ? (space || boundary ? 1 : letterRun + 1) : 0;
                space = false;
                prev = ch;
            }
            else if (ch != '\'')
            {
                space = true;
                prev = '\0';
                letterRun = 0;
            }
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
        if (Fold(raw).Length == 0) return new LabelMatch(raw, null, MatchRule.Exact, [], "empty label");
        var match = Match(raw);
        if (match is not null) return match with { Raw = raw };

        // A parenthesised note ("Inferior Vena Cava (IVC)", "immature granulocytes(myelocytes, ...)") is dropped
        // only when the full text matched nothing, so "Kidney (R)" still reads its side.
        var stripped = ParenthesisedNote.Replace(raw, " ");
        if (stripped != raw && Fold(stripped).Length > 0 && Match(stripped) is { } note)
            return note.IsMapped ? new LabelMatch(raw, note.Label, MatchRule.NoteDropped, [], null) : note with { Raw = raw };
        return new LabelMatch(raw, null, MatchRule.Exact, Nearest(raw), "no canonical label matches");
    }

    /// <summary>The rules in order; null when nothing matched, an unmapped match when a step found two labels.</summary>
    private LabelMatch? Match(string raw)
    {
        var folded = Fold(raw);
        if (_exact.TryGetValue(folded, out var hit)) return new LabelMatch(raw, hit.Label, hit.Kind, [], null);

        var tokens = folded.Split(' ').ToList();
        var expanded = tokens.Select(tk => tokens.Count > 1 && SideWords.TryGetValue(tk, out var s) ? s : tk).ToList();
        var expandedText = string.Join(' ', expanded);
        if (expandedText != folded && _exact.TryGetValue(expandedText, out hit)) return new LabelMatch(raw, hit.Label, MatchRule.Laterality, [], null);

        // Merge sides into the paired structure: "left kidney" -> kidney, only for labels marked lateral.
        var sides = expanded.Where(IsSide).ToList();
        var rest = sides.Count == 1 && expanded.Count > 1 ? expanded.Where(t => !IsSide(t)).ToList() : null;
        if (rest is not null)
        {
            var found = Lookup(rest, out var ambiguous);
            if (ambiguous is not null) return ambiguous;
            if (found is not null && found.Lateral) return new LabelMatch(raw, found, MatchRule.MergedSide, [], null);
        }

        var byOrder = Lookup(expanded, out var amb);
        if (amb is not null) return amb;
        if (byOrder is not null) return new LabelMatch(raw, byOrder, MatchRule.WordOrder, [], null);

        // Plural: "nodules" -> "nodule", "vertebrae" -> "vertebra", only when the singular names exactly one label.
        var plural = LookupSingular(expanded, out amb);
        if (amb is not null) return amb;
        if (plural is not null) return new LabelMatch(raw, plural, MatchRule.Plural, [], null);

        // Numbered structures: drop the level ("rib_left_7", "vertebrae_L3", "Cerebelum_4_5_L") into a label
        // marked numbered (and lateral, when a side was dropped too).
        var sideless = rest ?? expanded;
        var family = sideless.Where(t => !LevelToken.IsMatch(t)).ToList();
        if (family.Count > 0 && family.Count < sideless.Count)
        {
            var found = Lookup(family, out amb) ?? (amb is null ? LookupSingular(family, out amb) : null);
            if (amb is not null) return amb;
            if (found is not null && found.Numbered && (rest is null || found.Lateral))
                return new LabelMatch(raw, found, MatchRule.Numbered, [], null);
        }
        return null;
    }

    private static bool IsSide(string token) => token is "left" or "right" or "bilateral";

    private LabelNode? Lookup(List<string> tokens, out LabelMatch? ambiguous)
    {
        ambiguous = null;
        var text = string.Join(' ', tokens);
        if (_exact.TryGetValue(text, out var hit)) return hit.Label;
        if (tokens.Count < 2) return null;
        return Single(_byTokenSet.GetValueOrDefault(TokenSet(text)), text, out ambiguous);
    }

    private LabelNode? LookupSingular(List<string> tokens, out LabelMatch? ambiguous)
    {
        var singular = string.Join(' ', tokens.Select(Singular));
        return Single(_bySingularTokenSet.GetValueOrDefault(TokenSet(singular)), singular, out ambiguous);
    }

    private static LabelNode? Single(List<LabelNode>? list, string text, out LabelMatch? ambiguous)
    {
        ambiguous = null;
        if (list is null || list.Count == 0) return null;
        if (list.Count == 1) return list[0];
        ambiguous = new LabelMatch(text, null, MatchRule.WordOrder, list.Select(l => l.Id).ToList(),
            $"matches {list.Count} canonical labels ({string.Join(", ", list.Select(l => l.Id))}); map it explicitly in the source's labels:");
        return null;
    }

    /// <summary>English and Latin plural endings of medical nouns: arteries, keratoses, masses, vertebrae, nevi, nodules.</summary>
    private static string Singular(string token)
    {
        if (token.Length > 4 && token.EndsWith("ies", StringComparison.Ordinal)) return token[..^3] + "y";
        if (token.Length > 5 && token.EndsWith("oses", StringComparison.Ordinal)) return token[..^2] + "is";
        if (token.Length > 4 && (token.EndsWith("sses", StringComparison.Ordinal) || token.EndsWith("xes", StringComparison.Ordinal)
                                 || token.EndsWith("ches", StringComparison.Ordinal) || token.EndsWith("shes", StringComparison.Ordinal)))
            return token[..^2];
        if (token.Length > 4 && token.EndsWith("ae", StringComparison.Ordinal)) return token[..^1];
        if (token.Length > 3 && token.EndsWith('i') && !token.EndsWith("ii", StringComparison.Ordinal) && char.IsLetter(token[^2])) return token[..^1] + "us";
        return token.Length > 3 && token.EndsWith('s') && !token.EndsWith("ss", StringComparison.Ordinal)
               && !token.EndsWith("us", StringComparison.Ordinal) && !token.EndsWith("is", StringComparison.Ordinal)
            ? token[..^1] : token;
    }

    /// <summary>
    /// The canonical labels nearest to <paramref name="raw"/>, best first: ranked by how many of its words a
    /// label's name, synonyms or abbreviations share after normalisation (sides and levels dropped,
    /// abbreviations expanded, plurals folded; a misspelt word, a shared stem or a truncated word counts in
    /// part), so "Acinetobacter.baumanii" suggests Acinetobacter baumannii and "Hypertension" hypertensive
    /// retinopathy; ties and raw labels sharing no word fall back to edit distance over the folded texts.
    /// </summary>
    public IReadOnlyList<string> Nearest(string raw, int count = 3)
    {
        var f = Fold(raw);
        var tokens = SuggestionTokens(f, expand: true);
        // Texts[0] is the id and Texts[1] the name: between labels that share as much, the one whose own name
        // shares most comes first ("Diabetes": diabetic retinopathy before diabetic macular edema, whose
        // synonym "diabetic maculopathy" scores as high).
        return _suggestable
            .Select(s => (s.Label.Id,
                score: tokens.Length == 0 ? 0 : s.Texts.Max(t => Overlap(tokens, t)),
                name: tokens.Length == 0 || s.Texts.Count < 2 ? 0 : Overlap(tokens, s.Texts[1]),
                d: s.Folded.Min(t => Suggest.Distance(f, t))))
            .OrderByDescending(x => x.score).ThenByDescending(x => x.name).ThenBy(x => x.d).ThenBy(x => x.Id, StringComparer.Ordinal)
            .Take(count).Select(x => x.Id).ToList();
    }

    /// <summary>Words for ranking suggestions: side words and levels dropped, abbreviations expanded, singular.</summary>
    private string[] SuggestionTokens(string folded, bool expand)
    {
        var tokens = folded.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = tokens.Length > 1 ? tokens.Where(t => !SideWords.ContainsKey(t) && !LevelToken.IsMatch(t)).ToArray() : tokens;
        if (kept.Length == 0) kept = tokens;
        return kept
            .SelectMany(t => expand && _byAbbreviation.TryGetValue(t, out var l) ? Fold(l.Name).Split(' ') : [t])
            .Select(Singular).ToArray();
    }

    /// <summary>Soft Jaccard overlap: each raw word takes its best unused text word; shared weight over the union.</summary>
    private static double Overlap(string[] raw, string[] text)
    {
        var used = new bool[text.Length];
        var shared = 0.0;
        foreach (var r in raw)
        {
            var (best, at) = (0.0, -1);
            for (var j = 0; j < text.Length; j++)
            {
                if (used[j]) continue;
                var w = WordSimilarity(r, text[j]);
                if (w > best) (best, at) = (w, j);
            }
            if (at < 0) continue;
            used[at] = true;
            shared += best;
        }
        return shared / (raw.Length + text.Length - shared);
    }

    /// <summary>1 for the same word; 0.85 for a misspelling (one edit, two in words of six letters or more);
    /// 0.8 for a shared stem (hypertension / hypertensive); 0.5 for a truncation (gall / gallbladder).</summary>
    private static double WordSimilarity(string a, string b)
    {
        if (a == b) return 1;
        var shorter = Math.Min(a.Length, b.Length);
        var w = 0.0;
        if (shorter >= 4 && Math.Abs(a.Length - b.Length) <= 2 && TranspositionDistance(a, b) <= (shorter >= 6 ? 2 : 1)) w = 0.85;
        var prefix = 0;
        while (prefix < shorter && a[prefix] == b[prefix]) prefix++;
        if (prefix >= 5 && prefix >= 0.6 * shorter) w = Math.Max(w, 0.8);
        if (a.Length >= 3 && prefix == a.Length) w = Math.Max(w, 0.5);
        return w;
    }

    /// <summary>Edit distance counting a swap of two neighbouring letters as one edit ("arota" / "aorta").</summary>
    private static int TranspositionDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}

using GmaiBench.Configuration;
using GmaiBench.Model;

namespace GmaiBench.Taxonomy;

/// <summary>An error in a <c>--where</c> expression, with the position and the nearest valid words.</summary>
public sealed class SubsetExpressionException(string message) : Exception(message);

/// <summary>
/// A filter over built items by the lexical tree: <c>department = Ophthalmology and task = "Disease Diagnosis"</c>.
/// Fields: task, department, modality, granularity, label, source, split. Operators: <c>=</c>, <c>!=</c>,
/// <c>in (a, b)</c>, <c>and</c>, <c>or</c>, <c>not</c>, parentheses. Values are resolved against the taxonomy
/// (ids, names, aliases and synonyms) when parsed; a label also selects its descendants.
/// </summary>
public sealed class SubsetExpression
{
    public static readonly string[] Fields = ["task", "department", "modality", "granularity", "label", "source", "split"];

    private readonly Func<Question, bool> _predicate;

    public string Text { get; }

    private SubsetExpression(string text, Func<Question, bool> predicate)
    {
        Text = text;
        _predicate = predicate;
    }

    public bool Matches(Question q) => _predicate(q);

    /// <param name="sources">Source ids present in the build (for <c>source</c> values).</param>
    public static SubsetExpression Parse(string text, LabelTaxonomy taxonomy, IReadOnlyCollection<string> sources)
    {
        var parser = new Parser(Tokenize(text), taxonomy, sources);
        var predicate = parser.Or();
        if (!parser.AtEnd) throw new SubsetExpressionException($"unexpected '{parser.Peek}' at position {parser.Position}; expected 'and', 'or' or the end");
        return new SubsetExpression(text, predicate);
    }

    private sealed record Token(string Text, bool Quoted, int Position);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or ',') { tokens.Add(new Token(c.ToString(), false, i)); i++; continue; }
            if (c == '=' ) { tokens.Add(new Token("=", false, i)); i += i + 1 < text.Length && text[i + 1] == '=' ? 2 : 1; continue; }
            if (c == '!' && i + 1 < text.Length && text[i + 1] == '=') { tokens.Add(new Token("!=", false, i)); i += 2; continue; }
            if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0) throw new SubsetExpressionException($"unclosed quote starting at position {i}");
                tokens.Add(new Token(text[(i + 1)..end], true, i));
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '=' or '!' or '\'' or '"')) i++;
            if (i == start) throw new SubsetExpressionException($"unexpected '{text[i]}' at position {i}");
            tokens.Add(new Token(text[start..i], false, start));
        }
        return tokens;
    }

    private sealed class Parser(List<Token> tokens, LabelTaxonomy taxonomy, IReadOnlyCollection<string> sources)
    {
        private int _i;

        public bool AtEnd => _i >= tokens.Count;
        public string Peek => AtEnd ? "(end)" : tokens[_i].Text;
        public int Position => AtEnd ? -1 : tokens[_i].Position;

        private bool IsWord(string word) => !AtEnd && !tokens[_i].Quoted && string.Equals(tokens[_i].Text, word, StringComparison.OrdinalIgnoreCase);

        private Token Next(string expected)
        {
            if (AtEnd) throw new SubsetExpressionException($"the expression ends where {expected} was expected");
            return tokens[_i++];
        }

        public Func<Question, bool> Or()
        {
            var left = And();
            while (IsWord("or")) { _i++; var l = left; var r = And(); left = q => l(q) || r(q); }
            return left;
        }

        private Func<Question, bool> And()
        {
            var left = Not();
            while (IsWord("and")) { _i++; var l = left; var r = Not(); left = q => l(q) && r(q); }
            return left;
        }

        private Func<Question, bool> Not()
        {
            if (IsWord("not")) { _i++; var inner = Not(); return q => !inner(q); }
            return Primary();
        }

        private Func<Question, bool> Primary()
        {
            var t = Next("a field or '('");
            if (t.Text == "(" && !t.Quoted)
            {
                var inner = Or();
                var close = Next("')'");
                if (close.Text != ")") throw new SubsetExpressionException($"expected ')' at position {close.Position}, found '{close.Text}'");
                return inner;
            }
            var field = t.Text.ToLowerInvariant();
            if (!Fields.Contains(field))
                throw new SubsetExpressionException($"unknown field '{t.Text}' at position {t.Position}{Suggest.DidYouMean(t.Text, Fields)}; fields: {string.Join(", ", Fields)}");
            var op = Next("'=', '!=' or 'in'");
            List<string> values;
            bool negate;
            if (op.Text is "=" or "!=" && !op.Quoted)
            {
                negate = op.Text == "!=";
                values = [Resolve(field, Next("a value"))];
            }
            else if (string.Equals(op.Text, "in", StringComparison.OrdinalIgnoreCase) && !op.Quoted)
            {
                negate = false;
                if (Next("'('").Text != "(") throw new SubsetExpressionException($"expected '(' after 'in' at position {op.Position}");
                values = [];
                while (true)
                {
                    values.Add(Resolve(field, Next("a value")));
                    var sep = Next("',' or ')'");
                    if (sep.Text == ")") break;
                    if (sep.Text != ",") throw new SubsetExpressionException($"expected ',' or ')' at position {sep.Position}, found '{sep.Text}'");
                }
            }
            else throw new SubsetExpressionException($"expected '=', '!=' or 'in' after '{t.Text}' at position {op.Position}, found '{op.Text}'");
            var test = Test(field, values.ToHashSet(StringComparer.Ordinal));
            return negate ? q => !test(q) : test;
        }

        private Func<Question, bool> Test(string field, HashSet<string> values) => field switch
        {
            "task" => q => values.Contains(q.Case.Task),
            "department" => q => values.Contains(q.Case.PrimaryDepartment),
            "modality" => q => values.Contains(q.Case.Modality),
            "granularity" => q => values.Contains(q.Case.Granularity.Text()),
            "label" => q => q.AnswerLabels.Any(a => values.Any(v => a == v || IsDescendant(a, v))),
            "source" => q => values.Contains(q.Case.SourceId),
            _ => q => values.Contains(q.Split),
        };

        private bool IsDescendant(string id, string ancestor)
        {
            var seen = 0;
            for (var cur = taxonomy.Label(id)?.Parent; cur is not null && seen++ < 64; cur = taxonomy.Label(cur)?.Parent)
                if (cur == ancestor) return true;
            return false;
        }

        private string Resolve(string field, Token value)
        {
            var v = value.Text;
            string? hit;
            IEnumerable<string> valid;
            switch (field)
            {
                case "task":
                    hit = taxonomy.Tasks.FirstOrDefault(t => Same(t.Id, v) || Same(t.Name, v))?.Id;
                    valid = taxonomy.Tasks.SelectMany(t => new[] { t.Id, t.Name });
                    break;
                case "department":
                    hit = taxonomy.Departments.FirstOrDefault(d => Same(d.Id, v) || Same(d.Name, v))?.Id;
                    valid = taxonomy.Departments.SelectMany(d => new[] { d.Id, d.Name });
                    break;
                case "modality":
                    hit = taxonomy.Modality(v);
                    valid = taxonomy.Modalities.Select(m => m.Name);
                    break;
                case "granularity":
                    hit = taxonomy.Granularities.FirstOrDefault(g => Same(g.Id, v))?.Id;
                    valid = taxonomy.Granularities.Select(g => g.Id);
                    break;
                case "label":
                    hit = taxonomy.Normaliser.Normalise(v).Label?.Id;
                    valid = taxonomy.Labels.Select(l => l.Id);
                    break;
                case "source":
                    hit = sources.FirstOrDefault(s => Same(s, v));
                    valid = sources;
                    break;
                default:
                    hit = new[] { "VAL", "TEST" }.FirstOrDefault(s => Same(s, v));
                    valid = ["VAL", "TEST"];
                    break;
            }
            return hit ?? throw new SubsetExpressionException(
                $"unknown {field} '{v}' at position {value.Position}; nearest: {string.Join(", ", Suggest.Nearest(v, valid))}");
        }

        private static bool Same(string a, string b) => string.Equals(LabelNormaliser.Fold(a), LabelNormaliser.Fold(b), StringComparison.Ordinal);
    }
}

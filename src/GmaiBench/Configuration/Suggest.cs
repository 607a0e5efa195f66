namespace GmaiBench.Configuration;

/// <summary>Nearest-name suggestions (Levenshtein distance) for unknown keys, values and labels.</summary>
public static class Suggest
{
    public static IReadOnlyList<string> Nearest(string value, IEnumerable<string> candidates, int count = 3)
    {
        var v = value.ToLowerInvariant();
        return candidates
            .Distinct(StringComparer.Ordinal)
            .Select(c => (c, d: Distance(v, c.ToLowerInvariant())))
            .OrderBy(t => t.d).ThenBy(t => t.c, StringComparer.Ordinal)
            .Take(count)
            .Select(t => t.c)
            .ToList();
    }

    public static string DidYouMean(string value, IEnumerable<string> candidates)
    {
        var near = Nearest(value, candidates, 3);
        return near.Count == 0 ? "" : $" (did you mean: {string.Join(", ", near)}?)";
    }

    public static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}

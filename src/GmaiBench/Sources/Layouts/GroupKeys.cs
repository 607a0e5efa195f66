using System.Text.RegularExpressions;

namespace GmaiBench.Sources.Layouts;

/// <summary>
/// Patient group keys for leakage-free splits. Without a rule every item is its own group, which the
/// build report flags: a slice-level split of one patient inflates accuracy.
/// </summary>
public static class GroupKeys
{
    public static string From(string sourceId, string relativePath, Regex? pattern, string? explicitGroup)
    {
        if (!string.IsNullOrWhiteSpace(explicitGroup)) return $"{sourceId}/{explicitGroup.Trim()}";
        if (pattern is not null)
        {
            var m = pattern.Match(relativePath);
            if (m.Success)
            {
                var g = m.Groups["group"].Success ? m.Groups["group"] : m.Groups.Count > 1 ? m.Groups[1] : m.Groups[0];
                if (g.Value.Length > 0) return $"{sourceId}/{g.Value}";
            }
        }
        return $"{sourceId}/{relativePath}";
    }

    public static Regex? Compile(string? pattern) =>
        pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

using System.Globalization;
using System.Text;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>Items added, removed and changed between two releases, by key.</summary>
public sealed record ChangeSummary(IReadOnlyList<ReleaseItem> Added, IReadOnlyList<ReleaseItem> Removed, IReadOnlyList<ReleaseItem> Changed)
{
    public static ChangeSummary Between(IReadOnlyList<ReleaseItem> previous, IReadOnlyList<ReleaseItem> current)
    {
        var before = previous.ToDictionary(i => i.Key, StringComparer.Ordinal);
        var after = current.ToDictionary(i => i.Key, StringComparer.Ordinal);
        return new ChangeSummary(
            current.Where(i => !before.ContainsKey(i.Key)).OrderBy(i => i.Key, StringComparer.Ordinal).ToList(),
            previous.Where(i => !after.ContainsKey(i.Key)).OrderBy(i => i.Key, StringComparer.Ordinal).ToList(),
            current.Where(i => before.TryGetValue(i.Key, out var b) && b.ContentHash != i.ContentHash).OrderBy(i => i.Key, StringComparer.Ordinal).ToList());
    }
}

/// <summary><c>CHANGELOG.md</c>: what changed against the previous release of the same name, per source and per task.</summary>
public static class Changelog
{
    public const int ListLimit = 200;

    public static string Render(string name, string version, string? previousVersion, ChangeSummary? changes, IReadOnlyList<ReleaseItem> current, IReadOnlyList<ReleaseItem> previous)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"# Changelog: {name} {version}\n\n");
        if (previousVersion is null || changes is null)
        {
            sb.Append(ci, $"First release: {current.Count} items from {current.Select(i => i.Source).Distinct().Count()} source(s).\n");
            return sb.ToString();
        }
        sb.Append(ci, $"Against {previousVersion}: {changes.Added.Count} added, {changes.Removed.Count} removed, {changes.Changed.Count} changed; {current.Count} items in all (was {previous.Count}).\n\n");
        var sourcesBefore = previous.Select(i => i.Source).ToHashSet(StringComparer.Ordinal);
        var sourcesAfter = current.Select(i => i.Source).ToHashSet(StringComparer.Ordinal);
        var addedSources = sourcesAfter.Except(sourcesBefore).Order(StringComparer.Ordinal).ToList();
        var removedSources = sourcesBefore.Except(sourcesAfter).Order(StringComparer.Ordinal).ToList();
        if (addedSources.Count > 0) sb.Append(ci, $"Sources added: {string.Join(", ", addedSources)}\n\n");
        if (removedSources.Count > 0) sb.Append(ci, $"Sources removed: {string.Join(", ", removedSources)}\n\n");
        Table(sb, "By source", changes, i => i.Source);
        Table(sb, "By task", changes, i => i.Task);
        List(sb, "Added items", changes.Added);
        List(sb, "Removed items", changes.Removed);
        List(sb, "Changed items", changes.Changed);
        return sb.ToString();
    }

    /// <summary>
    /// What reviewers decided for this release (empty when no review file has decisions): items they rejected with their
    /// reasons, and each split's coverage.
    /// </summary>
    public static string Review(BuildReport report)
    {
        var r = report.Review;
        if (r.Decisions == 0) return "";
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var rejected = report.Rejects.Where(x => x.Reason == GmaiBench.Review.ReviewApplication.RejectReason).ToList();
        sb.Append(ci, $"\n## Review\n\n{r.Decisions} decision(s) by {r.Reviewers.Count} reviewer(s) in {r.File}; {rejected.Count} item(s) removed by reviewers; {r.Lapsed} decision(s) lapsed (item content changed or gone).\n\n");
        sb.Append("| split | items | accepted | rejected | flagged | unreviewed | coverage |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (split, c) in r.Splits)
            sb.Append(ci, $"| {split} | {c.Items} | {c.Accepted} | {c.Rejected} | {c.Flagged} | {c.Unreviewed} | {c.Coverage:P1} |\n");
        if (rejected.Count > 0)
        {
            sb.Append(ci, $"\n### Removed by reviewers ({rejected.Count})\n\n");
            foreach (var x in rejected.Take(ListLimit)) sb.Append(ci, $"- `{x.Key}`: {x.Message}\n");
            if (rejected.Count > ListLimit) sb.Append(ci, $"- … and {rejected.Count - ListLimit} more (see the build's rejects.tsv)\n");
        }
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, string title, ChangeSummary c, Func<ReleaseItem, string> key)
    {
        var keys = c.Added.Concat(c.Removed).Concat(c.Changed).Select(key).Distinct().Order(StringComparer.Ordinal).ToList();
        if (keys.Count == 0) return;
        sb.Append(CultureInfo.InvariantCulture, $"## {title}\n\n| {title[3..]} | added | removed | changed |\n|---|---:|---:|---:|\n");
        foreach (var k in keys)
            sb.Append(CultureInfo.InvariantCulture, $"| {k} | {c.Added.Count(i => key(i) == k)} | {c.Removed.Count(i => key(i) == k)} | {c.Changed.Count(i => key(i) == k)} |\n");
        sb.Append('\n');
    }

    private static void List(StringBuilder sb, string title, IReadOnlyList<ReleaseItem> items)
    {
        if (items.Count == 0) return;
        sb.Append(CultureInfo.InvariantCulture, $"## {title} ({items.Count})\n\n");
        foreach (var i in items.Take(ListLimit)) sb.Append(CultureInfo.InvariantCulture, $"- `{i.Key}` ({i.Split}, {i.Task}, {i.Granularity})\n");
        if (items.Count > ListLimit) sb.Append(CultureInfo.InvariantCulture, $"- … and {items.Count - ListLimit} more (see private/items.tsv of both releases)\n");
        sb.Append('\n');
    }
}

using System.Text.RegularExpressions;

namespace GmaiBench.Release;

/// <summary>A release version MAJOR.MINOR.PATCH.</summary>
public readonly partial record struct SemVer(int Major, int Minor, int Patch) : IComparable<SemVer>
{
    [GeneratedRegex(@"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out SemVer version)
    {
        var m = Pattern().Match(text);
        version = m.Success ? new SemVer(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)) : default;
        return m.Success;
    }

    public int CompareTo(SemVer other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    public static bool operator <(SemVer a, SemVer b) => a.CompareTo(b) < 0;
    public static bool operator >(SemVer a, SemVer b) => a.CompareTo(b) > 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}

/// <summary>
/// The version policy, so a version number tells users whether their scores stay comparable:
/// MAJOR when any released item is removed or changed (its question, options, answer, image or split);
/// MINOR when items are only added; PATCH when no item changes (card or metadata only).
/// The new version must be greater than the previous one, and its bump at least what the changes need.
/// </summary>
public static class VersionPolicy
{
    public enum Bump { Patch, Minor, Major }

    public static Bump Required(ChangeSummary changes) =>
        changes.Removed.Count > 0 || changes.Changed.Count > 0 ? Bump.Major : changes.Added.Count > 0 ? Bump.Minor : Bump.Patch;

    public static Bump Of(SemVer previous, SemVer next) =>
        next.Major > previous.Major ? Bump.Major : next.Minor > previous.Minor ? Bump.Minor : Bump.Patch;

    /// <summary>Null when <paramref name="next"/> is acceptable, else why not.</summary>
    public static string? Check(SemVer previous, SemVer next, ChangeSummary changes)
    {
        if (!(next > previous)) return $"version {next} is not greater than the previous release {previous}";
        var need = Required(changes);
        var have = Of(previous, next);
        if (have < need)
            return $"{changes.Removed.Count} removed, {changes.Changed.Count} changed and {changes.Added.Count} added item(s) since {previous} need a {need.ToString().ToLowerInvariant()} version bump " +
                   $"(policy: major when items are removed or changed, minor when items are added, patch otherwise); {next} is a {have.ToString().ToLowerInvariant()} bump";
        return null;
    }
}

namespace GmaiBench.Sources;

/// <summary>Resolves paths named by configs and annotation files, refusing any that escape the source root.</summary>
public static class SourcePaths
{
    /// <summary>Returns the absolute path, or null with a reason when it leaves <paramref name="root"/>.</summary>
    public static string? ResolveInside(string root, string relative, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(relative)) { problem = "empty path"; return null; }
        if (relative.Contains('\0')) { problem = "path contains a NUL character"; return null; }
        var rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine(rootFull, relative));
        if (!IsInside(rootFull, full))
        {
            problem = $"path '{relative}' escapes the source root";
            return null;
        }
        if (File.Exists(full))
        {
            var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
            if (target is not null && !IsInside(rootFull, Path.GetFullPath(target.FullName)))
            {
                problem = $"path '{relative}' is a link that escapes the source root";
                return null;
            }
        }
        return full;
    }

    public static bool IsInside(string rootFull, string full) =>
        full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Relative path with forward slashes, stable across platforms (used in item keys).</summary>
    public static string Relative(string root, string full) =>
        Path.GetRelativePath(root, full).Replace(Path.DirectorySeparatorChar, '/');
}

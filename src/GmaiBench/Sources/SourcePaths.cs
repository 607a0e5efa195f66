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
        var kind = FileKinds.Of(full);
        if (kind == FileKind.Missing && !File.Exists(full) && !Directory.Exists(full)) return full;   // the caller names the missing file
        var real = RealPath(full);
        var rootReal = RealPath(rootFull) ?? rootFull;
        if (real is null)
        {
            problem = $"path '{relative}' is a broken link or a loop of links";
            return null;
        }
        if (!IsInside(rootReal, real))
        {
            problem = $"path '{relative}' is a link (or lies under a linked folder) that leads outside the source root";
            return null;
        }
        var target = FileKinds.Of(real);
        if (target is not (FileKind.Regular or FileKind.Directory))
        {
            problem = $"path '{relative}' is {FileKinds.Describe(target)}, not a regular file";
            return null;
        }
        return full;
    }

    /// <summary>
    /// The path with every link in it resolved (as realpath(3) does), or null when a component is missing, a link is
    /// broken, or resolving takes more than 40 links (a loop).
    /// </summary>
    public static string? RealPath(string path)
    {
        var pending = new Queue<string>(Path.GetFullPath(path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var current = Path.GetPathRoot(Path.GetFullPath(path)) ?? "/";
        var hops = 0;
        while (pending.Count > 0)
        {
            var next = Path.Combine(current, pending.Dequeue());
            var kind = FileKinds.Of(next);
            if (kind == FileKind.Missing) return null;
            if (kind != FileKind.Link) { current = next; continue; }
            if (++hops > 40) return null;
            var target = new FileInfo(next).LinkTarget;
            if (target is null) return null;
            var resolved = Path.GetFullPath(Path.Combine(current, target));
            var rest = pending.ToList();
            pending = new Queue<string>(resolved.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
            current = Path.GetPathRoot(resolved) ?? "/";
        }
        return current;
    }

    public static bool IsInside(string rootFull, string full) =>
        full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Relative path with forward slashes, stable across platforms (used in item keys).</summary>
    public static string Relative(string root, string full) =>
        Path.GetRelativePath(root, full).Replace(Path.DirectorySeparatorChar, '/');
}

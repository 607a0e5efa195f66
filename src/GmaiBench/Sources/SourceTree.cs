using GmaiBench.Model;

namespace GmaiBench.Sources;

/// <summary>A path under a source root that was not taken as an input, and why (reason code and message for people).</summary>
public sealed record RefusedPath(string Path, string Reason, string Message);

/// <summary>What a walk of a source folder found: regular files in ordinal order, and what it refused.</summary>
public sealed record SourceWalk(IReadOnlyList<string> Files, IReadOnlyList<RefusedPath> Refused);

/// <summary>
/// Walks a folder of a source the way untrusted data must be walked. Symlink policy: a link (to a file or a folder) is
/// followed only when its resolved target stays inside the source root; a link leaving the root, a broken link, and a
/// folder reached twice (a link loop) are refused with a named reason. Only regular files are listed: a FIFO, socket
/// or device is refused without ever being opened. Paths keep the names they have under the root (links are not
/// replaced by their targets), so item keys do not depend on where the data really lives.
/// </summary>
public static class SourceTree
{
    public static SourceWalk Files(string root, string folder, bool recursive = true)
    {
        var rootReal = SourcePaths.RealPath(root) ?? Path.GetFullPath(root);
        var files = new List<string>();
        var refused = new List<RefusedPath>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var start = SourcePaths.RealPath(folder);
        if (start is null) return new SourceWalk(files, refused);
        visited.Add(start);
        // Real folders are walked first and linked folders after them, so a folder reached both ways is read under its
        // real name and the link is the one refused.
        var pending = new Stack<string>();
        var links = new Queue<string>();
        pending.Push(folder);
        while (pending.Count > 0 || links.Count > 0)
        {
            if (pending.Count == 0)
            {
                var link = links.Dequeue();
                if (!visited.Add(SourcePaths.RealPath(link)!)) { refused.Add(new RefusedPath(link, "link-loop", "the link leads to a folder already read (a loop, or a second name for it); it is read once")); continue; }
                pending.Push(link);
                continue;
            }
            var dir = pending.Pop();
            IEnumerable<string> entries;
            try { entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                refused.Add(new RefusedPath(dir, "unreadable-folder", e is UnauthorizedAccessException ? "the folder cannot be listed (permission denied)" : "the folder cannot be listed"));
                continue;
            }
            var subfolders = new List<string>();
            foreach (var entry in entries)
            {
                var kind = FileKinds.Of(entry);
                var target = kind;
                if (kind == FileKind.Link)
                {
                    var real = SourcePaths.RealPath(entry);
                    if (real is null) { refused.Add(new RefusedPath(entry, "broken-link", "the link points nowhere (or into a loop of links)")); continue; }
                    if (!SourcePaths.IsInside(rootReal, real) && real != rootReal)
                    {
                        refused.Add(new RefusedPath(entry, "link-outside-root", "the link leads outside the source root; only links that stay inside it are followed"));
                        continue;
                    }
                    target = FileKinds.Of(real);
                }
                switch (target)
                {
                    case FileKind.Regular: files.Add(entry); break;
                    case FileKind.Directory:
                        if (!recursive) break;
                        if (kind == FileKind.Link) { links.Enqueue(entry); break; }
                        if (!visited.Add(SourcePaths.RealPath(entry)!)) { refused.Add(new RefusedPath(entry, "link-loop", "this folder was already read under another name; it is read once")); break; }
                        subfolders.Add(entry);
                        break;
                    default:
                        refused.Add(new RefusedPath(entry, "not-a-regular-file", $"{FileKinds.Describe(target)}, not a regular file: never opened"));
                        break;
                }
            }
            for (var i = subfolders.Count - 1; i >= 0; i--) pending.Push(subfolders[i]);
        }
        files.Sort(StringComparer.Ordinal);
        return new SourceWalk(files, refused);
    }

    /// <summary>The folders directly under <paramref name="folder"/> that the link policy lets through (ordinal order), and the refusals.</summary>
    public static (IReadOnlyList<string> Folders, SourceWalk Walk) Folders(string root, string folder)
    {
        var rootReal = SourcePaths.RealPath(root) ?? Path.GetFullPath(root);
        var folders = new List<string>();
        var refused = new List<RefusedPath>();
        foreach (var entry in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var real = SourcePaths.RealPath(entry);
            if (real is null) refused.Add(new RefusedPath(entry, "broken-link", "the link points nowhere (or into a loop of links)"));
            else if (!SourcePaths.IsInside(rootReal, real)) refused.Add(new RefusedPath(entry, "link-outside-root", "the link leads outside the source root; only links that stay inside it are followed"));
            else folders.Add(entry);
        }
        return (folders, new SourceWalk([], refused));
    }

    /// <summary>The walk's refusals as discovery rejects of <paramref name="source"/>.</summary>
    public static IEnumerable<Reject> Rejects(SourceDefinition source, SourceWalk walk) =>
        walk.Refused.Select(r =>
        {
            var rel = SourcePaths.Relative(source.Root, r.Path);
            return new Reject($"{source.Id}/{rel}", source.Id, rel, "discover", r.Reason, r.Message);
        });
}

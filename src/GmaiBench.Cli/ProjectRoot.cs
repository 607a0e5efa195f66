namespace GmaiBench.Cli;

/// <summary>
/// Where default paths resolve: the nearest folder at or above the current one holding <c>sources.yaml</c> and
/// <c>label-taxonomy/</c> (a GmaiBench project), else the current folder. So <c>gmai build</c> works from any subfolder.
/// </summary>
public static class ProjectRoot
{
    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "sources.yaml")) && Directory.Exists(Path.Combine(dir.FullName, "label-taxonomy")))
                return dir.FullName;
        }
        return Path.GetFullPath(start);
    }

    /// <summary><paramref name="relative"/> under the project found upward from the current folder.</summary>
    public static string Resolve(string relative) => Path.Combine(Find(Directory.GetCurrentDirectory()), relative);
}

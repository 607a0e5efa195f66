namespace GmaiBench.Model;

/// <summary>
/// .NET runtime settings every gmai process should start with, which the runtime reads only from the environment (they have
/// no runtimeconfig.json name). The launchers export them when the environment has none: the repository's <c>gmai</c>
/// script and the container image's, the Slurm job scripts and the Kubernetes manifests (written from this list).
/// </summary>
public static class RuntimeSettings
{
    /// <summary>
    /// The first-generation budget. By default the runtime sizes it from the L3 cache the machine reports, which on
    /// virtual machines is often the host's (300 MiB on the bench machine, a 240 MiB budget): a process then ran for
    /// seconds without a collection, and its garbage grew with the work (a rebuild of 600 images peaked 25 MB above one of
    /// 150, measured in bench/README.md, outputs). 8 MiB is what a machine with a 10 MiB cache would get; against 16 MiB
    /// it took 8-10 MiB off a CT build's peak at the same speed (bench/README.md, ct).
    /// </summary>
    public const string Gen0Budget = "0x800000";

    public static IReadOnlyList<(string Name, string Value)> Environment { get; } = [("DOTNET_GCgen0size", Gen0Budget)];

    /// <summary>Whether <paramref name="value"/> of <paramref name="name"/> is the launchers' own, not a user's.</summary>
    public static bool IsLaunchersDefault(string name, string value) =>
        Environment.Any(s => s.Name == name && string.Equals(s.Value, value.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Shell lines that export each setting unless the environment already has one.</summary>
    public static string ShellExports() =>
        string.Concat(Environment.Select(s => $"export {s.Name}=\"${{{s.Name}:-{s.Value}}}\"\n"));
}

using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Bench;

/// <summary>
/// <c>ct</c>: <c>gmai build</c> end to end on CT volumes with 10-label maps against a straightforward Python pipeline doing
/// the same work (<c>bench/python/ct_pipeline.py</c>: nibabel + numpy + Pillow), side by side in one run, at 1x, 2x and 4x the
/// data; wall time and peak RSS of each whole process.
/// </summary>
public static class CtBench
{
    /// <summary>The rebuild bench's options, with 3 volumes (then 6) unless told.</summary>
    public static RebuildBench.Options Parse(string[] args) => RebuildBench.Parse(args, defaultVolumes: 3);

    public static int Run(RebuildBench.Options o)
    {
        var repo = BenchProject.RepoRoot();
        var root = Path.GetFullPath(o.Dir ?? Path.Combine(Path.GetTempPath(), $"gmai-ct-bench-{Environment.ProcessId}"));
        var c = CultureInfo.InvariantCulture;
        var script = Path.Combine(repo, "bench", "python", "ct_pipeline.py");
        var largest = (double)o.Shape.VoxelCount * 2 / 1048576;
        var sb = new StringBuilder($"Largest decoded volume: {largest:0.0} MiB (int16 {o.Shape}).\n\n" +
            "| volumes | gmai build s (median) | runs | Python s (median) | runs | Python / gmai | gmai peak RSS MiB | / largest volume | Python peak RSS MiB |\n" +
            "|---|---|---|---|---|---|---|---|---|\n");
        var medians = new Dictionary<int, double>();
        try
        {
            foreach (var count in new[] { o.Volumes, 2 * o.Volumes, 4 * o.Volumes })
            {
                var dir = Path.Combine(root, $"ct-{count}");
                RebuildBench.Generate(Path.Combine(dir, "corpus", "ct"), o with { Volumes = count });
                RebuildBench.WriteProject(dir, repo);
                var gmai = new List<BenchProject.Run>();
                var python = new List<BenchProject.Run>();
                for (var r = 0; r < o.Repeats; r++)
                {
                    foreach (var sub in new[] { "work", "out" })
                        if (Directory.Exists(Path.Combine(dir, sub))) Directory.Delete(Path.Combine(dir, sub), recursive: true);
                    gmai.Add(BenchProject.Gmai(repo, dir, ["build", "--jobs", o.Jobs.ToString(c)]));
                    python.Add(BenchProject.Measure(dir, ["/usr/bin/python3", script, Path.Combine(dir, "corpus", "ct"), Path.Combine(dir, "python.tsv")]));
                    Console.Error.WriteLine(string.Create(c, $"{count} volumes, repeat {r + 1}/{o.Repeats}: gmai {gmai[^1].Seconds:0.00}s {gmai[^1].PeakMb:0} MiB, python {python[^1].Seconds:0.00}s {python[^1].PeakMb:0} MiB"));
                }
                double Median(IEnumerable<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
                var g = Median(gmai.Select(x => x.Seconds));
                var p = Median(python.Select(x => x.Seconds));
                var gPeak = Median(gmai.Select(x => x.PeakMb));
                medians[count] = g;
                sb.Append(c, $"| {count} | {g:0.00} | {string.Join(" ", gmai.Select(x => x.Seconds.ToString("0.00", c)))} | {p:0.00} | {string.Join(" ", python.Select(x => x.Seconds.ToString("0.00", c)))} | " +
                             $"{p / g:0.00} | {gPeak:0} | {gPeak / largest:0.00} | {Median(python.Select(x => x.PeakMb)):0} |\n");
            }
            sb.Append(c, $"\n2x data / 1x data, gmai build: {medians[2 * o.Volumes] / medians[o.Volumes]:0.00}; 4x / 1x: {medians[4 * o.Volumes] / medians[o.Volumes]:0.00}\n");
            Console.WriteLine(sb.ToString());
            return 0;
        }
        finally
        {
            if (!o.Keep && o.Dir is null && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}

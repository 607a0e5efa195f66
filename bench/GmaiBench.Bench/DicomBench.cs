using System.Diagnostics;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;

namespace GmaiBench.Bench;

/// <summary>
/// <c>dicom</c>: many small DICOM series read (a) in this process with <see cref="DicomReader.ReadSeries"/> and (b) through
/// the pooled decoder children a build uses (<see cref="DicomWorker.OpenPool(int, string, IReadOnlyList{string})"/>, the
/// published <c>gmai decode-dicom</c>), with the same number of jobs; optionally (c) one child per series, on a share of
/// them (what every series paid before the pool). Before timing, one untimed pass reads every series both ways and checks
/// the volumes are byte-identical; it also warms this process's in-process reader, so (a) runs warm while (b) starts its
/// children afresh in every repeat, as a build does.
/// </summary>
public static class DicomBench
{
    public sealed record Options(int Series, int Slices, int Size, int Jobs, int Repeats, int OneShot, string? Dir, bool Keep);

    public static Options Parse(string[] args)
    {
        var o = new Options(1000, 24, 80, 2, 3, 100, null, false);
        var c = CultureInfo.InvariantCulture;
        for (var n = 0; n < args.Length; n++)
        {
            string Value() => n + 1 < args.Length ? args[++n] : throw new ArgumentException($"{args[n]} needs a value");
            o = args[n] switch
            {
                "--series" => o with { Series = int.Parse(Value(), c) },
                "--slices" => o with { Slices = int.Parse(Value(), c) },
                "--size" => o with { Size = int.Parse(Value(), c) },
                "--jobs" => o with { Jobs = int.Parse(Value(), c) },
                "--repeats" => o with { Repeats = int.Parse(Value(), c) },
                "--one-shot" => o with { OneShot = int.Parse(Value(), c) },
                "--dir" => o with { Dir = Value() },
                "--keep" => o with { Keep = true },
                _ => throw new ArgumentException($"unknown option '{args[n]}'"),
            };
        }
        if (o.Series < 1 || o.Slices < 2 || o.Size < 8 || o.Jobs < 1 || o.Repeats < 1 || o.OneShot < 0)
            throw new ArgumentException("--series, --jobs and --repeats must be at least 1, --slices at least 2, --size at least 8, --one-shot at least 0");
        return o;
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static int Run(Options o)
    {
        var repo = BenchProject.RepoRoot();
        var dir = Path.GetFullPath(o.Dir ?? Path.Combine(Path.GetTempPath(), $"gmai-dicom-bench-{Environment.ProcessId}"));
        var c = CultureInfo.InvariantCulture;
        try
        {
            var series = Generate(dir, o);
            var gmai = BenchProject.GmaiDll(repo);
            string[] decoder = [gmai, DicomWorker.Verb];
            var bytes = series.Sum(s => s.Sum(f => new FileInfo(f).Length));
            Console.Error.WriteLine($"{series.Count} series of {o.Slices} slices {o.Size}x{o.Size} int16 in {dir}: {bytes / 1e6:0.0} MB; decoder {gmai}");

            Console.Error.WriteLine("checking: every series read both ways, byte for byte (untimed; warms the in-process reader)");
            using (DicomWorker.OpenPool(o.Jobs, "dotnet", decoder))
            {
                Parallel.For(0, series.Count, new ParallelOptions { MaxDegreeOfParallelism = o.Jobs }, n =>
                {
                    var here = DicomReader.ReadSeries(series[n]).Volume;
                    var there = DicomWorker.ReadSeries(series[n], Timeout).Volume;
                    if (here.Shape != there.Shape || here.VoxelType != there.VoxelType || here.Scaling != there.Scaling || !here.Affine.Equals(there.Affine)
                        || Enumerable.Range(0, here.Shape.Nk).Any(k => !SeriesFeed.StoredSlice(here, k).SequenceEqual(SeriesFeed.StoredSlice(there, k))))
                        throw new InvalidOperationException($"series {n}: the pooled decoder's volume differs from the in-process read");
                });
            }

            var inProcess = new List<double>();
            var pooled = new List<double>();
            var loads = new List<string> { Load() };
            var started = new List<int>();
            for (var r = 0; r < o.Repeats; r++)
            {
                // Alternate the order, so a drift of the machine's load does not favour one path.
                foreach (var path in r % 2 == 0 ? new[] { 'a', 'b' } : ['b', 'a'])
                {
                    if (path == 'a') inProcess.Add(Time(() => Parallel.For(0, series.Count, new ParallelOptions { MaxDegreeOfParallelism = o.Jobs }, n => DicomReader.ReadSeries(series[n]))));
                    else pooled.Add(Time(() =>
                    {
                        using var pool = DicomWorker.OpenPool(o.Jobs, "dotnet", decoder);
                        Parallel.For(0, series.Count, new ParallelOptions { MaxDegreeOfParallelism = o.Jobs }, n => DicomWorker.ReadSeries(series[n], Timeout));
                        started.Add(pool.ChildrenStarted);
                    }));
                }
                loads.Add(Load());
                Console.Error.WriteLine(string.Create(c, $"repeat {r + 1}/{o.Repeats}: in-process {inProcess[^1]:0.00}s, pooled {pooled[^1]:0.00}s (load {loads[^1]})"));
            }

            double? oneShot = null;
            var shots = Math.Min(o.OneShot, series.Count);
            if (shots > 0)
            {
                oneShot = Time(() => Parallel.For(0, shots, new ParallelOptions { MaxDegreeOfParallelism = o.Jobs },
                    n => DicomWorker.ReadSeries(series[n], Timeout, "dotnet", decoder)));
                loads.Add(Load());
                Console.Error.WriteLine(string.Create(c, $"one child per series, {shots} series: {oneShot:0.00}s (load {loads[^1]})"));
            }

            var a = Median(inProcess);
            var b = Median(pooled);
            var sb = new StringBuilder();
            sb.Append(c, $"{series.Count} series of {o.Slices} slices {o.Size}x{o.Size} int16 (explicit VR little endian), {bytes / 1e6:0.0} MB; {o.Jobs} jobs; {o.Repeats} repeats, medians; {Environment.ProcessorCount} cores.\n\n");
            sb.Append("| path | wall s (median) | runs (s) | ms per series | / in-process |\n|---|---|---|---|---|\n");
            sb.Append(c, $"| (a) in-process `DicomReader.ReadSeries` | {a:0.00} | {Runs(inProcess)} | {a * 1000 / series.Count:0.00} | 1.00 |\n");
            sb.Append(c, $"| (b) pooled children (`DicomWorker.ReadSeries`, {o.Jobs} children) | {b:0.00} | {Runs(pooled)} | {b * 1000 / series.Count:0.00} | **{b / a:0.00}** |\n");
            if (oneShot is { } s1)
                sb.Append(c, $"| (c) one child per series ({shots} series, once) | {s1 * series.Count / shots:0.00} (extrapolated) | {s1:0.00} | {s1 * 1000 / shots:0.00} | {s1 * series.Count / shots / a:0.00} |\n");
            sb.Append(c, $"\nChildren started per pooled run: {string.Join(" ", started)}. Load average (1 min) before, after each repeat{(shots > 0 ? ", after (c)" : "")}: {string.Join(", ", loads)}.\n");
            sb.Append(c, $"Goal pooled <= 1.3x in-process: {(b / a <= 1.3 ? "met" : "NOT met")} ({b / a:0.00}x). Volumes byte-identical: checked for all {series.Count} series.\n");
            Console.WriteLine(sb.ToString());
            return 0;
        }
        finally
        {
            if (!o.Keep && o.Dir is null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Writes (or finds, when the folder already holds them) the series: each its own volume (values vary with the series,
    /// slice, row and column), CT Modality LUT, axial 0.7 x 0.7 x 2.5 mm, its own UIDs; one folder per series.
    /// </summary>
    private static List<string[]> Generate(string dir, Options o)
    {
        var shape = new GridShape(o.Size, o.Size, o.Slices);
        var series = new List<string[]>();
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < o.Series; s++)
        {
            var folder = Path.Combine(dir, $"series-{s:0000}");
            var existing = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal).ToArray() : [];
            if (existing.Length == o.Slices)
            {
                series.Add(existing);
                continue;
            }
            var voxels = new short[shape.VoxelCount];
            for (var k = 0; k < shape.Nk; k++)
            for (var j = 0; j < shape.Nj; j++)
            for (var i = 0; i < shape.Ni; i++)
                voxels[i + shape.Ni * (j + shape.Nj * k)] = (short)((i * 13 + j * 101 + k * 709 + s * 37) % 3000 - 1000);
            var volume = new Volume<short>(voxels, shape, Affine.Diagonal(-0.7, -0.7, 2.5, 100, 120, -50 + s), new VoxelScaling(1, -1024));
            series.Add([.. DicomWriter.WriteSeries(folder, volume, new DicomWriteOptions { Seed = $"dicom-bench-{s}", PatientId = $"P-{s % 50:00}" })]);
            if ((s + 1) % 100 == 0) Console.Error.WriteLine($"wrote series {s + 1}/{o.Series} ({clock.Elapsed.TotalSeconds:0}s)");
        }
        return series;
    }

    private static double Time(Action run)
    {
        var watch = Stopwatch.StartNew();
        run();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var v = values.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private static string Runs(List<double> values) => string.Join(" ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)));

    /// <summary>The 1-minute load average (others share these cores).</summary>
    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;

namespace GmaiBench.Bench;

/// <summary>
/// <c>rebuild</c>: what a no-op rebuild costs against the full build of a volume corpus, through the real <c>gmai</c>
/// command. Writes a project (one Decathlon-layout CT source of synthetic volumes with 10-label maps, the repository's
/// taxonomy, a pipeline file), runs a cold <c>gmai build</c>, then no-op rebuilds (nothing changed: the stat cache and
/// the stage fingerprints reuse everything) and no-op rebuilds with <c>--rehash</c> (every input byte read again).
/// </summary>
public static class RebuildBench
{
    public sealed record Options(int Volumes, GridShape Shape, int Repeats, string? Dir, bool Keep, int Jobs);

    public static Options Parse(string[] args, int defaultVolumes = 100)
    {
        var o = new Options(defaultVolumes, new GridShape(512, 512, 200), 3, null, false, Environment.ProcessorCount);
        for (var n = 0; n < args.Length; n++)
        {
            string Value() => n + 1 < args.Length ? args[++n] : throw new ArgumentException($"{args[n]} needs a value");
            o = args[n] switch
            {
                "--volumes" => o with { Volumes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--shape" => o with { Shape = global::Options.ParseShape(Value()) },
                "--repeats" => o with { Repeats = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--dir" => o with { Dir = Value() },
                "--keep" => o with { Keep = true },
                "--jobs" => o with { Jobs = int.Parse(Value(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option '{args[n]}'"),
            };
        }
        if (o.Volumes < 1 || o.Repeats < 1 || o.Jobs < 1) throw new ArgumentException("--volumes, --repeats and --jobs must be at least 1");
        return o;
    }

    private static readonly string[] LabelNames = ["background", "liver", "spleen", "kidney_right", "kidney_left", "aorta", "pancreas", "stomach", "gallbladder", "urinary_bladder", "heart"];

    public static int Run(Options o)
    {
        var repo = BenchProject.RepoRoot();
        var dir = Path.GetFullPath(o.Dir ?? Path.Combine(Path.GetTempPath(), $"gmai-rebuild-bench-{Environment.ProcessId}"));
        try
        {
            var corpus = Path.Combine(dir, "corpus", "ct");
            Generate(corpus, o);
            WriteProject(dir, repo);
            var inputBytes = Directory.GetFiles(corpus, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.Error.WriteLine($"corpus: {o.Volumes} volumes of {o.Shape} int16 + labels, {inputBytes / 1e6:0.0} MB");

            var full = new List<double>();
            var noop = new List<double>();
            var rehash = new List<double>();
            for (var r = 0; r < o.Repeats; r++)
            {
                foreach (var sub in new[] { "work", "out" })
                    if (Directory.Exists(Path.Combine(dir, sub))) Directory.Delete(Path.Combine(dir, sub), recursive: true);
                full.Add(Time(repo, dir, o, out var fullLog));
                noop.Add(Time(repo, dir, o, out var noopLog));
                if (!noopLog.Contains("nothing decoded", StringComparison.Ordinal)) throw new InvalidOperationException($"the rebuild decoded something:\n{noopLog}");
                rehash.Add(Time(repo, dir, o, out _, "--rehash"));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repeat {r + 1}/{o.Repeats}: full {full[^1]:0.00}s, no-op {noop[^1]:0.00}s, no-op --rehash {rehash[^1]:0.00}s"));
                if (r == 0) Console.Error.WriteLine(fullLog.Split('\n').FirstOrDefault(l => l.StartsWith("Questions:", StringComparison.Ordinal)));
            }
            double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
            var sb = new StringBuilder();
            var c = CultureInfo.InvariantCulture;
            sb.Append(c, $"| build | wall s (median of {o.Repeats}) | runs (s) | of the full build |\n|---|---|---|---|\n");
            void Row(string name, List<double> v) => sb.Append(c, $"| {name} | {Median(v):0.00} | {string.Join(" ", v.Select(x => x.ToString("0.00", c)))} | {Median(v) / Median(full) * 100:0.0} % |\n");
            Row("full (cold work folder)", full);
            Row("no-op rebuild", noop);
            Row("no-op rebuild --rehash", rehash);
            Console.WriteLine(sb.ToString());
            return 0;
        }
        finally
        {
            if (!o.Keep && o.Dir is null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A Decathlon-layout folder of <paramref name="o"/>.Volumes synthetic CT volumes (kept when already there).</summary>
    internal static void Generate(string corpus, Options o)
    {
        var images = Path.Combine(corpus, "imagesTr");
        var labels = Path.Combine(corpus, "labelsTr");
        if (Directory.Exists(images) && Directory.GetFiles(images).Length == o.Volumes) return;
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(labels);
        var clock = Stopwatch.StartNew();
        var done = 0;
        Parallel.For(0, o.Volumes, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, n =>
        {
            var (ct, map) = SyntheticCt.Make(n, o.Shape);
            NiftiWriter.Write(Path.Combine(images, $"ct_{n:000}_0000.nii.gz"), ct, new NiftiWriteOptions { Description = "GmaiBench synthetic CT" });
            NiftiWriter.Write(Path.Combine(labels, $"ct_{n:000}.nii.gz"), map, new NiftiWriteOptions { Description = "GmaiBench synthetic labels" });
            Console.Error.WriteLine($"generated volume {Interlocked.Increment(ref done)}/{o.Volumes} ({clock.Elapsed.TotalSeconds:0}s)");
        });
        var training = string.Join(",\n", Enumerable.Range(0, o.Volumes).Select(n => $"    {{\"image\": \"./imagesTr/ct_{n:000}_0000.nii.gz\", \"label\": \"./labelsTr/ct_{n:000}.nii.gz\"}}"));
        var labelMap = string.Join(", ", LabelNames.Select((name, i) => $"\"{i}\": \"{name}\""));
        File.WriteAllText(Path.Combine(corpus, "dataset.json"), $"{{\n  \"name\": \"BenchCT\",\n  \"modality\": {{\"0\": \"CT\"}},\n  \"labels\": {{{labelMap}}},\n  \"training\": [\n{training}\n  ]\n}}\n");
    }

    internal static void WriteProject(string dir, string repo) => BenchProject.Write(dir, repo, """
        version: 1
        sources:
          - id: bench-ct
            name: Synthetic abdominal CT volumes (Decathlon layout)
            license: CC0-1.0
            citation: "GmaiBench bench corpus"
            layout: msd
            root: corpus/ct
            group_pattern: '(?<group>ct_\d+)'
            modality: CT
            task: OR-A
            department: General Surgery
            labels: {kidney_right: kidney, kidney_left: kidney}
            options:
              window: soft_tissue

        """, """
        name: gmai-rebuild-bench
        display_name: GmaiRebuildBench
        seed: 20240807
        work: ../work
        output: ../out
        patient_key:
          env: GMAI_BENCH_PATIENT_KEY
        labels:
          unmapped: reject
        curation:
          max_per_label: 30
          val_share: 0.176

        """);

    private static double Time(string repo, string dir, Options o, out string log, params string[] extra)
    {
        var run = BenchProject.Gmai(repo, dir, ["build", "--jobs", o.Jobs.ToString(CultureInfo.InvariantCulture), .. extra]);
        log = run.Output;
        return run.Seconds;
    }
}

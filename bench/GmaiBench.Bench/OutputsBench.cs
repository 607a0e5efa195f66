using System.Diagnostics;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging;
using GmaiBench.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Bench;

/// <summary>
/// <c>outputs</c>: peak memory and time of <c>gmai build</c> and <c>gmai release</c> as the output grows, through the real
/// command. A classification source of large noisy photographs (default 1024x768, about 1.7 MB of PNG each, so the
/// outputs are as large as the images) is built at each item count asked for; peak RSS is the whole process's high-water
/// mark (<c>ru_maxrss</c> of the child, read by a small Python wrapper), runtime and decoder children included.
/// </summary>
public static class OutputsBench
{
    public sealed record Options(int[] Items, int Width, int Height, string? Dir, bool Keep, int RowGroupMb);

    public static Options Parse(string[] args)
    {
        var o = new Options([150, 600], 1024, 768, null, false, 100);
        for (var n = 0; n < args.Length; n++)
        {
            string Value() => n + 1 < args.Length ? args[++n] : throw new ArgumentException($"{args[n]} needs a value");
            o = args[n] switch
            {
                "--items" => o with { Items = Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() },
                "--size" => Value().Split('x') is [var w, var h] ? o with { Width = int.Parse(w, CultureInfo.InvariantCulture), Height = int.Parse(h, CultureInfo.InvariantCulture) } : throw new ArgumentException("--size is WxH"),
                "--dir" => o with { Dir = Value() },
                "--keep" => o with { Keep = true },
                "--row-group-mb" => o with { RowGroupMb = int.Parse(Value(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option '{args[n]}'"),
            };
        }
        return o;
    }

    private static readonly string[] Classes = ["normal", "glaucoma", "cataract", "AMD", "Diabetic_Retinopathy"];

    public static int Run(Options o)
    {
        var repo = BenchProject.RepoRoot();
        var root = Path.GetFullPath(o.Dir ?? Path.Combine(Path.GetTempPath(), $"gmai-outputs-bench-{Environment.ProcessId}"));
        var c = CultureInfo.InvariantCulture;
        var table = new StringBuilder($"| items | build s | build peak RSS MB | release s | release peak RSS MB | Parquet MB | TSV MB | release MB |\n|---|---|---|---|---|---|---|---|\n");
        try
        {
            foreach (var count in o.Items)
            {
                var dir = Path.Combine(root, $"items-{count}");
                Generate(Path.Combine(dir, "corpus", "fundus"), count, o);
                BenchProject.Write(dir, repo, """
                    version: 1
                    sources:
                      - id: bench-fundus
                        name: Synthetic fundus photographs
                        license: CC0-1.0
                        citation: "GmaiBench bench corpus"
                        layout: image-folder
                        root: corpus/fundus
                        modality: fundus photo
                        task: Disease Diagnosis
                        department: Ophthalmology
                        group_pattern: '^[^/]+/(?<group>p\d+)_'

                    """, $"""
                    name: gmai-outputs-bench
                    display_name: GmaiOutputsBench
                    seed: 20240807
                    work: ../work
                    output: ../out
                    patient_key:
                      env: GMAI_BENCH_PATIENT_KEY
                    image:
                      max_side: {Math.Max(o.Width, o.Height)}
                    curation:
                      max_per_label: 1000000
                      val_share: 0.176
                    release:
                      root: ../releases
                      row_group_mb: {o.RowGroupMb}

                    """);
                foreach (var sub in new[] { "work", "out", "releases" })
                    if (Directory.Exists(Path.Combine(dir, sub))) Directory.Delete(Path.Combine(dir, sub), recursive: true);
                var build = BenchProject.Gmai(repo, dir, ["build"]);
                var release = BenchProject.Gmai(repo, dir, ["release", "--version", "1.0.0"]);
                double Mb(string folder) => Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1048576.0;
                var outDir = Path.Combine(dir, "out", "gmai-outputs-bench");
                var parquet = new FileInfo(Path.Combine(outDir, "GmaiOutputsBench.parquet")).Length / 1048576.0;
                var tsv = new FileInfo(Path.Combine(outDir, "GmaiOutputsBench.tsv")).Length / 1048576.0;
                var releaseMb = Mb(Path.Combine(dir, "releases", "gmai-outputs-bench", "1.0.0"));
                table.Append(c, $"| {count} | {build.Seconds:0.0} | {build.PeakMb:0} | {release.Seconds:0.0} | {release.PeakMb:0} | {parquet:0} | {tsv:0} | {releaseMb:0} |\n");
                Console.Error.WriteLine(string.Create(c, $"{count} items: build {build.Seconds:0.0}s peak {build.PeakMb:0} MB, release {release.Seconds:0.0}s peak {release.PeakMb:0} MB"));
                if (!o.Keep && o.Dir is null) Directory.Delete(dir, recursive: true);
            }
            Console.WriteLine(table.ToString());
            return 0;
        }
        finally
        {
            if (!o.Keep && o.Dir is null && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static void Generate(string folder, int count, Options o)
    {
        if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Length == count) return;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var done = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var rng = Prng.For(2026, $"photo-{i}", "bench");
            using var image = new Image<Rgb24>(o.Width, o.Height);
            // A disc of colour with 6 bits of noise per channel: PNG cannot shrink it much, like a real photograph. Its place,
            // size and a darker patch differ per image, so no two are near-duplicates for curation's perceptual hash.
            double cx = o.Width * (0.3 + 0.4 * rng.NextInt(1000) / 1000.0), cy = o.Height * (0.3 + 0.4 * rng.NextInt(1000) / 1000.0);
            var radius = o.Height * (0.25 + 0.2 * rng.NextInt(1000) / 1000.0);
            int px = rng.NextInt(o.Width - o.Width / 4), py = rng.NextInt(o.Height - o.Height / 4);
            for (var y = 0; y < o.Height; y++)
                for (var x = 0; x < o.Width; x++)
                {
                    var n = rng.NextUInt64();
                    double dx = (x - cx) / radius, dy = (y - cy) / radius;
                    var inside = dx * dx + dy * dy < 1;
                    var patch = x >= px && x < px + o.Width / 4 && y >= py && y < py + o.Height / 4 ? 90 : 0;
                    image[x, y] = inside
                        ? new Rgb24((byte)(150 - patch + (int)(n & 63)), (byte)(60 + (int)((n >> 6) & 63)), (byte)(20 + patch / 2 + (int)((n >> 12) & 63)))
                        : new Rgb24((byte)(patch + (int)(n & 15)), (byte)((n >> 4) & 15), (byte)((n >> 8) & 15));
                }
            var cls = Classes[i % Classes.Length];
            var path = Path.Combine(folder, cls, $"p{i / 2:00000}_{i}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, PngWriter.Encode(image));
            var d = Interlocked.Increment(ref done);
            if (d % 50 == 0) Console.Error.WriteLine($"generated {d}/{count} images");
        });
    }
}

/// <summary>What the end-to-end benches share: the repository, a project folder, and timing the real gmai with its peak RSS.</summary>
public static class BenchProject
{
    /// <summary>The repository holding the bench binaries, or else the current folder's.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "GmaiBench.sln"))) return d.FullName;
        throw new InvalidOperationException("GmaiBench.sln not found above the bench binaries or the current folder");
    }

    /// <summary>A project folder: the repository's taxonomy, the given sources.yaml and pipelines/bench.yaml.</summary>
    public static void Write(string dir, string repo, string sources, string pipeline)
    {
        var taxonomy = Path.Combine(dir, "label-taxonomy");
        if (Directory.Exists(taxonomy)) Directory.Delete(taxonomy, recursive: true);
        foreach (var file in Directory.GetFiles(Path.Combine(repo, "label-taxonomy"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(taxonomy, Path.GetRelativePath(Path.Combine(repo, "label-taxonomy"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.WriteAllText(Path.Combine(dir, "sources.yaml"), sources);
        Directory.CreateDirectory(Path.Combine(dir, "pipelines"));
        File.WriteAllText(Path.Combine(dir, "pipelines", "bench.yaml"), pipeline);
    }

    public sealed record Run(double Seconds, double PeakMb, string Output);

    /// <summary>
    /// Runs <c>gmai VERB … --pipeline pipelines/bench.yaml</c> (the CLI the README's ./gmai builds, built first if needed)
    /// and reports wall time and the child's peak resident memory.
    /// </summary>
    public static Run Gmai(string repo, string dir, string[] args) =>
        Measure(dir, ["dotnet", GmaiDll(repo), .. args, "--pipeline", Path.Combine(dir, "pipelines", "bench.yaml")]);

    /// <summary>The published CLI (<c>.build/gmai/gmai.dll</c>), built by <c>./gmai</c> first if its sources changed.</summary>
    public static string GmaiDll(string repo)
    {
        using (var build = Process.Start(new ProcessStartInfo(Path.Combine(repo, "gmai"), ["--help"]) { RedirectStandardOutput = true })!)
        {
            build.StandardOutput.ReadToEnd();
            build.WaitForExit();
        }
        return Path.Combine(repo, ".build", "gmai", "gmai.dll");
    }

    /// <summary>
    /// Runs a command and reports its wall time and peak resident memory as the kernel counts it for the whole process
    /// tree's largest member (<c>ru_maxrss</c> of the children, read by Debian's Python in a small wrapper).
    /// </summary>
    public static Run Measure(string dir, string[] command)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "import resource,subprocess,sys,time; t=time.monotonic(); r=subprocess.run(sys.argv[1:]); " +
                     "print(f'{time.monotonic()-t} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {r.returncode}', file=sys.stderr)" }.Concat(command))
            start.ArgumentList.Add(a);
        start.Environment["GMAI_BENCH_PATIENT_KEY"] = new string('b', 64);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var last = stderr.TrimEnd().Split('\n')[^1].Split(' ');
        if (last.Length != 3 || last[2] != "0") throw new InvalidOperationException($"{string.Join(' ', command)} failed:\n{stdout.Result}\n{stderr}");
        return new Run(double.Parse(last[0], CultureInfo.InvariantCulture), double.Parse(last[1], CultureInfo.InvariantCulture) / 1024, stdout.Result + stderr);
    }
}

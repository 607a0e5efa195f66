using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GmaiBench.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Bench;

/// <summary>
/// <c>sampling</c>: a large classification source under a label cap, built cold as it samples (only each label's seeded
/// candidate pool is decoded) against <c>gmai build --full-scan</c> (every image decoded), through the real command.
/// Both must emit the same files; the figure is the sampled build's time as a share of the full scan's.
/// </summary>
public static class SamplingBench
{
    public sealed record Options(int Images, int Labels, int Width, int Height, int Cap, int Repeats, string? Dir, bool Keep);

    public static Options Parse(string[] args)
    {
        var o = new Options(10_000, 5, 1024, 768, 30, 1, null, false);
        var c = CultureInfo.InvariantCulture;
        for (var n = 0; n < args.Length; n++)
        {
            string Value() => n + 1 < args.Length ? args[++n] : throw new ArgumentException($"{args[n]} needs a value");
            o = args[n] switch
            {
                "--images" => o with { Images = int.Parse(Value(), c) },
                "--labels" => o with { Labels = int.Parse(Value(), c) },
                "--size" => Value().Split('x') is [var w, var h] ? o with { Width = int.Parse(w, c), Height = int.Parse(h, c) } : throw new ArgumentException("--size is WxH"),
                "--cap" => o with { Cap = int.Parse(Value(), c) },
                "--repeats" => o with { Repeats = int.Parse(Value(), c) },
                "--dir" => o with { Dir = Value() },
                "--keep" => o with { Keep = true },
                _ => throw new ArgumentException($"unknown option '{args[n]}'"),
            };
        }
        if (o.Labels is < 1 or > 5) throw new ArgumentException("--labels is 1..5");
        return o;
    }

    private static readonly string[] Classes = ["normal", "glaucoma", "cataract", "AMD", "Diabetic_Retinopathy"];

    public static int Run(Options o)
    {
        var repo = BenchProject.RepoRoot();
        var dir = Path.GetFullPath(o.Dir ?? Path.Combine(Path.GetTempPath(), $"gmai-sampling-bench-{Environment.ProcessId}"));
        var c = CultureInfo.InvariantCulture;
        try
        {
            Generate(Path.Combine(dir, "corpus"), o);
            BenchProject.Write(dir, repo, """
                version: 1
                sources:
                  - id: bench-photos
                    name: Synthetic fundus photographs
                    license: CC0-1.0
                    citation: "GmaiBench bench corpus"
                    layout: image-folder
                    root: corpus
                    modality: fundus photo
                    task: Disease Diagnosis
                    department: Ophthalmology
                    group_pattern: '^[^/]+/(?<group>p\d+)_'

                """, $"""
                name: gmai-sampling-bench
                display_name: GmaiSamplingBench
                seed: 20240807
                work: ../work
                output: ../out
                patient_key:
                  env: GMAI_BENCH_PATIENT_KEY
                curation:
                  max_per_label: {o.Cap}

                """);
            var sampled = new List<BenchProject.Run>();
            var full = new List<BenchProject.Run>();
            Dictionary<string, string>? sampledFiles = null, fullFiles = null;
            for (var r = 0; r < o.Repeats; r++)
            {
                foreach (var (runs, extra) in new[] { (sampled, Array.Empty<string>()), (full, ["--full-scan"]) })
                {
                    foreach (var sub in new[] { "work", "out" })
                        if (Directory.Exists(Path.Combine(dir, sub))) Directory.Delete(Path.Combine(dir, sub), recursive: true);
                    var run = BenchProject.Gmai(repo, dir, ["build", .. extra]);
                    runs.Add(run);
                    var files = Digests(Path.Combine(dir, "out", "gmai-sampling-bench"));
                    if (extra.Length == 0) sampledFiles = files; else fullFiles = files;
                    Console.Error.WriteLine(string.Create(c, $"repeat {r + 1}/{o.Repeats} {(extra.Length == 0 ? "sampled" : "full scan")}: {run.Seconds:0.00}s, peak {run.PeakMb:0} MB; {Decoded(run.Output)}"));
                }
            }
            var same = sampledFiles!.Count > 0 && sampledFiles.OrderBy(kv => kv.Key, StringComparer.Ordinal).SequenceEqual(fullFiles!.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            double Median(List<BenchProject.Run> runs) => runs.Select(x => x.Seconds).Order().ElementAt(runs.Count / 2);
            var table = new StringBuilder("| build | wall s (median) | runs (s) | peak RSS MB | pixel work |\n|---|---|---|---|---|\n");
            table.Append(c, $"| sampled | {Median(sampled):0.00} | {string.Join(' ', sampled.Select(x => x.Seconds.ToString("0.00", c)))} | {sampled.Max(x => x.PeakMb):0} | {Decoded(sampled[^1].Output)} |\n");
            table.Append(c, $"| --full-scan | {Median(full):0.00} | {string.Join(' ', full.Select(x => x.Seconds.ToString("0.00", c)))} | {full.Max(x => x.PeakMb):0} | {Decoded(full[^1].Output)} |\n");
            Console.WriteLine(table.ToString());
            Console.WriteLine(string.Create(c, $"sampled / full scan: {100 * Median(sampled) / Median(full):0.0} %; output folders {(same ? "byte-identical" : "DIFFER")}"));
            return same ? 0 : 1;
        }
        finally
        {
            if (!o.Keep && o.Dir is null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static string Decoded(string output) =>
        Regex.Match(output, @"Pixel work: [^\n]*") is { Success: true } m ? m.Value.Trim() : "?";

    private static Dictionary<string, string> Digests(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f),
            f => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>
    /// Distinct JPEG photographs (a disc of colour at its own place and size, a darker patch, mild noise), as many per label,
    /// two per patient. Kept between runs when the count matches.
    /// </summary>
    private static void Generate(string folder, Options o)
    {
        if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.jpg", SearchOption.AllDirectories).Length == o.Images) return;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var done = 0;
        var encoder = new JpegEncoder { Quality = 90 };
        Parallel.For(0, o.Images, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var rng = Prng.For(2026, $"photo-{i}", "sampling-bench");
            using var image = new Image<Rgb24>(o.Width, o.Height);
            double cx = o.Width * (0.3 + 0.4 * rng.NextInt(1000) / 1000.0), cy = o.Height * (0.3 + 0.4 * rng.NextInt(1000) / 1000.0);
            var radius = o.Height * (0.25 + 0.2 * rng.NextInt(1000) / 1000.0);
            int px = rng.NextInt(o.Width - o.Width / 4), py = rng.NextInt(o.Height - o.Height / 4);
            image.ProcessPixelRows(rows =>
            {
                for (var y = 0; y < o.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (var x = 0; x < o.Width; x++)
                    {
                        var n = (int)(rng.NextUInt64() & 15);
                        double dx = (x - cx) / radius, dy = (y - cy) / radius;
                        var patch = x >= px && x < px + o.Width / 4 && y >= py && y < py + o.Height / 4 ? 90 : 0;
                        row[x] = dx * dx + dy * dy < 1
                            ? new Rgb24((byte)(160 - patch + n), (byte)(70 + n), (byte)(30 + patch / 2 + n))
                            : new Rgb24((byte)(patch / 2 + n), (byte)n, (byte)n);
                    }
                }
            });
            var path = Path.Combine(folder, Classes[i % o.Labels], $"p{i / 2:00000}_{i}.jpg");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            image.SaveAsJpeg(path, encoder);
            var d = Interlocked.Increment(ref done);
            if (d % 500 == 0) Console.Error.WriteLine($"generated {d}/{o.Images} images");
        });
    }
}

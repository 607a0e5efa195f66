using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GmaiBench.Bench;
using GmaiBench.Imaging.Volumes;

// GmaiBench volume benchmark. `run` generates CT-like volumes, then measures inflate-only and the slice pipeline,
// each repetition in a fresh child process so peak memory is per path; `inflate` and `pipeline` are those children.
var arguments = args.Length == 0 ? ["run"] : args;
// Every process of a bench (this one, whose in-process paths are the references, the gmai runs and their decoder
// children) starts with the runtime settings the gmai launcher exports, which the runtime reads only at start-up: so
// without them the bench starts itself again with them (a setting of the caller's own wins, as in the launcher).
if (GmaiBench.Model.RuntimeSettings.Environment.Any(s => Environment.GetEnvironmentVariable(s.Name) is null))
    return Restart(arguments);

try
{
    return arguments[0] switch
    {
        "run" => Run(Options.Parse(arguments[1..])),
        "rebuild" => RebuildBench.Run(RebuildBench.Parse(arguments[1..])),
        "outputs" => OutputsBench.Run(OutputsBench.Parse(arguments[1..])),
        "ct" => CtBench.Run(CtBench.Parse(arguments[1..])),
        "sampling" => SamplingBench.Run(SamplingBench.Parse(arguments[1..])),
        "dicom" => DicomBench.Run(DicomBench.Parse(arguments[1..])),
        "inflate" => Child(Measurements.Inflate(arguments[1])),
        "touch" => Child(Measurements.Touch(long.Parse(arguments[1], CultureInfo.InvariantCulture))),
        "pipeline" => Child(Pipeline(arguments[1], Options.Parse(arguments[2..]))),
        _ => Usage($"unknown verb '{arguments[0]}'"),
    };
}
catch (ArgumentException e)
{
    return Usage(e.Message);
}

static int Usage(string problem)
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine("usage: GmaiBench.Bench run [--small] [--volumes N] [--shape 512x512x200] [--repeats 3] [--extra-slices 0] [--percentile] [--threads N] [--dir PATH] [--keep]");
    Console.Error.WriteLine("       GmaiBench.Bench rebuild [--volumes 100] [--shape 512x512x200] [--repeats 3] [--jobs N] [--dir PATH] [--keep]");
    Console.Error.WriteLine("       GmaiBench.Bench ct [--volumes 3] [--shape 512x512x200] [--repeats 3] [--jobs N] [--dir PATH] [--keep]");
    Console.Error.WriteLine("       GmaiBench.Bench sampling [--images 10000] [--labels 5] [--size 1024x768] [--cap 30] [--repeats 1] [--dir PATH] [--keep]");
    Console.Error.WriteLine("       GmaiBench.Bench outputs [--items 150,600] [--size 1024x768] [--row-group-mb 100] [--dir PATH] [--keep]");
    Console.Error.WriteLine("       GmaiBench.Bench dicom [--series 1000] [--slices 24] [--size 80] [--jobs 2] [--repeats 3] [--one-shot 100] [--dir PATH] [--keep]");
    return 2;
}

static Measurement Pipeline(string dir, Options o) => Measurements.Pipeline(dir, o.Selection, o.Window, o.MaxSide, o.Threads);

static int Child(Measurement m)
{
    Console.WriteLine(JsonSerializer.Serialize(m));
    return 0;
}

static int Run(Options o)
{
    var culture = CultureInfo.InvariantCulture;
    var dir = o.Dir ?? Path.Combine(Path.GetTempPath(), $"gmai-bench-{Environment.ProcessId}");
    var generated = !Directory.Exists(dir) || Measurements.Pairs(dir).Count != o.Volumes;
    try
    {
        if (generated)
        {
            var generation = Stopwatch.StartNew();
            for (var n = 0; n < o.Volumes; n++)
            {
                SyntheticCt.Write(dir, n, o.Shape);
                Console.Error.WriteLine($"generated volume {n + 1}/{o.Volumes} ({generation.Elapsed.TotalSeconds:0}s)");
            }
        }
        var files = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
        Console.Error.WriteLine($"{o.Volumes} volumes of {o.Shape} int16 + uint8 labels in {dir}: {files / 1e6:0.0} MB compressed");

        // The pipeline runs serially and with the stage's default parallelism (one thread per core), in the same run.
        var threadCounts = o.Threads > 1 ? new[] { 1, o.Threads } : [1];
        var inflate = new List<Measurement>();
        var pipeline = threadCounts.ToDictionary(t => t, _ => new List<Measurement>());
        for (var r = 0; r < o.Repeats; r++)
        {
            inflate.Add(Spawn(["inflate", dir]));
            foreach (var t in threadCounts)
                pipeline[t].Add(Spawn(["pipeline", dir, .. (o with { Threads = t }).ChildArguments()]));
            var runs = string.Join(", ", threadCounts.Select(t => string.Create(culture, $"pipeline with {t} thread(s) {pipeline[t][^1].Seconds:0.000}s")));
            Console.Error.WriteLine(string.Create(culture, $"repeat {r + 1}/{o.Repeats}: inflate {inflate[^1].Seconds:0.000}s, {runs}"));
        }
        // Fresh memory as large as one volume's image and label arrays, touched once in a fresh process.
        var firstVolume = pipeline[1][0];
        var volumeBytes = firstVolume.InflatedBytes / firstVolume.Volumes;
        var touch = Enumerable.Range(0, o.Repeats).Select(_ => Spawn(["touch", volumeBytes.ToString(CultureInfo.InvariantCulture)])).ToList();
        Console.WriteLine(Report(o, inflate, pipeline, touch));
        return 0;
    }
    finally
    {
        if (!o.Keep && generated && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}

static int Restart(string[] arguments)
{
    var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
    var info = new ProcessStartInfo(self) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(Measurement).Assembly.Location);
    foreach (var a in arguments) info.ArgumentList.Add(a);
    foreach (var (name, value) in GmaiBench.Model.RuntimeSettings.Environment)
        if (Environment.GetEnvironmentVariable(name) is null) info.Environment[name] = value;
    using var again = Process.Start(info) ?? throw new InvalidOperationException("cannot restart the bench");
    again.WaitForExit();
    return again.ExitCode;
}

static Measurement Spawn(string[] childArguments)
{
    var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
    var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    // Under `dotnet GmaiBench.Bench.dll` the process is the dotnet host: pass the assembly first.
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(Measurement).Assembly.Location);
    foreach (var a in childArguments) info.ArgumentList.Add(a);
    using var child = Process.Start(info) ?? throw new InvalidOperationException("cannot start the measuring process");
    var output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    if (child.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', childArguments)} exited with {child.ExitCode}");
    return JsonSerializer.Deserialize<Measurement>(output.Trim()) ?? throw new InvalidOperationException("no measurement");
}

static string Report(Options o, List<Measurement> inflate, Dictionary<int, List<Measurement>> pipelines, List<Measurement> touch)
{
    var c = CultureInfo.InvariantCulture;
    static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
    var p0 = pipelines[1][0];
    var inflateS = Median(inflate.Select(m => m.Seconds));
    var mb = p0.CompressedBytes / 1e6;
    var lines = new List<string>
    {
        string.Create(c, $"Data: {p0.Volumes} volumes {o.Shape} int16 (+ uint8 labels, 10 labels), {mb:0.0} MB compressed, {p0.InflatedBytes / 1e6:0.0} MB inflated; largest decoded volume {p0.LargestVolumeBytes / 1e6:0.0} MB (int16)."),
        string.Create(c, $"Per run: {p0.Slices} slices ({o.Selection.Axis}, best slice per label + {o.Selection.ExtraSlices} extra), window {(o.Window.Voi is { } v ? v.ToString() : "percentiles 0.5/99.5")}, longer side <= {o.MaxSide}, {p0.PngBytes / 1e6:0.0} MB of PNG; {o.Repeats} repeats, medians; {Environment.ProcessorCount} cores."),
        "",
        "| path | wall s (median) | runs (s) | slices/s | compressed MB/s | peak working set MB | start MB | time / inflate | peak / largest volume |",
        "|---|---|---|---|---|---|---|---|---|",
        string.Create(c, $"| (a) inflate only | {inflateS:0.000} | {string.Join(" ", inflate.Select(m => m.Seconds.ToString("0.000", c)))} | - | {mb / inflateS:0.0} | {Median(inflate.Select(m => (double)m.PeakWorkingSetBytes)) / 1e6:0.0} | {Median(inflate.Select(m => (double)m.StartWorkingSetBytes)) / 1e6:0.0} | 1.00 | - |"),
    };
    foreach (var (threads, runs) in pipelines)
    {
        var s = Median(runs.Select(m => m.Seconds));
        var peak = Median(runs.Select(m => (double)m.PeakWorkingSetBytes));
        lines.Add(string.Create(c, $"| (b) pipeline, {threads} thread{(threads == 1 ? "" : "s")} | {s:0.000} | {string.Join(" ", runs.Select(m => m.Seconds.ToString("0.000", c)))} | {p0.Slices / s:0.0} | {mb / s:0.0} | {peak / 1e6:0.0} | {Median(runs.Select(m => (double)m.StartWorkingSetBytes)) / 1e6:0.0} | {s / inflateS:0.00} | {peak / p0.LargestVolumeBytes:0.00} |"));
    }
    lines.Add("");
    foreach (var (threads, runs) in pipelines)
    {
        var ratio = Median(runs.Select(m => m.Seconds)) / inflateS;
        var memory = Median(runs.Select(m => (double)m.PeakWorkingSetBytes)) / p0.LargestVolumeBytes;
        lines.Add(string.Create(c, $"Pipeline with {threads} thread(s): time {ratio:0.00}x inflate (goal <= 2: {(ratio <= 2 ? "met" : "NOT met")}), peak memory {memory:0.00}x the largest decoded volume (goal < 3: {(memory < 3 ? "met" : "NOT met")})."));
    }
    lines.Add("Peak = Process.PeakWorkingSet64 (VmHWM) of each measuring child process.");
    var touchS = Median(touch.Select(m => m.Seconds));
    lines.Add(string.Create(c, $"First touch of {touch[0].InflatedBytes / 1e6:0.0} MB of fresh memory (one volume's image and label arrays) in a fresh process: {touchS:0.000} s ({touchS / inflateS:0.00}x the inflate-only time); the pipeline pays it once per worker, for its first volume."));
    foreach (var (threads, runs) in pipelines)
    {
        var ratio = Median(runs.Select(m => m.Seconds - m.PhaseSeconds["first-volume-scan-and-planes"])) / (inflateS * (p0.Volumes - 1) / p0.Volumes);
        lines.Add(string.Create(c, $"Pipeline with {threads} thread(s) without its first volume's read, against {p0.Volumes - 1}/{p0.Volumes} of the inflate-only time: {ratio:0.00}x (the steady state of a long build)."));
    }
    lines.Add("");
    lines.Add("Phases (median seconds over runs, all volumes; *-cpu phases are summed over threads):");
    foreach (var name in inflate[0].PhaseSeconds.Keys)
        lines.Add(string.Create(c, $"- (a) {name}: {Median(inflate.Select(m => m.PhaseSeconds[name])):0.000}"));
    foreach (var (threads, runs) in pipelines)
        foreach (var name in runs[0].PhaseSeconds.Keys)
            lines.Add(string.Create(c, $"- (b, {threads} thread{(threads == 1 ? "" : "s")}) {name}: {Median(runs.Select(m => m.PhaseSeconds[name])):0.000}"));
    return string.Join('\n', lines);
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record Options
{
    public int Volumes { get; init; } = 8;
    public GridShape Shape { get; init; } = new(512, 512, 200);
    public int Repeats { get; init; } = 3;
    public string? Dir { get; init; }
    public bool Keep { get; init; }
    public int MaxSide { get; init; } = 1024;
    public SliceSelectionOptions Selection { get; init; } = new();
    public WindowSpec Window { get; init; } = WindowSpec.Default;
    /// <summary>Threads of the parallel pipeline run (the stage's default: one per core); a serial run is always measured too.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var n = 0; n < args.Length; n++)
        {
            string Value() => n + 1 < args.Length ? args[++n] : throw new ArgumentException($"{args[n]} needs a value");
            o = args[n] switch
            {
                "--small" => o with { Volumes = 3, Shape = new GridShape(192, 192, 64) },
                "--volumes" => o with { Volumes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--shape" => o with { Shape = ParseShape(Value()) },
                "--repeats" => o with { Repeats = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--dir" => o with { Dir = Value() },
                "--keep" => o with { Keep = true },
                "--max-side" => o with { MaxSide = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--extra-slices" => o with { Selection = o.Selection with { ExtraSlices = int.Parse(Value(), CultureInfo.InvariantCulture) } },
                "--percentile" => o with { Window = WindowSpec.Percentiles() },
                "--threads" => o with { Threads = int.Parse(Value(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option '{args[n]}'"),
            };
        }
        if (o.Volumes < 1 || o.Repeats < 1 || o.Threads < 1) throw new ArgumentException("--volumes, --repeats and --threads must be at least 1");
        o.Selection.Validate();
        return o;
    }

    public string[] ChildArguments() =>
        ["--max-side", MaxSide.ToString(CultureInfo.InvariantCulture), "--threads", Threads.ToString(CultureInfo.InvariantCulture), "--extra-slices", Selection.ExtraSlices.ToString(CultureInfo.InvariantCulture), .. Window.Voi is null ? new[] { "--percentile" } : []];

    internal static GridShape ParseShape(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 3) throw new ArgumentException($"--shape takes NIxNJxNK, got '{text}'");
        return new GridShape(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}

using System.Diagnostics;
using System.IO.Compression;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using GmaiBench.Ingest;

namespace GmaiBench.Bench;

/// <summary>What one measuring child process reports: wall time, work done, peak resident memory, time per phase.</summary>
public sealed record Measurement(
    string Mode,
    double Seconds,
    int Volumes,
    int Slices,
    long CompressedBytes,
    long InflatedBytes,
    long PngBytes,
    long LargestVolumeBytes,
    long PeakWorkingSetBytes,
    long StartWorkingSetBytes,
    Dictionary<string, double> PhaseSeconds);

/// <summary>The two measured paths over the same files: inflate only, and the whole slice pipeline.</summary>
public static class Measurements
{
    public static IReadOnlyList<(string Image, string Labels)> Pairs(string dir) =>
        [.. Directory.GetFiles(dir, "ct_*_labels.nii.gz").Order(StringComparer.Ordinal).Select(l => (l.Replace("_labels.nii.gz", ".nii.gz"), l))];

    /// <summary>(a) Read each file and inflate it into a null sink: the floor any reader of these files pays.</summary>
    public static Measurement Inflate(string dir)
    {
        var start = WorkingSet();
        long compressed = 0, inflated = 0;
        var pairs = Pairs(dir);
        var phases = new Dictionary<string, double> { ["inflate-images"] = 0, ["inflate-labels"] = 0 };
        var watch = Stopwatch.StartNew();
        foreach (var (image, labels) in pairs)
        {
            foreach (var (path, phase) in new[] { (image, "inflate-images"), (labels, "inflate-labels") })
            {
                var before = watch.Elapsed.TotalSeconds;
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                var counter = new CountingSink();
                gz.CopyTo(counter);
                compressed += file.Length;
                inflated += counter.Length;
                phases[phase] += watch.Elapsed.TotalSeconds - before;
            }
        }
        watch.Stop();
        return new Measurement("inflate", watch.Elapsed.TotalSeconds, pairs.Count, 0, compressed, inflated, 0, 0, PeakWorkingSet(), start, phases);
    }

    /// <summary>
    /// (b) What the volume stage does, with the same parallel shape (<see cref="Concurrency"/>): stream the label map once
    /// to count label areas per slice and keep its runs, choose the slices for every label, then stream the image keeping
    /// only those planes (beside cutting the label planes from the runs when <paramref name="threads"/> &gt; 1), window,
    /// then render and encode the slices (in parallel, in order). <paramref name="threads"/> = 1 is fully serial.
    /// </summary>
    public static Measurement Pipeline(string dir, SliceSelectionOptions selection, WindowSpec windowSpec, int maxSide, int threads)
    {
        var start = WorkingSet();
        // Wall-clock phases; the first volume's reads are kept apart (they JIT the readers).
        // render-cpu and encode-png-cpu are summed over the threads that did them, so they exceed their wall time when parallel.
        var phases = new Dictionary<string, double>
        {
            ["first-volume-scan-and-planes"] = 0, ["scan-labels-and-choose"] = 0, ["read-image-planes"] = 0, ["window"] = 0, ["slices"] = 0,
            ["render-cpu"] = 0, ["encode-png-cpu"] = 0,
        };
        long compressed = 0, inflated = 0, png = 0, largest = 0;
        var slices = 0;
        var pairs = Pairs(dir);
        var watch = Stopwatch.StartNew();
        var phase = new Stopwatch();
        void Lap(string name) { phases[name] += phase.Elapsed.TotalSeconds; phase.Restart(); }
        for (var v = 0; v < pairs.Count; v++)
        {
            var (imagePath, labelsPath) = pairs[v];
            phase.Restart();
            var labelHeader = NiftiReader.ReadHeader(labelsPath, new NiftiReadOptions());
            var labelView = Orientation.ToCanonical(labelHeader.Shape, labelHeader.Affine);
            var scan = new LabelAreaScan([labelView.SourceAxis((int)selection.Axis)], keepRuns: true);
            NiftiReader.Stream(labelsPath, null, scan);
            var choices = SliceSelection.ChooseAll(scan.Areas(labelView, selection.Axis), selection);
            var indices = choices.Select(c => c.Index).Distinct().ToList();
            if (v > 0) Lap("scan-labels-and-choose");
            var imageHeader = NiftiReader.ReadHeader(imagePath, new NiftiReadOptions());
            var imageView = Orientation.ToCanonical(imageHeader.Shape, imageHeader.Affine);
            StoredPlane Stored(Reorientation view, int index)
            {
                var axis = view.SourceAxis((int)selection.Axis);
                return new StoredPlane(axis, view.Flipped((int)selection.Axis) ? view.StoredShape[axis] - 1 - index : index);
            }
            var (volume, labelVolume) = Concurrency.Both(
                () =>
                {
                    var collector = new PlaneCollector(indices.Select(i => Stored(imageView, i)));
                    NiftiReader.Stream(imagePath, null, collector);
                    return collector.Volume(imageHeader.Affine);
                },
                () => scan.KeptPlanes(indices.Select(i => Stored(labelView, i)), labelHeader.Affine)!,
                threads > 1);
            var image = volume.ToCanonical();
            var labels = LabelMap.From(labelVolume).ToCanonical();
            Lap(v == 0 ? "first-volume-scan-and-planes" : "read-image-planes");
            var grids = VolumeGrid.Compare(image.Grid, labels.Grid);
            if (!grids.Matches) throw new InvalidOperationException(grids.Description);
            var window = windowSpec.Resolve(image);
            Lap("window");
            var pieces = Concurrency.Map(choices.Count, threads, n =>
            {
                var clock = Stopwatch.StartNew();
                using var slice = SliceRenderer.Render(image, labels, new SlicePlane(choices[n].Axis, choices[n].Index), window, maxSide);
                var rendered = clock.Elapsed.TotalSeconds;
                var bytes = RasterDecoder.EncodePng(slice.Image).Length;
                return (Bytes: bytes, Render: rendered, Encode: clock.Elapsed.TotalSeconds - rendered);
            });
            Lap("slices");
            phases["render-cpu"] += pieces.Sum(p => p.Render);
            phases["encode-png-cpu"] += pieces.Sum(p => p.Encode);
            png += pieces.Sum(p => (long)p.Bytes);
            slices += pieces.Length;
            compressed += new FileInfo(imagePath).Length + new FileInfo(labelsPath).Length;
            inflated += imageHeader.BytesPerVolume + labelHeader.BytesPerVolume;
            largest = Math.Max(largest, imageHeader.BytesPerVolume);
        }
        watch.Stop();
        return new Measurement($"pipeline-{threads}", watch.Elapsed.TotalSeconds, pairs.Count, slices, compressed, inflated, png, largest, PeakWorkingSet(), start, phases);
    }

    /// <summary>
    /// (c) The machine's cost of first touching fresh memory: allocate <paramref name="bytes"/> (a volume's image and
    /// label arrays) and write one byte per 4 KB page. Every reader that holds a volume pays this once per process.
    /// </summary>
    public static Measurement Touch(long bytes)
    {
        var start = WorkingSet();
        var watch = Stopwatch.StartNew();
        var memory = GC.AllocateUninitializedArray<byte>(checked((int)bytes));
        for (var p = 0; p < memory.Length; p += 4096) memory[p] = 1;
        watch.Stop();
        GC.KeepAlive(memory);
        return new Measurement("touch", watch.Elapsed.TotalSeconds, 0, 0, 0, bytes, 0, bytes, PeakWorkingSet(), start, []);
    }

    // Process.PeakWorkingSet64 is the kernel's high-water mark of resident memory (VmHWM on Linux) for this process.
    private static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    private static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    /// <summary>A write-only sink that only counts bytes.</summary>
    private sealed class CountingSink : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        private long _length;

        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

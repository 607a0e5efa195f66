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
    /// (b) What the volume stage does, with the same parallel shape (<see cref="Concurrency"/>): read the image and the
    /// label map (beside each other when <paramref name="threads"/> &gt; 1), reorient, choose the slices for every label,
    /// window, then render and encode the slices (in parallel, in order). <paramref name="threads"/> = 1 is fully serial.
    /// </summary>
    public static Measurement Pipeline(string dir, SliceSelectionOptions selection, WindowSpec windowSpec, int maxSide, int threads)
    {
        var start = WorkingSet();
        // Wall-clock phases; the first volume's read is kept apart: it alone faults in fresh buffers (and JITs the reader).
        // render-cpu and encode-png-cpu are summed over the threads that did them, so they exceed their wall time when parallel.
        var phases = new Dictionary<string, double>
        {
            ["read-first-volume-and-choose"] = 0, ["read-other-volumes-and-choose"] = 0, ["window"] = 0, ["slices"] = 0, ["render-cpu"] = 0, ["encode-png-cpu"] = 0,
        };
        long compressed = 0, inflated = 0, png = 0, largest = 0;
        var slices = 0;
        var pairs = Pairs(dir);
        // One pool for the run, as in the stage: each volume's voxel array is handed back and reused by the next read.
        var buffers = new VoxelBufferPool();
        var read = new NiftiReadOptions { Buffers = buffers };
        var watch = Stopwatch.StartNew();
        var phase = new Stopwatch();
        void Lap(string name) { phases[name] += phase.Elapsed.TotalSeconds; phase.Restart(); }
        for (var v = 0; v < pairs.Count; v++)
        {
            var (imagePath, labelsPath) = pairs[v];
            phase.Restart();
            // As in the stage, the label map's slice choice is made beside the image's read.
            var (volume, (labelMap, choices)) = Concurrency.Both(
                () => NiftiReader.Read(imagePath, read),
                () =>
                {
                    var map = NiftiReader.ReadLabels(labelsPath, read);
                    return (map, SliceSelection.ChooseAll(map.ToCanonical().SliceAreas(selection.Axis), selection));
                },
                threads > 1);
            var image = volume.ToCanonical();
            var labels = labelMap.ToCanonical();
            Lap(v == 0 ? "read-first-volume-and-choose" : "read-other-volumes-and-choose");
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
            inflated += volume.StoredBytes + labelMap.Volume.StoredBytes;
            largest = Math.Max(largest, volume.StoredBytes);
            buffers.Return(volume);
            buffers.Return(labelMap.Volume);
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

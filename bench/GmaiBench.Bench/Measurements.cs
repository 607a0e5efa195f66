using System.Diagnostics;
using System.IO.Compression;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;

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

    /// <summary>(b) Decode, reorient, choose slices for every label, window, resample and encode PNG.</summary>
    public static Measurement Pipeline(string dir, SliceSelectionOptions selection, WindowSpec windowSpec, int maxSide)
    {
        var start = WorkingSet();
        // The first volume's decode is kept apart: it alone pays for faulting in fresh buffers (and JIT).
        var phases = new Dictionary<string, double>
        {
            ["decode-image-first"] = 0, ["decode-image-rest"] = 0, ["decode-labels"] = 0, ["choose-slices"] = 0, ["window"] = 0, ["render"] = 0, ["encode-png"] = 0,
        };
        long compressed = 0, inflated = 0, png = 0, largest = 0;
        var slices = 0;
        var pairs = Pairs(dir);
        // One worker's buffers: each volume's voxel array is handed back and reused by the next read.
        var read = new NiftiReadOptions { Buffers = new VoxelBufferPool() };
        var watch = Stopwatch.StartNew();
        var phase = new Stopwatch();
        void Lap(string name) { phases[name] += phase.Elapsed.TotalSeconds; phase.Restart(); }
        for (var v = 0; v < pairs.Count; v++)
        {
            var (imagePath, labelsPath) = pairs[v];
            phase.Restart();
            var image = NiftiReader.Read(imagePath, read).ToCanonical();
            Lap(v == 0 ? "decode-image-first" : "decode-image-rest");
            var labels = NiftiReader.ReadLabels(labelsPath, read).ToCanonical();
            Lap("decode-labels");
            var grids = VolumeGrid.Compare(image.Grid, labels.Grid);
            if (!grids.Matches) throw new InvalidOperationException(grids.Description);
            var choices = SliceSelection.ChooseAll(labels.SliceAreas(selection.Axis), selection);
            Lap("choose-slices");
            var window = windowSpec.Resolve(image);
            Lap("window");
            foreach (var choice in choices)
            {
                using var slice = SliceRenderer.Render(image, labels, new SlicePlane(choice.Axis, choice.Index), window, maxSide);
                Lap("render");
                png += RasterDecoder.EncodePng(slice.Image).Length;
                Lap("encode-png");
                slices++;
            }
            compressed += new FileInfo(imagePath).Length + new FileInfo(labelsPath).Length;
            inflated += image.StoredBytes + labels.Volume.StoredBytes;
            largest = Math.Max(largest, image.StoredBytes);
            read.Buffers.Return(image);
            read.Buffers.Return(labels.Volume);
        }
        watch.Stop();
        return new Measurement("pipeline", watch.Elapsed.TotalSeconds, pairs.Count, slices, compressed, inflated, png, largest, PeakWorkingSet(), start, phases);
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

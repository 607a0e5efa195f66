using System.Runtime.InteropServices;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Model;
using Microsoft.Win32.SafeHandles;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Decodes DICOM series in decoder children (<c>gmai decode-dicom</c>), because GDCM's codecs can abort, corrupt the heap
/// or hang on damaged data, which no in-process handler survives: a crash or a time-out costs that item only. A build
/// opens a pool of long-lived children (<see cref="OpenPool(int)"/>, one per job) that <see cref="ReadSeries(IReadOnlyList{string}, TimeSpan, long)"/>
/// and <see cref="ReadStructures(string, IReadOnlyList{string}, TimeSpan, long)"/> use on that flow; outside one, each call
/// starts a child of its own. Children answer over <see cref="DecoderProtocol"/> (frames on stdin/stdout, no temporary
/// files). An RT Structure Set or Segmentation is read in the same child with the series it is drawn on (GDCM parses it
/// too); its masks come back slice by slice on the series' grid. Where no <c>gmai.dll</c> sits beside the running
/// program, series are read in-process.
/// </summary>
public static class DicomWorker
{
    public const string Verb = "decode-dicom";

    /// <summary>An answer larger than this is followed by a full collection in the child, so an idle child holds little memory.</summary>
    private const long LargeAnswerBytes = 32L << 20;

    /// <summary>The child's write buffer and the parent's read buffer on the answer pipe, as large as the pipe (1 MiB).</summary>
    internal const int AnswerBuffer = 1 << 20;

    /// <summary>The pool this flow (a build's thread and the tasks it starts) decodes with; null outside <see cref="OpenPool(int)"/>.</summary>
    private static readonly AsyncLocal<DicomDecoderPool?> Ambient = new();

    /// <summary>The CLI beside the running program, if there is one.</summary>
    public static string? WorkerAssembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "gmai.dll");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>
    /// Opens a pool of at most <paramref name="children"/> decoder children (<c>gmai.dll decode-dicom</c>) that
    /// <see cref="ReadSeries(IReadOnlyList{string}, TimeSpan, long)"/> and <see cref="ReadStructures(string, IReadOnlyList{string}, TimeSpan, long)"/>
    /// use on this thread and the tasks it starts, until it is disposed (which ends the children and restores the pool that
    /// was open before). Null where no <c>gmai.dll</c> sits beside the program: series are then read in-process.
    /// </summary>
    public static DicomDecoderPool? OpenPool(int children) =>
        WorkerAssembly is { } worker ? OpenPool(children, DotnetHost(), [worker, Verb]) : null;

    /// <summary><see cref="OpenPool(int)"/> with the decoder program given (it must speak <see cref="DecoderProtocol"/>).</summary>
    public static DicomDecoderPool OpenPool(int children, string program, IReadOnlyList<string> arguments)
    {
        var pool = new DicomDecoderPool(children, program, arguments);
        var previous = Ambient.Value;
        Ambient.Value = pool;
        pool.OnDispose = () =>
        {
            if (Ambient.Value == pool) Ambient.Value = previous;
        };
        return pool;
    }

    /// <summary>A series, decoded by the open pool's child, else a child of its own, else in-process (no <c>gmai.dll</c>).</summary>
    public static DicomVolume ReadSeries(IReadOnlyList<string> files, TimeSpan timeout, long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
    {
        if (Ambient.Value is { } pool) return pool.ReadSeries(files, timeout, maxVoxelBytes);
        return WorkerAssembly is { } worker
            ? ReadSeries(files, timeout, DotnetHost(), [worker, Verb], maxVoxelBytes)
            : DicomReader.ReadSeries(files, new DicomReadOptions { MaxVoxelBytes = maxVoxelBytes });
    }

    /// <summary>
    /// Runs <c>program arguments...</c> as a decoder of its own for this one series: it must speak
    /// <see cref="DecoderProtocol"/> on its stdin and stdout. Any ending but its answer (a signal, an exit, no answer within
    /// <paramref name="timeout"/>, something else than the protocol) rejects this item only.
    /// </summary>
    public static DicomVolume ReadSeries(IReadOnlyList<string> files, TimeSpan timeout, string program, IReadOnlyList<string> arguments,
        long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
    {
        using var pool = new DicomDecoderPool(1, program, arguments);
        return pool.ReadSeries(files, timeout, maxVoxelBytes);
    }

    /// <summary>
    /// An RT Structure Set or Segmentation with the image files beside it, read in a decoder child as
    /// <see cref="StructureObjects.Pair"/> does (in-process where there is no <c>gmai.dll</c>).
    /// </summary>
    public static StructurePairing ReadStructures(string objectPath, IReadOnlyList<string> files, TimeSpan timeout, long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
    {
        if (Ambient.Value is { } pool) return pool.ReadStructures(objectPath, files, timeout, maxVoxelBytes);
        return WorkerAssembly is { } worker
            ? ReadStructures(objectPath, files, timeout, DotnetHost(), [worker, Verb], maxVoxelBytes)
            : StructureObjects.Pair(objectPath, files, new DicomReadOptions { MaxVoxelBytes = maxVoxelBytes });
    }

    /// <summary><see cref="ReadStructures(string, IReadOnlyList{string}, TimeSpan, long)"/> with the decoder program given.</summary>
    public static StructurePairing ReadStructures(string objectPath, IReadOnlyList<string> files, TimeSpan timeout, string program, IReadOnlyList<string> arguments,
        long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
    {
        using var pool = new DicomDecoderPool(1, program, arguments);
        return pool.ReadStructures(objectPath, files, timeout, maxVoxelBytes);
    }

    /// <summary>
    /// <paramref name="request"/> handed to <paramref name="consumer"/> slice by slice: from the open pool's child, else a
    /// child of its own, else read in-process and fed from the volume (<see cref="SeriesFeed"/>). For a consumer that keeps
    /// less than the whole series.
    /// </summary>
    public static TResult Decode<TResult>(DecodeRequest request, ISeriesConsumer<TResult> consumer, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Ambient.Value is { } pool) return pool.Decode(request, consumer, timeout);
        if (WorkerAssembly is { } worker)
        {
            using var own = new DicomDecoderPool(1, DotnetHost(), [worker, Verb]);
            return own.Decode(request, consumer, timeout);
        }
        var (series, structures) = ReadHere(request.Validate());
        return SeriesFeed.Feed(series, structures, consumer);
    }

    /// <summary>
    /// The message for a decoder that died: a signal's name and meaning in words (exit codes above 128 are 128 + signal,
    /// as the shell reports them; .NET reports a native abort as 134), the first file of the series, never its stderr.
    /// </summary>
    public static string Crashed(int exitCode, IReadOnlyList<string> files)
    {
        var what = exitCode switch
        {
            134 or -6 => "GDCM stopped on an internal assertion (SIGABRT) while decoding",
            139 or -11 => "GDCM crashed (segmentation fault, SIGSEGV) while decoding",
            137 or -9 => "the decoder was killed (SIGKILL, often the system running out of memory) while decoding",
            136 or -8 => "GDCM hit an arithmetic fault (SIGFPE) while decoding",
            135 or -7 => "GDCM hit a bus error (SIGBUS, often a file cut short under a memory map) while decoding",
            _ => $"the decoder stopped with exit code {exitCode} while decoding",
        };
        var first = files.Count > 0 ? Path.GetFileName(files[0]) : "(no file)";
        var which = files.Count > 1 ? $"the series of {files.Count} files starting with {first}" : first;
        return $"{what} {which} (exit code {exitCode}): the file is damaged, or uses an encoding or an object GDCM cannot decode";
    }

    /// <summary>
    /// The child's side (<c>gmai decode-dicom</c>): answers requests from stdin on stdout until stdin closes, then exits 0.
    /// Stdout carries frames only: the protocol writes to a duplicate of it, and descriptor 1 itself is pointed at stderr
    /// first, so whatever else writes to "stdout" (a native library's printf or std::cout, a stray Console.Write) lands in
    /// the stderr the parent drains. GDCM's own warnings go to std::cerr (gdcmTrace.cxx) and are switched off besides
    /// (<see cref="GdcmRuntime"/>). Ctrl-C in a terminal reaches the whole process group; the child leaves it to the
    /// parent, whose end closes this stdin.
    /// </summary>
    public static int Serve()
    {
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var answers = DecoderStdio.TakeStandardOutput();
        using var requests = Console.OpenStandardInput();
        // Stdin closing is the end even in the middle of a series (the parent died or gave up on it, or a codec hangs):
        // nothing is left to answer. Between series the loop itself sees the end of the input.
        new Thread(() =>
        {
            if (DecoderStdio.WaitForHangUp(DecoderStdio.StandardInput)) Environment.Exit(0);
        }) { IsBackground = true, Name = "decoder stdin watch" }.Start();
        return Serve(requests, answers);
    }

    /// <summary>
    /// Answers every request read from <paramref name="requests"/> on <paramref name="answers"/>, one after the other, until
    /// the requests end (0), an answer announced the child's retirement (0) or the requests are not the protocol (2).
    /// </summary>
    public static int Serve(Stream requests, Stream answers)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(answers);
        // Most answers go out in one write (the answer pipe holds 1 MiB, DecoderStdio).
        var output = new BufferedStream(answers, AnswerBuffer);
        // A series is decoded into the array the last one of its voxel type was streamed from: no fresh large array, no
        // page faults, no garbage per series.
        var buffers = new VoxelBufferPool();
        while (true)
        {
            DecodeRequest? request;
            try { request = DecoderProtocol.ReadRequest(requests); }
            catch (Exception e) when (e is DecoderProtocolException or IOException)
            {
                Console.Error.WriteLine($"gmai {Verb}: {e.Message}");
                return 2;
            }
            if (request is null) return 0;
            var (bytes, retire) = Answer(request, output, buffers);
            // GDCM failed during that request: its heap is not to be trusted with another series. The parent replaces
            // this child (the answer said so); stopping here makes sure no other series is read in this memory.
            if (retire) return 0;
            if (bytes > LargeAnswerBytes)
            {
                // A large volume's arrays would otherwise stay with this idle child until its next collection.
                buffers.Clear();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
    }

    /// <summary>
    /// One answer: the series' frames, or a reject frame when the series is rejected before any frame went out; its size,
    /// and whether GDCM failed while it was made (the answer then announces the child's retirement).
    /// </summary>
    private static (long Bytes, bool Retire) Answer(DecodeRequest request, Stream output, VoxelBufferPool buffers)
    {
        var failures = GdcmRuntime.Failures;
        bool Retire() => GdcmRuntime.Failures != failures;
        var writer = new FrameWriter(output, Retire);
        try
        {
            var (series, structures) = ReadHere(request, buffers);
            var bytes = SeriesFeed.Feed(series, structures, writer);
            buffers.Return(series.Volume);   // streamed: the next series may overwrite it
            return (bytes, Retire());
        }
        catch (ItemRejectedException e) when (!writer.Started)
        {
            DecoderProtocol.WriteReject(output, e.Reason, e.Message, Retire());
            return (0, Retire());
        }
        catch (IOException e) when (!writer.Started)
        {
            // A file gone or unreadable: the reject a build gives it in-process (ItemOutcome.Guard), and the child stays.
            DecoderProtocol.WriteReject(output, "unreadable-file", e.Message, Retire());
            return (0, Retire());
        }
    }

    /// <summary>The in-process read a request asks for.</summary>
    private static (DicomVolume Series, StructurePairing? Structures) ReadHere(DecodeRequest request, VoxelBufferPool? buffers = null)
    {
        var options = new DicomReadOptions { MaxVoxelBytes = request.MaxVoxelBytes, Buffers = buffers };
        if (request.StructurePath is { } structure)
        {
            var pairing = StructureObjects.Pair(structure, request.Files, options);
            return (pairing.Series, pairing);
        }
        return (DicomReader.ReadSeries(request.Files, options), null);
    }

    /// <summary>The dotnet host running this program (so the child uses the same runtime).</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}

/// <summary>The decoder child's standard streams: stdout kept for protocol frames alone, stdin watched for the parent's end.</summary>
public static partial class DecoderStdio
{
    public const int StandardInput = 0;
    private const int StandardOutput = 1;
    private const int StandardError = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollDescriptor descriptor, nuint count, int timeoutMs);

    // poll.h: reported whatever was asked for.
    private const short PollError = 0x008, PollHangUp = 0x010, PollInvalid = 0x020;
    private const int Interrupted = 4;   // EINTR

    /// <summary>
    /// Blocks until every writer of the pipe (or socket) at <paramref name="fd"/> has closed it: true then. Reads nothing,
    /// so requests waiting in the pipe stay for the reader; false when the descriptor cannot be watched.
    /// </summary>
    public static bool WaitForHangUp(int fd)
    {
        // No event asked for: poll(2) reports only hang-up, error and an invalid descriptor, so data in the pipe does not wake it.
        var watch = new PollDescriptor { Fd = fd, Events = 0 };
        while (true)
        {
            var ready = Poll(ref watch, 1, -1);
            if (ready > 0) return (watch.Returned & PollInvalid) == 0 && (watch.Returned & (PollHangUp | PollError)) != 0;
            if (ready < 0 && Marshal.GetLastPInvokeError() != Interrupted) return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary>F_SETPIPE_SZ (Linux fcntl.h): a pipe's capacity; an unprivileged process may raise it to /proc/sys/fs/pipe-max-size (1 MiB by default).</summary>
    private const int SetPipeSize = 1031;

    /// <summary>
    /// A stream on a duplicate of descriptor 1; then every other descriptor on the same pipe is pointed at stderr:
    /// descriptor 1 itself, and any duplicate the runtime made of it earlier (<see cref="Console.Out"/> writes through
    /// one, if anything opened it before). <see cref="Console.Out"/> becomes stderr too. From here on nothing but the
    /// returned stream reaches the parent's answer pipe.
    /// </summary>
    public static Stream TakeStandardOutput()
    {
        Console.Out.Flush();
        var answers = Target(StandardOutput);
        var protocol = Dup(StandardOutput);
        if (protocol < 0) throw new IOException($"dup(1) failed (errno {Marshal.GetLastPInvokeError()})");
        // Standard input (or error) may be the same terminal when run by hand: those stay as they are.
        if (answers is not null && answers != Target(StandardError))
        {
            foreach (var fd in Descriptors().Where(fd => fd > StandardError && fd != protocol && Target(fd) == answers).Prepend(StandardOutput))
                if (Dup2(StandardError, fd) < 0) throw new IOException($"dup2(2, {fd}) failed (errno {Marshal.GetLastPInvokeError()})");
        }
        Console.SetOut(Console.Error);
        // A 64 KiB pipe (the default) holds a fifth of a 24-slice 80 x 80 series: the child would wait for the parent five
        // times per series. At 1 MiB an answer of that size goes in one write. Where the kernel refuses, 64 KiB still works.
        _ = Fcntl(protocol, SetPipeSize, DicomWorker.AnswerBuffer);
        return new FileStream(new SafeFileHandle(protocol, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    private static List<int> Descriptors() =>
        [.. Directory.GetFiles("/proc/self/fd").Select(Path.GetFileName).Select(n => int.TryParse(n, out var fd) ? fd : -1).Where(fd => fd >= 0)];

    /// <summary>What a descriptor refers to (<c>pipe:[inode]</c>, a path); null when it is not open.</summary>
    private static string? Target(int fd)
    {
        try { return new FileInfo($"/proc/self/fd/{fd}").LinkTarget; }
        catch (IOException) { return null; }
    }
}

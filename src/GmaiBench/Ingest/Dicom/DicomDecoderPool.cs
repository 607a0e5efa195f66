using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Long-lived DICOM decoder children (<c>gmai decode-dicom</c>) shared by a build's workers: at most <see cref="Size"/>
/// at once, started when first needed, each decoding one series at a time over <see cref="DecoderProtocol"/>. A child
/// that dies (a signal or an exit), passes its time limit or breaks the protocol is killed and forgotten: that series
/// alone is rejected (<c>decoder-crashed</c>, <c>decoder-timeout</c>, <c>decoder-failed</c>) and the next request
/// starts a fresh child. A reject the child sends is the series' own, and the child stays. Disposing closes each child's
/// standard input, which ends it, and kills any child still there a few seconds later, or still busy.
/// </summary>
public sealed class DicomDecoderPool : IDisposable
{
    /// <summary>How long a closed child may take to exit before it is killed.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    private readonly string _program;
    private readonly string[] _arguments;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private readonly Stack<DecoderProcess> _idle = new();
    private readonly HashSet<DecoderProcess> _live = [];
    private int _started;
    private bool _disposed;

    /// <summary>Run on disposal after the children are ended (<see cref="DicomWorker.OpenPool(int)"/> restores the pool it replaced).</summary>
    internal Action? OnDispose { get; set; }

    /// <param name="size">Children at most (a build's <c>--jobs</c>).</param>
    /// <param name="program">The decoder program; it is started as <c>program arguments...</c> and must speak <see cref="DecoderProtocol"/>.</param>
    public DicomDecoderPool(int size, string program, IReadOnlyList<string> arguments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        Size = size;
        _program = program;
        _arguments = [.. arguments];
        _slots = new SemaphoreSlim(size, size);
    }

    public int Size { get; }

    /// <summary>Children started over the pool's life: 1 for any number of series in a row while none fails.</summary>
    public int ChildrenStarted => Volatile.Read(ref _started);

    /// <summary>Process ids of the children alive now (idle or busy).</summary>
    public IReadOnlyList<int> ChildProcessIds
    {
        get { lock (_gate) return [.. _live.Select(c => c.ProcessId)]; }
    }

    /// <summary>A series as the in-process reader returns it, decoded by a child of the pool.</summary>
    public DicomVolume ReadSeries(IReadOnlyList<string> files, TimeSpan timeout, long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes) =>
        Decode(new DecodeRequest(files, null, maxVoxelBytes), new WholeSeriesAssembler(), timeout).Series;

    /// <summary>A structure object with its series, as <see cref="StructureObjects.Pair"/> returns them, read by a child of the pool.</summary>
    public StructurePairing ReadStructures(string objectPath, IReadOnlyList<string> files, TimeSpan timeout, long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
    {
        ArgumentNullException.ThrowIfNull(objectPath);
        return Decode(new DecodeRequest(files, objectPath, maxVoxelBytes), new WholeSeriesAssembler(), timeout).Structures
               ?? throw new ItemRejectedException("decoder-failed", "the DICOM decoder answered without the structure object's regions");
    }

    /// <summary>
    /// Decodes <paramref name="request"/> in a child, handing the series to <paramref name="consumer"/> slice by slice as the
    /// frames arrive; waits for a free child when all <see cref="Size"/> are busy. The whole answer must come within
    /// <paramref name="timeout"/> (a fresh child's start-up included); every read from the child ends by then, because the
    /// child is killed at that moment. A child that had served other series and dies (or breaks the protocol) before this
    /// series' first frame may have died of an earlier series' damage (a heap corrupted quietly, caught at a later free):
    /// the series is then tried once more on a fresh child, and only a second death is its own.
    /// </summary>
    public TResult Decode<TResult>(DecodeRequest request, ISeriesConsumer<TResult> consumer, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(consumer);
        request.Validate();
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), $"the time limit must be positive, got {timeout}");
        _slots.Wait();
        try
        {
            for (var retry = false; ; retry = true)
            {
                var child = Take(fresh: retry);
                try
                {
                    return child.Decode(request, consumer, timeout);
                }
                catch (DecoderLostException e)
                {
                    if (Volatile.Read(ref _disposed))
                    {
                        // The pool was closed under this request (the build is ending): not the series' fault, so not its reject.
                        throw new ObjectDisposedException(nameof(DicomDecoderPool), "the DICOM decoder pool was closed while a series was decoding");
                    }
                    if (e.Retryable) continue;
                    throw e.Reject;
                }
                finally
                {
                    GiveBack(child);
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>An idle child that is still alive, or (always, when <paramref name="fresh"/>) a new one.</summary>
    private DecoderProcess Take(bool fresh)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (!fresh && _idle.TryPop(out var idle))
            {
                if (idle.Reusable) return idle;
                _live.Remove(idle);
                idle.Dispose();   // died while idle (killed from outside): it decoded nothing of this request
            }
        }
        var started = DecoderProcess.Start(_program, _arguments);
        lock (_gate)
        {
            if (!_disposed)
            {
                _live.Add(started);
                _started++;
                return started;
            }
        }
        started.Kill();
        started.Dispose();
        throw new ObjectDisposedException(nameof(DicomDecoderPool));
    }

    private void GiveBack(DecoderProcess child)
    {
        lock (_gate)
        {
            if (!_disposed && child.Reusable)
            {
                _idle.Push(child);
                return;
            }
            _live.Remove(child);
        }
        child.Kill();
        child.Dispose();
    }

    public void Dispose()
    {
        List<DecoderProcess> idle, busy;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
            busy = [.. _live.Except(idle)];
            foreach (var c in idle) _live.Remove(c);
        }
        // A busy child is killed so its reader ends now; the request's own thread then disposes it.
        foreach (var c in busy) c.Kill();
        foreach (var c in idle) c.EndInput();
        var until = DateTime.UtcNow + ExitGrace;
        foreach (var c in idle)
        {
            c.WaitForExitOrKill(until);
            c.Dispose();
        }
        OnDispose?.Invoke();
    }
}

/// <summary>
/// One decoder child: its process, the request pipe (its stdin), the answer pipe (its stdout), a thread that drains its
/// stderr (GDCM's and the runtime's messages are for developers: read and dropped, so the child never blocks on a full
/// pipe, and never shown as a reject's message), and a watchdog thread that kills it at a request's deadline. The
/// watchdog is a thread of its own, not a timer: a timer's callback waits for a free thread-pool thread, and a build's
/// workers are thread-pool threads blocked reading answers.
/// </summary>
internal sealed class DecoderProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _requests;
    private readonly BufferedStream _answers;
    private readonly object _watch = new();
    private byte[]? _buffer;
    private bool _broken;
    private bool _timedOut;
    private bool _closed;
    /// <summary>When the request in hand must be answered (<see cref="Environment.TickCount64"/>, milliseconds); null between requests.</summary>
    private long? _deadline;

    private DecoderProcess(Process process)
    {
        _process = process;
        ProcessId = process.Id;
        _requests = process.StandardInput.BaseStream;
        _answers = new BufferedStream(process.StandardOutput.BaseStream, DicomWorker.AnswerBuffer);
        var stderr = process.StandardError.BaseStream;
        new Thread(() => Drain(stderr)) { IsBackground = true, Name = $"decoder {ProcessId} stderr" }.Start();
        new Thread(Watch) { IsBackground = true, Name = $"decoder {ProcessId} watchdog" }.Start();
    }

    /// <summary>How often the watchdog looks at the deadline: the precision of a time-out, and all it costs between series.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(50);

    private void Watch()
    {
        lock (_watch)
        {
            while (!_closed)
            {
                // Not woken per request (two wake-ups a series would cost more than a look every 50 ms).
                var left = _deadline is { } deadline ? deadline - Environment.TickCount64 : long.MaxValue;
                if (left > 0)
                {
                    Monitor.Wait(_watch, left < WatchInterval.TotalMilliseconds ? TimeSpan.FromMilliseconds(left) : WatchInterval);
                    continue;
                }
                // Killing closes the answer pipe, so the read in hand ends now with the stream's end.
                _timedOut = true;
                _deadline = null;
                Kill();
            }
        }
    }

    /// <summary>Starts the clock of a request (or, with null, stops it: after that the watchdog cannot kill for this request).</summary>
    private void Deadline(TimeSpan? timeout)
    {
        lock (_watch) _deadline = timeout is { } t ? Environment.TickCount64 + (long)Math.Ceiling(t.TotalMilliseconds) : null;
    }

    private bool TimedOut
    {
        get { lock (_watch) return _timedOut; }
    }

    public int ProcessId { get; }

    /// <summary>Alive and at an answer's boundary: the next request may go to it.</summary>
    public bool Reusable => !_broken && !HasExited;

    private bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    /// <summary>
    /// The .NET runtime's settings for a decoder child, which runs the same few methods on series after series. Tiering:
    /// with the defaults a child spent its first ~1,000 small series compiling (instrumented code first, then optimised
    /// code from its profile, on a background thread beside the decode: 2-3x the CPU of a warm reader); without the
    /// instrumented tier, counting calls from the start, it is warm after ~300 (bench/README.md, dicom). Memory: the
    /// default first-generation budget follows the reported L3 cache (300 MiB on the bench machine) and kept a child at
    /// 150 MiB resident; 32 MiB keeps it near 100 MiB for the same CPU time, where the 8 MiB the gmai launchers give the
    /// main process (<see cref="Model.RuntimeSettings"/>) cost the children time (1.33x a warm reader against 1.16-1.21x
    /// with their own). So the launchers' own value is replaced; any other value in the environment is the user's and is kept.
    /// </summary>
    private static readonly (string Name, string Value)[] RuntimeSettings =
        [("DOTNET_TieredPGO", "0"), ("DOTNET_TC_CallCountingDelayMs", "0"), ("DOTNET_GCgen0size", "0x2000000")];

    public static DecoderProcess Start(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in RuntimeSettings)
        {
            var inherited = Environment.GetEnvironmentVariable(name);
            if (inherited is null || Model.RuntimeSettings.IsLaunchersDefault(name, inherited)) start.Environment[name] = value;   // a setting of the user's own wins
        }
        Process? process;
        try { process = Process.Start(start); }
        catch (Win32Exception e)
        {
            throw new ItemRejectedException("decoder-failed", $"the DICOM decoder {program} could not be started: {e.Message}");
        }
        return new DecoderProcess(process ?? throw new ItemRejectedException("decoder-failed", $"the DICOM decoder {program} could not be started"));
    }

    /// <summary>Answers this child gave (series or rejects): 0 for a fresh child.</summary>
    public int Answered { get; private set; }

    /// <summary>
    /// One request and its whole answer. The child's reject is thrown as it came and the child stays (unless it retires);
    /// losing the child (it died, passed the deadline or broke the protocol) throws <see cref="DecoderLostException"/>
    /// with the series' reject; a consumer's exception passes through as it was. After anything but an answer, the child
    /// is unusable.
    /// </summary>
    public TResult Decode<TResult>(DecodeRequest request, ISeriesConsumer<TResult> consumer, TimeSpan timeout)
    {
        var watched = new Watched<TResult>(consumer);
        DecoderAnswer<TResult> answer;
        Deadline(timeout);
        try
        {
            try
            {
                try { DecoderProtocol.WriteRequest(_requests, request); }
                catch (IOException) { /* the child is gone already: its answer ends at once and its exit code says why */ }
                answer = DecoderProtocol.ReadAnswer(_answers, watched, ref _buffer);
            }
            catch (Exception e) when (e is not ConsumerFailedException)
            {
                _broken = true;
                Kill();
                // Dying (or breaking the protocol) before this series' first frame, after serving others, may be an earlier
                // series' damage: the pool tries this one again on a fresh child.
                var retryable = Answered > 0 && !watched.Started;
                if (e is DecoderProtocolException)
                    throw new DecoderLostException(new ItemRejectedException("decoder-failed", $"the DICOM decoder's answer is broken: {e.Message}"), retryable);
                if (e is not IOException) throw;   // EndOfStreamException is one: the answer ended early
                if (TimedOut) throw new DecoderLostException(TimeoutReject(timeout), retryable: false);
                throw new DecoderLostException(new ItemRejectedException("decoder-crashed", DicomWorker.Crashed(ExitCodeAfterEnd(), request.Files)), retryable);
            }
            catch (ConsumerFailedException e)
            {
                // The consumer failed: the child is somewhere inside its answer, so it cannot take the next request.
                _broken = true;
                Kill();
                ExceptionDispatchInfo.Throw(e.InnerException!);
                throw;
            }
        }
        finally
        {
            Deadline(null);
        }
        Answered++;
        // Killed at the deadline just as the answer completed: the answer is whole, the child is not.
        if (TimedOut || answer.Retire) _broken = true;
        return answer.Decoded ? answer.Result : throw answer.Reject!;
    }

    /// <summary>The consumer as the reader sees it: whether a piece has reached it, and its own failures kept apart from the pipe's.</summary>
    private sealed class Watched<TResult>(ISeriesConsumer<TResult> inner) : ISeriesConsumer<TResult>
    {
        public bool Started { get; private set; }

        public void Begin(SeriesHeader header)
        {
            Started = true;
            try { inner.Begin(header); }
            catch (Exception e) { throw new ConsumerFailedException(e); }
        }

        public void Slice(int k, ReadOnlySpan<byte> stored)
        {
            try { inner.Slice(k, stored); }
            catch (Exception e) { throw new ConsumerFailedException(e); }
        }

        public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb)
        {
            try { inner.ColourRows(firstRow, rgb); }
            catch (Exception e) { throw new ConsumerFailedException(e); }
        }

        public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values)
        {
            try { inner.MaskSlice(mask, k, values); }
            catch (Exception e) { throw new ConsumerFailedException(e); }
        }

        public TResult Complete()
        {
            try { return inner.Complete(); }
            catch (Exception e) { throw new ConsumerFailedException(e); }
        }
    }

    private sealed class ConsumerFailedException(Exception inner) : Exception(inner.Message, inner);

    private static ItemRejectedException TimeoutReject(TimeSpan timeout) =>
        new("decoder-timeout", $"decoding the series took longer than {timeout.TotalSeconds:0} s; the decoder was stopped");

    /// <summary>The exit code of a child whose answer ended early.</summary>
    private int ExitCodeAfterEnd()
    {
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Closes the child's standard input: an idle child exits at once, a busy one as soon as it notices.</summary>
    public void EndInput()
    {
        try { _requests.Dispose(); }
        catch (IOException) { }
    }

    public void WaitForExitOrKill(DateTime until)
    {
        var left = until - DateTime.UtcNow;
        try
        {
            if (left > TimeSpan.Zero && _process.WaitForExit(left)) return;
        }
        catch (InvalidOperationException) { return; }
        Kill();
    }

    /// <summary>Kills the child and anything it started (a shell's children hold the pipes too); harmless when it is gone.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }

    public void Dispose()
    {
        lock (_watch)
        {
            _closed = true;
            Monitor.PulseAll(_watch);
        }
        try { _requests.Dispose(); }
        catch (IOException) { }
        _answers.Dispose();
        _process.Dispose();
    }

    private static void Drain(Stream stderr)
    {
        var sink = new byte[4096];
        try
        {
            while (stderr.Read(sink) > 0) { }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }
}

/// <summary>The child was lost while it worked on a series: <see cref="Reject"/> is that series' reject.</summary>
internal sealed class DecoderLostException(ItemRejectedException reject, bool retryable) : Exception(reject.Message, reject)
{
    public ItemRejectedException Reject { get; } = reject;

    /// <summary>A death or a broken answer, which an earlier series may have caused; not a time-out.</summary>
    public bool Retryable { get; } = retryable;
}

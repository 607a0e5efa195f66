using GmaiBench.Release;

namespace GmaiBench.Tests.Release;

/// <summary>
/// BuildOutput.Write with writers beside the others (IOutputWriter.WritesAlongside): with more than one job they overlap
/// the rest, every file still lands, progress counts every writer once, and a failure on either side is thrown only once
/// nothing is writing into the folder any more.
/// </summary>
public class BuildOutputScheduleTests
{
    private sealed class Writer(string name, bool alongside, Action<string>? body = null) : IOutputWriter
    {
        public IReadOnlyList<string> Files(OutputContext context) => [name];
        public bool WritesAlongside => alongside;
        public int? Thread { get; private set; }

        public void Write(OutputContext context, string folder)
        {
            Thread = Environment.CurrentManagedThreadId;
            body?.Invoke(folder);
            File.WriteAllText(Path.Combine(folder, name), name);
        }
    }

    private static OutputContext Context(int jobs) => new("x", [], new MemoryObjectStore(new Dictionary<string, byte[]>())) { Jobs = jobs };

    [Fact]
    public void Writers_alongside_overlap_the_others_with_two_jobs_and_every_file_lands()
    {
        var dir = TestData.TempDir("schedule");
        using var sideStarted = new ManualResetEventSlim();
        var side = new Writer("side", alongside: true, _ => sideStarted.Set());
        // The main writer waits until the side writer has started: only possible if they run at the same time.
        var main = new Writer("main", alongside: false, _ => Assert.True(sideStarted.Wait(TimeSpan.FromSeconds(30)), "the side writer never started"));
        var progress = new List<(int, int)>();
        var final = BuildOutput.Write([main, side, new Writer("last", false)], Context(jobs: 2), Path.Combine(dir, "out"),
            new SyncProgress<(int Done, int Total)>(p => { lock (progress) progress.Add(p); }));

        Assert.Equal(["last", "main", "side"], Directory.GetFiles(final).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.NotEqual(main.Thread, side.Thread);
        Assert.Equal([(0, 3), (1, 3), (2, 3), (3, 3)], progress);
    }

    [Fact]
    public void With_one_job_every_writer_runs_in_order_on_the_calling_thread()
    {
        var dir = TestData.TempDir("schedule-one");
        var order = new List<string>();
        var writers = new[] { "a", "b", "c" }.Select((n, i) => new Writer(n, alongside: i == 1, _ => order.Add(n))).ToList();
        BuildOutput.Write(writers, Context(jobs: 1), Path.Combine(dir, "out"));
        Assert.Equal(["a", "b", "c"], order);
        Assert.All(writers, w => Assert.Equal(Environment.CurrentManagedThreadId, w.Thread));
    }

    [Fact]
    public void A_failing_writer_beside_is_thrown_and_nothing_is_published()
    {
        var dir = TestData.TempDir("schedule-fail");
        var side = new Writer("side", alongside: true, _ => throw new IOException("disk full"));
        var e = Assert.Throws<IOException>(() => BuildOutput.Write([new Writer("main", false), side], Context(jobs: 2), Path.Combine(dir, "out")));
        Assert.Equal("disk full", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Fact]
    public void A_failing_main_writer_waits_for_the_writer_beside_before_it_is_thrown()
    {
        var dir = TestData.TempDir("schedule-fail-main");
        var sideDone = false;
        using var mainFailed = new ManualResetEventSlim();
        var side = new Writer("side", alongside: true, _ => { mainFailed.Wait(TimeSpan.FromSeconds(30)); Thread.Sleep(200); sideDone = true; });
        var main = new Writer("main", alongside: false, _ => { mainFailed.Set(); throw new InvalidOperationException("bad row"); });
        var e = Assert.Throws<InvalidOperationException>(() => BuildOutput.Write([main, side], Context(jobs: 2), Path.Combine(dir, "out")));
        Assert.Equal("bad row", e.Message);
        Assert.True(sideDone, "the failure was thrown while the writer beside was still writing");
    }

    /// <summary>Progress reported on the reporting thread (System.Progress posts to the thread pool, out of order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

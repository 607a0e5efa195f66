using System.Diagnostics;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>
/// Long-lived decoder children, started for real: one child serves series after series; a child that crashes mid-answer,
/// hangs or writes garbage costs its series only and the next series goes to a fresh child; N children in parallel give
/// what the in-process reader gives, byte for byte; closing the pool or the child's stdin ends the child.
/// </summary>
public class DicomDecoderPoolTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static bool Gone(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException) { return true; }
    }

    private static void AssertGoneSoon(int pid)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Gone(pid) && DateTime.UtcNow < until) Thread.Sleep(50);
        Assert.True(Gone(pid), $"decoder child {pid} is still running");
    }

    [Fact]
    public void Several_series_in_a_row_go_through_one_child_each_equal_to_the_in_process_read()
    {
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(1, program, arguments);
        var series = new[]
        {
            DecoderFixtures.Series("row-a", new GridShape(8, 6, 5)),
            DecoderFixtures.Series("row-b", new GridShape(7, 9, 3), DicomTransferSyntax.ExplicitVrLittleEndian),
            DecoderFixtures.Series("row-c", new GridShape(16, 12, 6), DicomTransferSyntax.JpegLsLossless),
            DecoderFixtures.Series("row-d", new GridShape(5, 5, 2)),
        };
        var pids = new List<int>();
        foreach (var files in series)
        {
            DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
            pids.Add(Assert.Single(pool.ChildProcessIds));
        }
        Assert.Equal(1, pool.ChildrenStarted);
        Assert.Single(pids.Distinct());
    }

    [Fact]
    public void A_reject_comes_back_by_name_and_the_same_child_decodes_the_next_series()
    {
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(1, program, arguments);
        var fake = Path.Combine(TestData.TempDir("pool-reject"), "x.dcm");
        File.WriteAllText(fake, "not a DICOM file\n");
        var e = Assert.Throws<ItemRejectedException>(() => pool.ReadSeries([fake], Minute));
        Assert.Equal("not-dicom", e.Reason);
        Assert.Equal(DicomReject(() => DicomReader.ReadSeries([fake])), e.Message);
        var files = DecoderFixtures.Series("pool-after-reject");
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(1, pool.ChildrenStarted);
    }

    private static string DicomReject(Action read) => Assert.Throws<ItemRejectedException>(read).Message;

    [Fact]
    public void A_child_that_crashes_mid_answer_costs_that_series_named_by_signal_and_file_and_the_next_goes_to_a_fresh_child()
    {
        var files = DecoderFixtures.Series("pool-crash", new GridShape(8, 6, 5));
        var answer = DecoderFixtures.Answer(new DecodeRequest(files));
        var headerFrame = DecoderProtocol.FrameHeaderBytes + BitConverter.ToInt32(answer, 1);
        var partial = Path.Combine(TestData.TempDir("pool-crash-answer"), "partial");
        // The header, two whole slices and half of the third, then SIGABRT: a codec's assertion in the middle of a series.
        File.WriteAllBytes(partial, answer[..(headerFrame + 2 * (DecoderProtocol.FrameHeaderBytes + 96) + 50)]);
        var (program, arguments) = DecoderFixtures.FirstChild("cat \"$1\"; kill -ABRT $$", partial);
        using var pool = new DicomDecoderPool(1, program, arguments);

        var consumer = new RecordingConsumer();
        var e = Assert.Throws<ItemRejectedException>(() => pool.Decode(new DecodeRequest(files), consumer, Minute));
        Assert.Equal("decoder-crashed", e.Reason);
        Assert.Equal("GDCM stopped on an internal assertion (SIGABRT) while decoding the series of 5 files starting with slice-0000.dcm (exit code 134): " +
                     "the file is damaged, or uses an encoding or an object GDCM cannot decode", e.Message);
        Assert.Equal(["begin", "slice 0", "slice 1"], consumer.Calls);   // the slices that came whole reached the consumer, no more

        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(2, pool.ChildrenStarted);
    }

    [Fact]
    public void A_child_that_exits_between_series_is_replaced_before_the_next_is_sent()
    {
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(1, program, arguments);
        var files = DecoderFixtures.Series("pool-idle-death");
        pool.ReadSeries(files, Minute);
        var first = Assert.Single(pool.ChildProcessIds);
        using (var child = Process.GetProcessById(first)) child.Kill();   // killed from outside while idle (the OOM killer, an operator)
        AssertGoneSoon(first);
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));   // not this series' crash
        Assert.Equal(2, pool.ChildrenStarted);
    }

    [Fact]
    public void After_GDCM_fails_on_a_series_its_reject_comes_back_and_the_next_series_goes_to_a_fresh_child()
    {
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(1, program, arguments);
        var damaged = DecoderFixtures.DamagedRle("pool-retire");
        var e = Assert.Throws<ItemRejectedException>(() => pool.ReadSeries([damaged], Minute));
        var inProcess = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadSeries([damaged]));
        Assert.Equal((DicomRejects.CorruptPixelData, inProcess.Message), (e.Reason, e.Message));
        Assert.Empty(pool.ChildProcessIds);   // retired at once, not kept idle
        var files = DecoderFixtures.Series("pool-retire-next");
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(2, pool.ChildrenStarted);
    }

    [Fact]
    public void A_child_that_served_a_series_and_dies_before_answering_the_next_is_not_blamed_on_it()
    {
        // The first child answers series A (a canned answer), then aborts on series B before any frame: an earlier series'
        // damage surfacing late. B is tried again on a fresh child, and decodes.
        var a = DecoderFixtures.Series("pool-late-a", new GridShape(8, 6, 3));
        var b = DecoderFixtures.Series("pool-late-b", new GridShape(7, 5, 4));
        var answerA = Path.Combine(TestData.TempDir("pool-late-answer"), "a");
        File.WriteAllBytes(answerA, DecoderFixtures.Answer(new DecodeRequest(a)));
        var (program, arguments) = DecoderFixtures.FirstChild(
            "dd bs=65536 count=1 of=/dev/null 2>/dev/null; cat \"$1\"; dd bs=65536 count=1 of=/dev/null 2>/dev/null; kill -ABRT $$", answerA);
        using var pool = new DicomDecoderPool(1, program, arguments);
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(a), pool.ReadSeries(a, Minute));
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(b), pool.ReadSeries(b, Minute));
        Assert.Equal(2, pool.ChildrenStarted);
    }

    [Fact]
    public void A_fresh_child_that_dies_on_its_first_series_is_that_series_crash_and_is_not_tried_again()
    {
        var files = DecoderFixtures.Series("pool-first-death");
        var (program, arguments) = DecoderFixtures.FirstChild("kill -SEGV $$");
        using var pool = new DicomDecoderPool(1, program, arguments);
        var e = Assert.Throws<ItemRejectedException>(() => pool.ReadSeries(files, Minute));
        Assert.Equal("decoder-crashed", e.Reason);
        Assert.StartsWith("GDCM crashed (segmentation fault, SIGSEGV) while decoding the series of", e.Message);
        Assert.Equal(1, pool.ChildrenStarted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_consumer_that_throws_gets_its_own_exception_back_and_the_child_is_replaced(bool io)
    {
        var files = DecoderFixtures.Series("pool-consumer-throws", new GridShape(8, 6, 4));
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(1, program, arguments);
        // An I/O failure of the consumer's own (a streaming consumer's disk) is not the decoder crashing.
        Exception thrown = io ? new IOException("the consumer's disk is full") : new InvalidOperationException("the consumer has seen enough");
        var caught = Assert.ThrowsAny<Exception>(() => pool.Decode(new DecodeRequest(files), new ThrowsAtSlice(1, thrown), Minute));
        Assert.Same(thrown, caught);
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(2, pool.ChildrenStarted);
    }

    private sealed class ThrowsAtSlice(int at, Exception e) : ISeriesConsumer<int>
    {
        public void Begin(SeriesHeader header) { }

        public void Slice(int k, ReadOnlySpan<byte> stored)
        {
            if (k == at) throw e;
        }

        public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb) { }

        public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values) { }

        public int Complete() => 0;
    }

    [Fact]
    public void A_hung_child_is_killed_at_the_time_limit_and_the_next_series_decodes_on_a_fresh_child()
    {
        var files = DecoderFixtures.Series("pool-hang");
        var (program, arguments) = DecoderFixtures.FirstChild("sleep 60");
        using var pool = new DicomDecoderPool(1, program, arguments);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ItemRejectedException>(() => pool.ReadSeries(files, TimeSpan.FromSeconds(2)));
        Assert.Equal("decoder-timeout", e.Reason);
        Assert.Equal("decoding the series took longer than 2 s; the decoder was stopped", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 2, 20);
        Assert.Empty(pool.ChildProcessIds);   // the hung child is not kept
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(2, pool.ChildrenStarted);
    }

    [Fact]
    public void A_child_writing_text_on_its_stdout_is_a_decoder_failed_reject_and_is_replaced()
    {
        var files = DecoderFixtures.Series("pool-garbage");
        var (program, arguments) = DecoderFixtures.FirstChild("echo 'Warning: JPEG datastream contains extraneous bytes'; sleep 60");
        using var pool = new DicomDecoderPool(1, program, arguments);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ItemRejectedException>(() => pool.ReadSeries(files, Minute));
        Assert.Equal("decoder-failed", e.Reason);
        Assert.Equal("the DICOM decoder's answer is broken: text ('W', 0x57): something other than the decoder protocol was written on its standard output " +
                     "where an answer (a header or a reject frame) was due", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the broken child was waited for instead of stopped");
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(2, pool.ChildrenStarted);
    }

    [Fact]
    public void Slices_reach_the_consumer_as_they_arrive_not_when_the_answer_is_whole()
    {
        var files = DecoderFixtures.Series("pool-stream", new GridShape(8, 6, 5));
        var answer = DecoderFixtures.Answer(new DecodeRequest(files));
        var headerFrame = DecoderProtocol.FrameHeaderBytes + BitConverter.ToInt32(answer, 1);
        var prefix = Path.Combine(TestData.TempDir("pool-stream-answer"), "prefix");
        File.WriteAllBytes(prefix, answer[..(headerFrame + DecoderProtocol.FrameHeaderBytes + 96)]);
        // The header and slice 0, then a child that takes forever over slice 1.
        var (program, arguments) = DecoderFixtures.FirstChild("cat \"$1\"; sleep 60", prefix);
        using var pool = new DicomDecoderPool(1, program, arguments);
        var consumer = new RecordingConsumer();
        Assert.Equal("decoder-timeout", Assert.Throws<ItemRejectedException>(() => pool.Decode(new DecodeRequest(files), consumer, TimeSpan.FromSeconds(3))).Reason);
        Assert.Equal(["begin", "slice 0"], consumer.Calls);
        Assert.Equal(SeriesFeed.StoredSlice(DicomReader.ReadSeries(files).Volume, 0).ToArray(), consumer.Slices[0]);
    }

    [Fact]
    public void Jobs_in_parallel_share_at_most_their_number_of_children_and_give_the_in_process_bytes()
    {
        var series = new List<string[]>();
        for (var n = 0; n < 10; n++)
            series.Add(DecoderFixtures.Series($"pool-parallel-{n}", new GridShape(6 + n, 5 + n % 3, 2 + n % 4), n % 2 == 0 ? DicomTransferSyntax.RleLossless : DicomTransferSyntax.ExplicitVrLittleEndian));
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(2, program, arguments);
        var decoded = new DicomVolume[series.Count];
        // Four workers over two children: two of them wait for a free child at any moment.
        Parallel.For(0, series.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n => decoded[n] = pool.ReadSeries(series[n], Minute));
        for (var n = 0; n < series.Count; n++) DecoderFixtures.AssertSame(DicomReader.ReadSeries(series[n]), decoded[n]);
        Assert.InRange(pool.ChildrenStarted, 1, 2);
    }

    [Fact]
    public void A_structure_object_and_its_series_come_back_from_the_pool_as_in_process()
    {
        var dir = TestData.TempDir("pool-structures");
        var options = new DicomWriteOptions { PatientId = "P-RT", Seed = "rt" };
        var volume = DicomFixtures.Volume();
        var files = DicomWriter.WriteSeries(Path.Combine(dir, "ct"), volume, options);
        var seg = Path.Combine(dir, "seg.dcm");
        var inside = new bool[volume.Shape.VoxelCount];
        for (var n = 0; n < inside.Length; n += 7) inside[n] = true;
        StructureWriter.WriteSegmentation(seg, ReferencedSeries.Of(volume, options), [new SegmentVoxels(1, "Liver", "Liver", inside)], "seg");
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = new DicomDecoderPool(1, program, arguments);
        DecoderFixtures.AssertSame(StructureObjects.Pair(seg, files), pool.ReadStructures(seg, files, Minute));
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), pool.ReadSeries(files, Minute));
        Assert.Equal(1, pool.ChildrenStarted);
    }

    [Fact]
    public void The_open_pool_serves_DicomWorker_on_this_flow_and_disposing_it_ends_its_children()
    {
        var files = DecoderFixtures.Series("pool-ambient");
        var (program, arguments) = DecoderFixtures.Real;
        List<int> children;
        using (var pool = DicomWorker.OpenPool(2, program, arguments))
        {
            // The build's shape: workers started by the thread that opened the pool call the static API.
            Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ => DicomWorker.ReadSeries(files, Minute));
            Assert.InRange(pool.ChildrenStarted, 1, 2);
            children = [.. pool.ChildProcessIds];
            Assert.NotEmpty(children);
        }
        foreach (var pid in children) AssertGoneSoon(pid);
        // Closed: the next call starts (and ends) a child of its own, and the closed pool is not used again.
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), DicomWorker.ReadSeries(files, Minute));
    }

    [Fact]
    public void Another_flow_does_not_see_this_flows_pool()
    {
        var files = DecoderFixtures.Series("pool-flows");
        var (program, arguments) = DecoderFixtures.Real;
        using var pool = DicomWorker.OpenPool(1, program, arguments);
        var other = new Thread(() => DicomWorker.ReadSeries(files, Minute));
        // An unrelated thread (started without this flow's context) decodes with a child of its own.
        other.UnsafeStart();
        other.Join();
        Assert.Equal(0, pool.ChildrenStarted);
    }

    [Fact]
    public void A_child_exits_by_itself_when_its_stdin_closes()
    {
        var (program, arguments) = DecoderFixtures.Real;
        using var child = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        // A first request, answered: the child is up and idle, waiting for the next.
        var files = DecoderFixtures.Series("pool-stdin");
        DecoderProtocol.WriteRequest(child.StandardInput.BaseStream, new DecodeRequest(files));
        byte[]? buffer = null;
        Assert.True(DecoderProtocol.ReadAnswer(child.StandardOutput.BaseStream, new WholeSeriesAssembler(), ref buffer).Decoded);
        // The parent going away closes the pipe; nothing else tells the child.
        child.StandardInput.Close();
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(20)), "the decoder child did not exit when its stdin closed");
        Assert.Equal(0, child.ExitCode);
        Assert.Equal(-1, child.StandardOutput.BaseStream.ReadByte());   // and wrote nothing more on its stdout
    }

    [Fact]
    public async Task The_childs_stdin_watch_wakes_when_the_parent_closes_the_pipe_not_when_a_request_arrives()
    {
        // What ends a child stuck in a series when its build dies: the watch reads nothing, so requests stay for the loop.
        var writer = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var reader = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, writer.ClientSafePipeHandle);
        var watch = Task.Run(() => DecoderStdio.WaitForHangUp((int)reader.SafePipeHandle.DangerousGetHandle()));
        writer.Write([1, 2, 3]);
        writer.Flush();
        Assert.NotSame(watch, await Task.WhenAny(watch, Task.Delay(TimeSpan.FromMilliseconds(500))));   // data is not the end
        writer.Dispose();
        Assert.True(await watch.WaitAsync(TimeSpan.FromSeconds(10)), "the closed pipe did not read as hung up");
        var left = new byte[8];
        Assert.Equal(3, reader.Read(left));
    }

    [Fact]
    public void In_the_child_descriptor_1_is_its_stderr_so_nothing_but_the_protocol_reaches_the_answer_pipe()
    {
        var (program, arguments) = DecoderFixtures.Real;
        using var child = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        DecoderProtocol.WriteRequest(child.StandardInput.BaseStream, new DecodeRequest(DecoderFixtures.Series("pool-descriptors")));
        byte[]? buffer = null;
        Assert.True(DecoderProtocol.ReadAnswer(child.StandardOutput.BaseStream, new WholeSeriesAssembler(), ref buffer).Decoded);
        // The pipe this process reads answers from, and the child's descriptors.
        var answerPipe = Link($"/proc/self/fd/{((System.IO.Pipes.PipeStream)child.StandardOutput.BaseStream).SafePipeHandle.DangerousGetHandle()}");
        var fd = $"/proc/{child.Id}/fd";
        var held = Directory.GetFiles(fd).ToDictionary(f => Path.GetFileName(f), Link);
        // A native printf or std::cout (descriptor 1) and Console.Out land in the stderr pipe the parent drains ...
        Assert.StartsWith("pipe:", held["2"]);
        Assert.Equal(held["2"], held["1"]);
        // ... while the answer pipe is held under another descriptor, by the protocol's stream alone.
        Assert.StartsWith("pipe:", answerPipe);
        Assert.Single(held, h => h.Value == answerPipe && h.Key is not ("0" or "1" or "2"));
        child.StandardInput.Close();
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(20)));
    }

    private static string Link(string path) => new FileInfo(path).LinkTarget ?? "";

    [Fact]
    public void A_closed_pool_refuses_new_requests()
    {
        var (program, arguments) = DecoderFixtures.Real;
        var pool = new DicomDecoderPool(1, program, arguments);
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.ReadSeries(DecoderFixtures.Series("pool-closed"), Minute));
        Assert.Equal(0, pool.ChildrenStarted);
    }
}

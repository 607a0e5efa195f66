using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>The child-process decoder gives what the in-process reader gives, and its rejects come back by name.</summary>
public class DicomWorkerTests
{
    [Fact]
    public void A_series_decoded_in_a_child_process_equals_the_in_process_read()
    {
        Assert.NotNull(DicomWorker.WorkerAssembly);   // gmai.dll sits beside the tests, so the child process is used
        var dir = TestData.TempDir("worker");
        var volume = DicomFixtures.Volume(scaling: DicomFixtures.CtScaling);
        var files = DicomWriter.WriteSeries(dir, volume, new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.RleLossless, PatientId = "P-7", Monochrome1 = true });
        var shuffled = files.Reverse().ToList();
        var inProcess = DicomReader.ReadSeries(shuffled);
        var isolated = DicomWorker.ReadSeries(shuffled, TimeSpan.FromMinutes(1));
        DicomFixtures.AssertSameVoxels(volume, isolated.Volume);
        DicomFixtures.AssertAffine(inProcess.Volume.Affine, isolated.Volume.Affine);
        Assert.Equal(inProcess.Volume.Scaling, isolated.Volume.Scaling);
        Assert.Equal(("P-7", true), (isolated.PatientId, isolated.InvertDisplay));
        Assert.Equal(inProcess.SourceFiles, isolated.SourceFiles);
    }

    [Fact]
    public void A_reject_in_the_child_comes_back_with_its_reason()
    {
        var dir = TestData.TempDir("worker-reject");
        var fake = Path.Combine(dir, "x.dcm");
        File.WriteAllText(fake, "not a DICOM file\n");
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadSeries([fake], TimeSpan.FromMinutes(1)));
        Assert.Equal("not-dicom", e.Reason);
    }
}

/// <summary>
/// A decoder that dies or hangs costs its item only. The child here is a shell standing in for a GDCM codec that aborts
/// (SIGABRT, as the Debian build's assertions do) or loops forever on damaged data.
/// </summary>
public class DicomWorkerFailureTests
{
    private static string[] Series()
    {
        var dir = TestData.TempDir("worker-failure");
        return [.. DicomWriter.WriteSeries(dir, DicomFixtures.Volume())];
    }

    [Fact]
    public void A_decoder_killed_by_a_signal_is_a_decoder_crashed_reject_in_plain_words_without_its_assertion_text()
    {
        var files = Series();
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadSeries(files, TimeSpan.FromMinutes(1),
            "/bin/sh", ["-c", "echo 'gdcmJPEGLSCodec.cxx:412: bool gdcm::JPEGLSCodec::DecodeByStreams(): Assertion failed.' >&2; kill -ABRT $$", "decoder"]));
        Assert.Equal("decoder-crashed", e.Reason);
        Assert.Equal($"GDCM stopped on an internal assertion (SIGABRT) while decoding the series of {files.Length} files starting with slice-0000.dcm (exit code 134): " +
                     "the file is damaged, or uses an encoding or an object GDCM cannot decode", e.Message);
        Assert.DoesNotContain("Assertion", e.Message);
        Assert.DoesNotContain(".cxx", e.Message);
    }

    [Fact]
    public void A_structure_object_is_read_in_the_child_so_an_abort_on_it_is_this_items_decoder_crashed_reject()
    {
        var files = Series();
        var seg = Path.Combine(Path.GetDirectoryName(files[0])!, "SEG.dcm");
        File.WriteAllText(seg, "not read in this process");
        var request = Path.Combine(TestData.TempDir("worker-structure-request"), "request");
        // The child keeps the request it was sent (one frame, one read), then aborts as GDCM would on a damaged structure set.
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadStructures(seg, files, TimeSpan.FromMinutes(1),
            "/bin/sh", ["-c", "dd bs=65536 count=1 of=\"$1\" 2>/dev/null; kill -ABRT $$", "decoder", request]));
        Assert.Equal("decoder-crashed", e.Reason);
        Assert.StartsWith("GDCM stopped on an internal assertion (SIGABRT) while decoding the series of", e.Message);
        var sent = File.ReadAllBytes(request);
        Assert.Equal((byte)FrameKind.Request, sent[0]);
        var json = System.Text.Json.JsonDocument.Parse(sent.AsMemory(DecoderProtocol.FrameHeaderBytes)).RootElement;
        Assert.Equal(seg, json.GetProperty("StructurePath").GetString());
        Assert.Equal(files, json.GetProperty("Files").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void A_decoder_exiting_without_an_answer_is_a_decoder_crashed_reject()
    {
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadSeries(Series(), TimeSpan.FromMinutes(1),
            "/bin/sh", ["-c", "exit 1", "decoder"]));
        Assert.Equal("decoder-crashed", e.Reason);
        Assert.Contains("exit code 1", e.Message);
    }

    [Fact]
    public void A_hung_decoder_is_stopped_at_the_time_limit_and_is_a_decoder_timeout_reject()
    {
        var marker = Path.Combine(TestData.TempDir("worker-hang"), "still-running");
        // The child sleeps, then would leave a marker: the marker must never appear, because the child was killed.
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadSeries(Series(), TimeSpan.FromSeconds(1),
            "/bin/sh", ["-c", $"sleep 3; touch '{marker}'", "decoder"]));
        Assert.Equal("decoder-timeout", e.Reason);
        Assert.Contains("longer than 1 s", e.Message);
        Thread.Sleep(TimeSpan.FromSeconds(3));
        Assert.False(File.Exists(marker), "the hung decoder was not stopped");
    }

    [Theory]
    [InlineData("echo 'Warning: Premature end of JPEG file'; sleep 30", "text ('W', 0x57): something other than the decoder protocol")]
    [InlineData("printf '\\002\\001\\000\\000\\000{'; sleep 30", "header frame is not valid JSON")]
    [InlineData("printf '\\007\\002\\000\\000\\000{}'; sleep 30", "reject frame names no reason")]
    [InlineData("printf '\\002\\016\\000\\000\\000{\"Protocol\":9}'; sleep 30", "header states protocol 9")]
    [InlineData("printf '\\003\\000\\000\\000\\000'; sleep 30", "a Slice frame where an answer (a header or a reject frame) was due")]
    public void A_decoder_that_answers_badly_is_a_decoder_failed_reject_naming_what_was_wrong(string script, string says)
    {
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadSeries(Series(), TimeSpan.FromMinutes(1),
            "/bin/sh", ["-c", script, "decoder"]));
        Assert.Equal("decoder-failed", e.Reason);
        Assert.StartsWith("the DICOM decoder's answer is broken: ", e.Message);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void A_decoder_that_cannot_start_is_a_decoder_failed_reject_naming_it()
    {
        var e = Assert.Throws<ItemRejectedException>(() => DicomWorker.ReadSeries(Series(), TimeSpan.FromMinutes(1),
            "/nonexistent/gmai-decoder", []));
        Assert.Equal("decoder-failed", e.Reason);
        Assert.Contains("/nonexistent/gmai-decoder", e.Message);
    }
}

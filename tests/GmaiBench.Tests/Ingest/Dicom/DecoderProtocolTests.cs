using System.Buffers.Binary;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>
/// The decoder protocol in one process: what the child writes for a series, and the consumer seam the parent hands it to,
/// slice by slice. No child process here (see <see cref="DicomDecoderPoolTests"/>).
/// </summary>
public class DecoderProtocolTests
{
    private static DecodedSeries ReadBack(byte[] answer, ISeriesConsumer<DecodedSeries> consumer)
    {
        byte[]? buffer = null;
        var read = DecoderProtocol.ReadAnswer(new MemoryStream(answer), consumer, ref buffer);
        Assert.True(read.Decoded, read.Reject?.Message);
        Assert.False(read.Retire);
        return read.Result;
    }

    [Fact]
    public void A_series_answer_is_a_header_then_one_frame_per_slice_in_order_then_the_end()
    {
        var files = DecoderFixtures.Series("protocol-frames", new GridShape(8, 6, 5));
        var answer = DecoderFixtures.Answer(new DecodeRequest(files));
        var kinds = new List<(FrameKind Kind, int Length)>();
        for (var at = 0; at < answer.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(at + 1));
            kinds.Add(((FrameKind)answer[at], length));
            at += DecoderProtocol.FrameHeaderBytes + length;
        }
        Assert.Equal(FrameKind.Header, kinds[0].Kind);
        // Five slices of 8 x 6 int16 voxels, raw, then an empty End frame.
        List<(FrameKind, int)> expected = [.. Enumerable.Repeat((FrameKind.Slice, 8 * 6 * 2), 5), (FrameKind.End, 0)];
        Assert.Equal(expected, kinds.Skip(1));
    }

    [Fact]
    public void The_consumer_gets_the_header_then_each_slice_once_in_order_with_the_stored_bytes()
    {
        var files = DecoderFixtures.Series("protocol-consumer", new GridShape(8, 6, 5));
        var expected = DicomReader.ReadSeries(files);
        var consumer = new RecordingConsumer();
        var read = ReadBack(DecoderFixtures.Answer(new DecodeRequest(files)), consumer);
        Assert.Equal(["begin", "slice 0", "slice 1", "slice 2", "slice 3", "slice 4", "complete"], consumer.Calls);
        Assert.Equal((VoxelType.Int16, new GridShape(8, 6, 5), 8 * 6 * 2), (consumer.Header!.VoxelType, consumer.Header.Shape, consumer.Header.SliceBytes));
        for (var k = 0; k < 5; k++) Assert.Equal(SeriesFeed.StoredSlice(expected.Volume, k).ToArray(), consumer.Slices[k]);
        // Voxel (3, 2, 4) of slice 4 at its place in the stored bytes: (j * Ni + i) * 2, little-endian int16.
        Assert.Equal(DicomFixtures.Value(3, 2, 4), BinaryPrimitives.ReadInt16LittleEndian(consumer.Slices[4].AsSpan((2 * 8 + 3) * 2)));
        DecoderFixtures.AssertSame(expected, read.Series);
        Assert.Null(read.Structures);
    }

    [Fact]
    public void A_consumer_that_keeps_one_plane_needs_no_more_than_that_plane()
    {
        // The seam a streaming reader plugs into: only the middle slice is kept, every other slice is seen and dropped.
        var files = DecoderFixtures.Series("protocol-one-plane", new GridShape(8, 6, 7));
        var kept = ReadBackOnePlane(DecoderFixtures.Answer(new DecodeRequest(files)), 3);
        var whole = DicomReader.ReadSeries(files).Volume;
        Assert.Equal(SeriesFeed.StoredSlice(whole, 3).ToArray(), kept);
    }

    private static byte[] ReadBackOnePlane(byte[] answer, int plane)
    {
        byte[]? buffer = null;
        return DecoderProtocol.ReadAnswer(new MemoryStream(answer), new OnePlane(plane), ref buffer).Result;
    }

    /// <summary>Keeps slice <paramref name="plane"/> only.</summary>
    private sealed class OnePlane(int plane) : ISeriesConsumer<byte[]>
    {
        private byte[] _kept = [];

        public void Begin(SeriesHeader header) { }

        public void Slice(int k, ReadOnlySpan<byte> stored)
        {
            if (k == plane) _kept = stored.ToArray();
        }

        public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb) { }

        public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values) { }

        public byte[] Complete() => _kept;
    }

    [Fact]
    public void A_colour_image_comes_as_its_luma_slice_then_its_rgb_rows()
    {
        var rgb = Enumerable.Range(0, 8 * 8 * 3).Select(n => (byte)(n * 7)).ToArray();
        var path = HandBuiltDicom.Write(HandBuiltDicom.Image(HandBuiltDicom.SecondaryCapture, "XC", 8, 8, 1, "RGB", 3, 8, 8, 0).Pixels(rgb, 8), "colour.dcm");
        var consumer = new RecordingConsumer();
        var read = ReadBack(DecoderFixtures.Answer(new DecodeRequest([path])), consumer);
        Assert.Equal(["begin", "slice 0", "colour from row 0", "complete"], consumer.Calls);
        Assert.Equal(rgb, read.Series.Colour!.Rgb);
        DecoderFixtures.AssertSame(DicomReader.ReadSeries([path]), read.Series);
    }

    [Fact]
    public void A_structure_set_comes_with_one_mask_frame_per_region_and_slice_empty_where_the_region_is_not()
    {
        var dir = TestData.TempDir("protocol-structures");
        var options = new DicomWriteOptions { PatientId = "P-RT", Seed = "rt" };
        var volume = DicomFixtures.Volume();
        var files = DicomWriter.WriteSeries(Path.Combine(dir, "ct"), volume, options);
        var rs = Path.Combine(dir, "rs.dcm");
        StructureWriter.WriteRtStruct(rs, ReferencedSeries.Of(volume, options),
            [new RoiContours(1, "Liver", [new ContourPolygon(2, [(1, 1), (5, 1), (5, 4), (1, 4)])]), new RoiContours(7, "Spleen", [new ContourPolygon(3, [(0, 0), (4, 0), (0, 4)])])], "rs");
        var consumer = new RecordingConsumer();
        var read = ReadBack(DecoderFixtures.Answer(new DecodeRequest(files, rs)), consumer);
        // Liver is drawn on slice 2 only, Spleen on slice 3 only.
        Assert.Equal([
            "begin", "slice 0", "slice 1", "slice 2", "slice 3", "slice 4",
            "mask 0 slice 0 (empty)", "mask 0 slice 1 (empty)", "mask 0 slice 2", "mask 0 slice 3 (empty)", "mask 0 slice 4 (empty)",
            "mask 1 slice 0 (empty)", "mask 1 slice 1 (empty)", "mask 1 slice 2 (empty)", "mask 1 slice 3", "mask 1 slice 4 (empty)",
            "complete"], consumer.Calls);
        DecoderFixtures.AssertSame(StructureObjects.Pair(rs, files), read.Structures!);
    }

    [Fact]
    public void A_rejected_series_is_one_reject_frame_and_the_consumer_sees_nothing()
    {
        var fake = Path.Combine(TestData.TempDir("protocol-reject"), "x.dcm");
        File.WriteAllText(fake, "not a DICOM file\n");
        var answer = DecoderFixtures.Answer(new DecodeRequest([fake]));
        Assert.Equal((byte)FrameKind.Reject, answer[0]);
        var consumer = new RecordingConsumer();
        byte[]? buffer = null;
        var read = DecoderProtocol.ReadAnswer(new MemoryStream(answer), consumer, ref buffer);
        Assert.False(read.Decoded);
        Assert.Equal("not-dicom", read.Reject!.Reason);
        Assert.Empty(consumer.Calls);
    }

    [Fact]
    public void One_child_loop_answers_each_request_in_turn_and_ends_with_its_input()
    {
        var good = DecoderFixtures.Series("protocol-loop", new GridShape(8, 6, 3));
        var fake = Path.Combine(TestData.TempDir("protocol-loop-reject"), "x.dcm");
        File.WriteAllText(fake, "not a DICOM file\n");
        var requests = new MemoryStream();
        foreach (var r in new[] { new DecodeRequest(good), new DecodeRequest([fake]), new DecodeRequest(good) }) DecoderProtocol.WriteRequest(requests, r);
        requests.Position = 0;
        var answers = new MemoryStream();
        Assert.Equal(0, DicomWorker.Serve(requests, answers));
        answers.Position = 0;
        byte[]? buffer = null;
        var expected = DicomReader.ReadSeries(good);
        var first = DecoderProtocol.ReadAnswer(answers, new WholeSeriesAssembler(), ref buffer);
        var second = DecoderProtocol.ReadAnswer(answers, new WholeSeriesAssembler(), ref buffer);
        var third = DecoderProtocol.ReadAnswer(answers, new WholeSeriesAssembler(), ref buffer);
        Assert.Equal((true, false, true), (first.Decoded, second.Decoded, third.Decoded));
        Assert.Equal("not-dicom", second.Reject!.Reason);
        DecoderFixtures.AssertSame(expected, first.Result.Series);
        DecoderFixtures.AssertSame(expected, third.Result.Series);
        Assert.Equal(answers.Length, answers.Position);
    }

    [Fact]
    public void After_GDCM_fails_on_a_series_the_child_answers_it_announces_its_retirement_and_takes_no_other_series()
    {
        var damaged = DecoderFixtures.DamagedRle("protocol-retire");
        var good = DecoderFixtures.Series("protocol-retire-good", new GridShape(8, 6, 2));
        var requests = new MemoryStream();
        DecoderProtocol.WriteRequest(requests, new DecodeRequest([damaged]));
        DecoderProtocol.WriteRequest(requests, new DecodeRequest(good));
        requests.Position = 0;
        var answers = new MemoryStream();
        Assert.Equal(0, DicomWorker.Serve(requests, answers));
        answers.Position = 0;
        byte[]? buffer = null;
        var read = DecoderProtocol.ReadAnswer(answers, new RecordingConsumer(), ref buffer);
        Assert.Equal((false, true), (read.Decoded, read.Retire));
        Assert.Equal(DicomFixtures.Reject(() => DicomReader.ReadSeries([damaged])), read.Reject!.Reason);
        Assert.Equal(DicomRejects.CorruptPixelData, read.Reject.Reason);
        Assert.Equal(answers.Length, answers.Position);   // the good series was not read in that memory
    }

    [Fact]
    public void A_request_stream_that_is_not_the_protocol_ends_the_child_loop_with_code_2()
    {
        var answers = new MemoryStream();
        Assert.Equal(2, DicomWorker.Serve(new MemoryStream("hello\n"u8.ToArray()), answers));
        Assert.Equal(0, answers.Length);
    }

    [Fact]
    public void An_answer_cut_short_ends_the_stream_after_the_slices_that_came_whole()
    {
        var files = DecoderFixtures.Series("protocol-cut", new GridShape(8, 6, 5));
        var answer = DecoderFixtures.Answer(new DecodeRequest(files));
        var headerFrame = DecoderProtocol.FrameHeaderBytes + (int)BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(1));
        var slice = DecoderProtocol.FrameHeaderBytes + 8 * 6 * 2;
        var consumer = new RecordingConsumer();
        byte[]? buffer = null;
        // Two slices and half of the third.
        Assert.Throws<EndOfStreamException>(() => DecoderProtocol.ReadAnswer(new MemoryStream(answer[..(headerFrame + 2 * slice + slice / 2)]), consumer, ref buffer));
        Assert.Equal(["begin", "slice 0", "slice 1"], consumer.Calls);
    }

    [Fact]
    public void A_slice_of_the_wrong_size_or_text_in_the_stream_is_named()
    {
        var files = DecoderFixtures.Series("protocol-bad", new GridShape(8, 6, 5));
        var answer = DecoderFixtures.Answer(new DecodeRequest(files));
        var headerFrame = DecoderProtocol.FrameHeaderBytes + (int)BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(1));
        byte[]? buffer = null;

        var shortSlice = (byte[])answer.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(shortSlice.AsSpan(headerFrame + 1), 95);
        var e = Assert.Throws<DecoderProtocolException>(() => DecoderProtocol.ReadAnswer(new MemoryStream(shortSlice), new RecordingConsumer(), ref buffer));
        Assert.Equal("slice 0 of 5 has 95 bytes, not 96", e.Message);

        // A library printing a warning between two frames.
        byte[] withText = [.. answer[..headerFrame], .. "JPEG warning\n"u8, .. answer[headerFrame..]];
        e = Assert.Throws<DecoderProtocolException>(() => DecoderProtocol.ReadAnswer(new MemoryStream(withText), new RecordingConsumer(), ref buffer));
        Assert.StartsWith("text ('J', 0x4a): something other than the decoder protocol was written on its standard output where slice 0 of 5 was due", e.Message);
    }

    [Fact]
    public void A_header_with_an_impossible_grid_is_refused_before_anything_is_allocated()
    {
        var json = """{"Protocol":1,"VoxelType":"Int16","Ni":100000,"Nj":100000,"Nk":100000,"Affine":[1,0,0,0,0,1,0,0,0,0,1,0],"Slope":1,"Intercept":0,"SourceFiles":[]}"""u8.ToArray();
        var frame = new MemoryStream();
        DecoderProtocol.WriteFrame(frame, FrameKind.Header, json);
        frame.Position = 0;
        byte[]? buffer = null;
        var consumer = new RecordingConsumer();
        var e = Assert.Throws<DecoderProtocolException>(() => DecoderProtocol.ReadAnswer(frame, consumer, ref buffer));
        Assert.Equal("the decoder's header states a 100000x100000x100000 grid (too large for one array)", e.Message);
        Assert.Empty(consumer.Calls);
    }

    [Fact]
    public void Fed_in_process_a_consumer_sees_the_same_calls_as_from_the_child()
    {
        var files = DecoderFixtures.Series("protocol-feed", new GridShape(8, 6, 4));
        var fromChild = new RecordingConsumer();
        ReadBack(DecoderFixtures.Answer(new DecodeRequest(files)), fromChild);
        var inProcess = new RecordingConsumer();
        var fed = SeriesFeed.Feed(DicomReader.ReadSeries(files), null, inProcess);
        Assert.Equal(fromChild.Calls, inProcess.Calls);
        Assert.Equal(fromChild.Slices, inProcess.Slices);
        DecoderFixtures.AssertSame(DicomReader.ReadSeries(files), fed.Series);
    }

    [Fact]
    public void A_request_without_files_is_refused_before_it_is_sent()
    {
        Assert.Throws<ArgumentException>(() => DecoderProtocol.WriteRequest(new MemoryStream(), new DecodeRequest([])));
        Assert.Throws<ArgumentException>(() => DicomWorker.ReadSeries([], TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_file_gone_before_the_child_reads_it_is_an_unreadable_file_reject_as_in_process()
    {
        var gone = Path.Combine(TestData.TempDir("protocol-missing"), "gone.dcm");
        var answer = DecoderFixtures.Answer(new DecodeRequest([gone]));
        byte[]? buffer = null;
        var read = DecoderProtocol.ReadAnswer(new MemoryStream(answer), new RecordingConsumer(), ref buffer);
        Assert.Equal((false, false), (read.Decoded, read.Retire));
        Assert.Equal("unreadable-file", read.Reject!.Reason);
        Assert.Contains("gone.dcm", read.Reject.Message);
    }
}

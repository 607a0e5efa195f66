using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>
/// Decoder children for the pool's tests: the real one (<c>gmai.dll decode-dicom</c>, beside the tests), and shells that
/// misbehave on their first start only, then become the real one, so a test sees a failure and then the fresh child
/// that follows it. Also the real child's answer as bytes, made in this process by the child's own code.
/// </summary>
public static class DecoderFixtures
{
    public static string GmaiDll => DicomWorker.WorkerAssembly ?? throw new InvalidOperationException("gmai.dll is not beside the tests");

    /// <summary>The real decoder, as a build starts it.</summary>
    public static (string Program, string[] Arguments) Real => ("dotnet", [GmaiDll, DicomWorker.Verb]);

    /// <summary>
    /// A child that runs <paramref name="misbehaviour"/> (shell) the first time it is started and the real decoder every
    /// later time. <c>$1</c> in the script is <paramref name="argument"/>.
    /// </summary>
    public static (string Program, string[] Arguments) FirstChild(string misbehaviour, string argument = "")
    {
        var marker = Path.Combine(TestData.TempDir("first-child"), "started");
        return ("/bin/sh", ["-c", $"if [ ! -e '{marker}' ]; then touch '{marker}'; {misbehaviour}; fi; exec dotnet '{GmaiDll}' {DicomWorker.Verb}", "decoder", argument]);
    }

    /// <summary>The frames the real child answers <paramref name="request"/> with, made in this process.</summary>
    public static byte[] Answer(DecodeRequest request)
    {
        var requests = new MemoryStream();
        DecoderProtocol.WriteRequest(requests, request);
        requests.Position = 0;
        var answers = new MemoryStream();
        Assert.Equal(0, DicomWorker.Serve(requests, answers));
        return answers.ToArray();
    }

    /// <summary>A CT-like int16 series (RLE, MONOCHROME1, Modality LUT) of <paramref name="shape"/>, its files in slice order.</summary>
    public static string[] Series(string name, GridShape? shape = null, DicomTransferSyntax syntax = DicomTransferSyntax.RleLossless)
    {
        var dir = TestData.TempDir(name);
        var volume = DicomFixtures.Volume(scaling: DicomFixtures.CtScaling, shape: shape);
        return [.. DicomWriter.WriteSeries(dir, volume, new DicomWriteOptions { TransferSyntax = syntax, PatientId = $"P-{name}", Monochrome1 = true, Seed = name })];
    }

    /// <summary>
    /// One slice file of a series whose RLE stream is damaged so that GDCM's codec fails on it (a corrupt-pixel-data reject,
    /// not a crash): 15 segments declared where one 16-bit sample has 2 (PS3.5 G.3.1).
    /// </summary>
    public static string DamagedRle(string name)
    {
        var path = DicomWriter.WriteSeries(TestData.TempDir(name), DicomFixtures.Volume(shape: new GridShape(8, 6, 1)),
            new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.RleLossless, Seed = name })[0];
        var bytes = File.ReadAllBytes(path);
        byte[] emptyItem = [0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0];
        var fragment = bytes.AsSpan().IndexOf(emptyItem) + emptyItem.Length;
        Assert.Equal(2, BitConverter.ToInt32(bytes, fragment + 8));
        BitConverter.GetBytes(15).CopyTo(bytes, fragment + 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Everything a reader hands back is the same, voxels byte for byte, affine to the last bit.</summary>
    public static void AssertSame(DicomVolume expected, DicomVolume actual)
    {
        var (e, a) = (expected.Volume, actual.Volume);
        Assert.Equal((e.VoxelType, e.Shape, e.Scaling), (a.VoxelType, a.Shape, a.Scaling));
        Assert.Equal(e.Affine, a.Affine);
        for (var k = 0; k < e.Shape.Nk; k++)
            Assert.True(SeriesFeed.StoredSlice(e, k).SequenceEqual(SeriesFeed.StoredSlice(a, k)), $"slice {k} differs");
        Assert.Equal(expected with { Volume = a, Colour = actual.Colour, SourceFiles = actual.SourceFiles, SliceSpacing = actual.SliceSpacing }, actual);
        Assert.Equal(expected.SourceFiles, actual.SourceFiles);
        Assert.Equal(expected.SliceSpacing, actual.SliceSpacing);
        Assert.Equal(expected.Colour is null, actual.Colour is null);
        if (expected.Colour is { } c)
        {
            Assert.Equal(c with { Rgb = [] }, actual.Colour! with { Rgb = [] });
            Assert.Equal(c.Rgb, actual.Colour!.Rgb);
        }
    }

    /// <summary>Masks equal region by region, voxel by voxel.</summary>
    public static void AssertSame(StructurePairing expected, StructurePairing actual)
    {
        AssertSame(expected.Series, actual.Series);
        Assert.Equal(expected.Summary with { ReferencedSeriesUids = [], Regions = [], ReferencedFrames = [] }, actual.Summary with { ReferencedSeriesUids = [], Regions = [], ReferencedFrames = [] });
        Assert.Equal(expected.Summary.ReferencedSeriesUids, actual.Summary.ReferencedSeriesUids);
        Assert.Equal(expected.Summary.Regions, actual.Summary.Regions);
        Assert.Equal(expected.Summary.ReferencedFrames, actual.Summary.ReferencedFrames);
        Assert.Equal(expected.Masks.Select(m => m.Region), actual.Masks.Select(m => m.Region));
        for (var m = 0; m < expected.Masks.Count; m++)
        {
            var (e, a) = ((Volume<byte>)expected.Masks[m].Map.Volume, (Volume<byte>)actual.Masks[m].Map.Volume);
            Assert.Equal(e.Grid, a.Grid);
            Assert.True(e.StoredVoxels.SequenceEqual(a.StoredVoxels), $"mask {m} differs");
        }
    }
}

/// <summary>A consumer that writes down each call (and a copy of each slice) and assembles the series as a build does.</summary>
public sealed class RecordingConsumer : ISeriesConsumer<DecodedSeries>
{
    private readonly WholeSeriesAssembler _whole = new();

    public List<string> Calls { get; } = [];

    public List<byte[]> Slices { get; } = [];

    public SeriesHeader? Header { get; private set; }

    public void Begin(SeriesHeader header)
    {
        lock (Calls) Calls.Add("begin");
        Header = header;
        _whole.Begin(header);
    }

    public void Slice(int k, ReadOnlySpan<byte> stored)
    {
        lock (Calls)
        {
            Calls.Add($"slice {k}");
            Slices.Add(stored.ToArray());
        }
        _whole.Slice(k, stored);
    }

    public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb)
    {
        lock (Calls) Calls.Add($"colour from row {firstRow}");
        _whole.ColourRows(firstRow, rgb);
    }

    public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values)
    {
        lock (Calls) Calls.Add($"mask {mask} slice {k}{(values.IsEmpty ? " (empty)" : "")}");
        _whole.MaskSlice(mask, k, values);
    }

    public DecodedSeries Complete()
    {
        lock (Calls) Calls.Add("complete");
        return _whole.Complete();
    }
}

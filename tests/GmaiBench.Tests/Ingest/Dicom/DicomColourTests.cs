using GmaiBench.Imaging.Colour;
using GmaiBench.Catalog;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Regions;
using GmaiBench.Ingest.Volumes;
using GmaiBench.Model;
using GmaiBench.Sources;
using GmaiBench.Sources.Layouts;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>Colour DICOM to RGB: each photometric interpretation and planar configuration, native and compressed, with the RGB known in the test.</summary>
public class DicomColourTests
{
    /// <summary>An 8 x 8 RGB test card: every pixel different (J2K needs at least 8 x 8).</summary>
    private static byte[] Card()
    {
        var rgb = new byte[8 * 8 * 3];
        for (var n = 0; n < 64; n++)
        {
            rgb[n * 3] = (byte)(n * 4);
            rgb[n * 3 + 1] = (byte)(255 - n * 3);
            rgb[n * 3 + 2] = (byte)(n * 57 % 256);
        }
        return rgb;
    }

    private static DicomDataSet Colour(string photometric, int columns, int rows, byte[] samples, int planar = 0, int frames = 1, int bits = 8) =>
        HandBuiltDicom.Image(HandBuiltDicom.SecondaryCapture, "XC", columns, rows, frames, photometric, 3, bits, bits, 0)
            .UShort(0x0028, 0x0006, (ushort)planar).Pixels(samples, bits);

    private static RgbFrame Read(string path) => DicomReader.ReadFile(path).Colour ?? throw new InvalidOperationException("not read as colour");

    [Theory]
    [InlineData(DicomEncoding.ExplicitVrLittleEndian, 0)]
    [InlineData(DicomEncoding.ExplicitVrLittleEndian, 1)]
    [InlineData(DicomEncoding.ImplicitVrLittleEndian, 1)]
    [InlineData(DicomEncoding.ExplicitVrBigEndian, 0)]
    [InlineData(DicomEncoding.ExplicitVrBigEndian, 1)]
    public void Native_RGB_by_pixel_or_by_plane_reads_to_the_same_RGB(DicomEncoding encoding, int planar)
    {
        var card = Card();
        var path = HandBuiltDicom.Write(Colour("RGB", 8, 8, planar == 1 ? ColourSamples.ToPlanes(card) : card, planar), "rgb.dcm", encoding);
        var frame = Read(path);
        Assert.Equal((8, 8, 0, 1, "RGB"), (frame.Width, frame.Height, frame.Frame, frame.FrameCount, frame.Photometric));
        Assert.Equal(card, frame.Rgb);
    }

    [Fact]
    public void Sixteen_bit_RGB_keeps_the_top_eight_bits()
    {
        var card = Card();
        var path = HandBuiltDicom.Write(Colour("RGB", 8, 8, HandBuiltDicom.Samples16(card.Select(b => b << 8 | 0x7F)), bits: 16), "rgb16.dcm", DicomEncoding.ExplicitVrBigEndian);
        Assert.Equal(card, Read(path).Rgb);
    }

    /// <summary>Y, Cb, Cr and the RGB PS3.3 C.7.6.3.1.2's formula gives for them, worked out by hand.</summary>
    private static readonly (byte Y, byte Cb, byte Cr, byte R, byte G, byte B)[] Ybr =
    [
        (100, 128, 128, 100, 100, 100),
        (76, 85, 255, 254, 0, 0),
        (150, 44, 21, 0, 255, 1),
        (29, 255, 107, 0, 0, 254),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void YBR_FULL_converts_to_RGB_by_the_standard_formula(int planar)
    {
        var ybr = Ybr.SelectMany(p => new[] { p.Y, p.Cb, p.Cr }).ToArray();
        var path = HandBuiltDicom.Write(Colour("YBR_FULL", 2, 2, planar == 1 ? ColourSamples.ToPlanes(ybr) : ybr, planar), "ybr.dcm");
        Assert.Equal(Ybr.SelectMany(p => new[] { p.R, p.G, p.B }), Read(path).Rgb);
    }

    [Fact]
    public void YBR_FULL_422_shares_each_pair_of_pixels_chroma()
    {
        // Two pairs: (Y1, Y2, Cb, Cr) = (100, 200, 128, 128) and (76, 76, 85, 255); stored 4 bytes per 2 pixels.
        byte[] stored = [100, 200, 128, 128, 76, 76, 85, 255];
        var path = HandBuiltDicom.Write(Colour("YBR_FULL_422", 4, 1, stored), "ybr422.dcm");
        Assert.Equal(new byte[] { 100, 100, 100, 200, 200, 200, 254, 0, 0, 254, 0, 0 }, Read(path).Rgb);

        var odd = HandBuiltDicom.Write(Colour("YBR_FULL_422", 3, 1, [1, 2, 3, 4, 5, 6]), "odd.dcm");
        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(odd));
        Assert.Equal((DicomRejects.CorruptHeader, "odd.dcm is YBR_FULL_422 with 3 columns; its chroma pairs need an even number"), (e.Reason, e.Message));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void PALETTE_COLOR_maps_indices_through_the_tables_and_clamps_outside_them(int bitsAllocated)
    {
        // Four entries from index 10; 16-bit entries (the high byte is the 8-bit colour).
        ushort[] red = [0x0000, 0xFF00, 0x8000, 0x1234], green = [0x0100, 0x0200, 0x0300, 0x0400], blue = [0xFFFF, 0x0000, 0x7F00, 0x8000];
        int[] indices = [10, 11, 12, 13, 9, 200];
        var pixels = bitsAllocated == 8 ? indices.Select(i => (byte)i).ToArray() : HandBuiltDicom.Samples16(indices);
        var d = HandBuiltDicom.Image(HandBuiltDicom.SecondaryCapture, "XC", 3, 2, 1, "PALETTE COLOR", 1, bitsAllocated, bitsAllocated, 0);
        foreach (var (descriptor, data, table) in new (ushort, ushort, ushort[])[] { (0x1101, 0x1201, red), (0x1102, 0x1202, green), (0x1103, 0x1203, blue) })
        {
            d.Binary(0x0028, descriptor, "US", HandBuiltDicom.Samples16([4, 10, 16]), 2);
            d.Binary(0x0028, data, "OW", HandBuiltDicom.Samples16(table.Select(v => (int)v)), 2);
        }
        var path = HandBuiltDicom.Write(d.Pixels(pixels, bitsAllocated), "palette.dcm", DicomEncoding.ExplicitVrBigEndian);
        Assert.Equal(new byte[]
        {
            0, 1, 255,   255, 2, 0,   128, 3, 127,   18, 4, 128,
            0, 1, 255,   18, 4, 128,   // below the first mapped value: entry 0; beyond the table: its last entry
        }, Read(path).Rgb);
    }

    [Fact]
    public void A_colour_cine_gives_its_middle_frame_or_the_representative_frame_it_names()
    {
        var frames = Enumerable.Range(0, 3).SelectMany(f => Enumerable.Range(0, 4).SelectMany(_ => new[] { (byte)(f * 80), (byte)0, (byte)7 })).ToArray();
        var cine = Colour("RGB", 2, 2, frames, frames: 3);
        var middle = Read(HandBuiltDicom.Write(cine, "cine.dcm"));
        Assert.Equal((1, 3), (middle.Frame, middle.FrameCount));
        Assert.Equal(80, middle.Rgb[0]);
        var named = Read(HandBuiltDicom.Write(cine.UShort(0x0028, 0x6010, 3), "cine-rep.dcm"));
        Assert.Equal((2, 160), (named.Frame, (int)named.Rgb[0]));
    }

    public static TheoryData<string, int, DicomTransferSyntax> Compressed() => new()
    {
        { "RGB", 0, DicomTransferSyntax.RleLossless },
        { "RGB", 1, DicomTransferSyntax.RleLossless },
        { "RGB", 0, DicomTransferSyntax.JpegLossless },
        { "RGB", 1, DicomTransferSyntax.JpegLsLossless },
        { "YBR_FULL", 0, DicomTransferSyntax.RleLossless },
        { "YBR_FULL", 1, DicomTransferSyntax.JpegLsLossless },
        { "RGB", 0, DicomTransferSyntax.DeflatedExplicitVrLittleEndian },
    };

    /// <summary>Compressed by GDCM's encoders from a hand-built file; decoded colour equals what the native file gives.</summary>
    [Theory]
    [MemberData(nameof(Compressed))]
    public void Compressed_colour_decodes_to_the_RGB_of_the_native_file(string photometric, int planar, DicomTransferSyntax syntax)
    {
        var card = Card();
        var native = HandBuiltDicom.Write(Colour(photometric, 8, 8, planar == 1 ? ColourSamples.ToPlanes(card) : card, planar), "native.dcm");
        var expected = Read(native).Rgb;
        var compressed = HandBuiltDicom.Compress(native, syntax, "compressed.dcm");
        var read = DicomReader.ReadFile(compressed).Colour!;
        Assert.Equal(expected, read.Rgb);
        if (photometric == "RGB") Assert.Equal(card, read.Rgb);
    }

    [Fact]
    public void Colour_comes_back_from_the_child_process_and_becomes_one_RGB_image_item_labelled_by_the_table()
    {
        var root = TestData.TempDir("colour-source");
        var card = Card();
        Directory.CreateDirectory(Path.Combine(root, "series", "us"));
        HandBuiltDicom.Write(Colour("RGB", 8, 8, ColourSamples.ToPlanes(card), planar: 1).Text(0x0008, 0x0060, "CS", "US"), "probe.dcm", dir: Path.Combine(root, "series", "us"));
        File.WriteAllText(Path.Combine(root, "table.csv"), "path,finding\nus/probe.dcm,gallstone\n");
        var volume = new VolumeOptions(null, ["axial"], 0, 0);
        var source = new SourceDefinition
        {
            Id = "us", Name = "U", License = "MIT", Layout = LayoutRegistry.Find("dicom")!, Root = root, Modality = "US", Task = "DD",
            Options = new DicomOptions("series", "", new Dictionary<int, string>(), volume) { Table = new LabelTableOptions("table.csv", "path", "finding", ";", null, "series") },
        };
        var item = Assert.Single(new DicomLayout().Discover(source).Items);
        var store = new ObjectStore(Path.Combine(root, "objects"));
        var outcome = new VolumeStage(new ImageSettings(), new RegionSettings(), new PromptStyle(), store, new Dictionary<string, string> { ["us"] = "US" })
            .Run(item, new DicomLayout(), "fp");
        var only = Assert.Single(outcome.Cases);
        Assert.Equal(("us/series/us/probe.dcm/frame/0000", Granularity.Image, "CLS_2D"), (only.Key, only.Granularity, only.OriginalTask));
        Assert.Equal(["gallstone"], only.RawLabels);
        using var stored = Image.Load<Rgb24>(store.Get(only.ImageSha));
        for (var n = 0; n < 64; n++) Assert.Equal(new Rgb24(card[n * 3], card[n * 3 + 1], card[n * 3 + 2]), stored[n % 8, n / 8]);
    }

    [Fact]
    public void Colour_files_in_a_series_and_unsupported_colour_spaces_are_named_rejects()
    {
        var dir = TestData.TempDir("colour-rejects");
        var a = HandBuiltDicom.Write(Colour("RGB", 2, 2, new byte[12]), "a.dcm", dir: dir);
        var b = HandBuiltDicom.Write(Colour("RGB", 2, 2, new byte[12]).Text(0x0008, 0x0018, "UI", "1.2.3.4"), "b.dcm", dir: dir);
        var series = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadSeries([a, b]));
        Assert.Equal(DicomRejects.ColourSeries, series.Reason);
        var partial = HandBuiltDicom.Write(Colour("YBR_PARTIAL_420", 2, 2, new byte[12]), "partial.dcm", dir: dir);
        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(partial));
        Assert.Equal(DicomRejects.UnsupportedPhotometric, e.Reason);
        Assert.StartsWith("partial.dcm is YBR_PARTIAL_420 with 3 samples per pixel", e.Message);
    }
}

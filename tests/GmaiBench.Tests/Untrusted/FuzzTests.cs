using System.Text.RegularExpressions;
using GmaiBench.Imaging.Colour;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;
using GmaiBench.Sources;
using GmaiBench.Sources.Layouts;
using GmaiBench.Tests.Ingest.Dicom;
using GmaiBench.Tests.Ingest.Nifti;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace GmaiBench.Tests.Untrusted;

/// <summary>
/// Mutates a valid file of each supported format (flipped bytes, cuts, inserted runs, a scrambled header) and reads every
/// mutant as a build would: nothing may crash or hang, and every reject message must be written for a person (no exception
/// type names, no runtime text). The suite runs a few dozen mutants per format; <c>scripts/fuzz N</c> runs N
/// (GMAI_FUZZ_MUTANTS), e.g. 200 or more.
/// </summary>
public partial class FuzzTests(ITestOutputHelper output)
{
    private static int Mutants => int.TryParse(Environment.GetEnvironmentVariable("GMAI_FUZZ_MUTANTS"), out var n) && n > 0 ? n : 24;

    /// <summary>Phrases of the .NET runtime and of exception names that must never reach a person.</summary>
    [GeneratedRegex(@"Exception\b|Sequence contains|Nullable object|Index was outside|Object reference not set|Arithmetic operation|Specified argument|" +
                    @"Value cannot be null|Parameter '|Unable to cast|unsupported compression method|Input string was not|Non-negative number|" +
                    @"Offset and length|Destination array|must be non-negative|out of range|System\.|-2147483648")]
    private static partial Regex RawText();

    private static byte[] Encode<T>(Image<T> image, SixLabors.ImageSharp.Formats.IImageEncoder encoder) where T : unmanaged, IPixel<T>
    {
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        return ms.ToArray();
    }

    private static Image<T> Gradient<T>(int w, int h, Func<int, int, T> pixel) where T : unmanaged, IPixel<T>
    {
        var img = new Image<T>(w, h);
        for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) img[x, y] = pixel(x, y);
        return img;
    }

    public static IEnumerable<object[]> Rasters()
    {
        using var rgb = Gradient(48, 40, (x, y) => new Rgb24((byte)(x * 5), (byte)(y * 6), (byte)(x ^ y)));
        using var wide = Gradient(40, 32, (x, y) => new Rgba64((ushort)(x * 1500), (ushort)(y * 2000), 700, (ushort)(65535 - x * 100)));
        yield return ["png8", Encode(rgb, new PngEncoder())];
        yield return ["png16", Encode(wide, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.RgbWithAlpha })];
        yield return ["jpeg", Encode(rgb, new JpegEncoder { Quality = 90 })];
        yield return ["bmp", Encode(rgb, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 })];
        yield return ["tiff", Encode(rgb, new TiffEncoder())];
    }

    /// <summary>The n-th mutant of <paramref name="original"/>: deterministic in (format, n).</summary>
    private static byte[] Mutate(byte[] original, string format, int n)
    {
        var rng = Prng.For(20261130, format, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bytes = original.ToList();
        switch (n % 4)
        {
            case 0:
                for (var k = 1 + rng.NextInt(8); k > 0; k--) { var at = rng.NextInt(bytes.Count); bytes[at] ^= (byte)(1 << rng.NextInt(8)); }
                break;
            case 1:
                var keep = rng.NextInt(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            case 2:
                var pos = rng.NextInt(bytes.Count);
                bytes.InsertRange(pos, Enumerable.Range(0, 1 + rng.NextInt(64)).Select(_ => (byte)rng.NextInt(256)));
                break;
            default:
                for (var k = 0; k < 16; k++) bytes[Math.Min(bytes.Count - 1, 8 + rng.NextInt(Math.Min(120, bytes.Count)))] = (byte)rng.NextInt(256);
                break;
        }
        return [.. bytes];
    }

    private static async Task<string?> Outcome(Func<string?> read)
    {
        // A hang fails the test through the time limit; any exception but a reject is a crash.
        return await Task.Run(() =>
        {
            try { return read(); }
            catch (ItemRejectedException e) { return $"{e.Reason}: {e.Message}"; }
        }).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void Check(string format, List<string> messages, int mutants)
    {
        var raw = messages.Where(m => RawText().IsMatch(m)).Distinct().ToList();
        output.WriteLine($"{format}: {mutants} mutants, {messages.Count} rejected, {raw.Count} raw message(s)");
        Assert.True(raw.Count == 0, $"{format}: messages with runtime text:\n" + string.Join("\n", raw));
    }

    [Theory]
    [MemberData(nameof(Rasters))]
    public async Task Raster_mutants_never_crash_and_every_message_reads_well(string format, byte[] original)
    {
        var settings = new ImageSettings { MaxSide = 64, MemoryLimitMegabytes = 64 };
        var messages = new List<string>();
        for (var n = 0; n < Mutants; n++)
        {
            var mutant = Mutate(original, format, n);
            var message = await Outcome(() => { RasterDecoder.Decode(mutant, settings); return null; });
            if (message is not null) messages.Add(message);
        }
        Check(format, messages, Mutants);
    }

    [Theory]
    [InlineData("nii")]
    [InlineData("nii.gz")]
    public async Task Nifti_mutants_never_crash_and_every_message_reads_well(string extension)
    {
        var dir = TestData.TempDir("fuzz-nifti");
        var good = Path.Combine(dir, $"good.{extension}");
        NiftiFixtures.Write(good, NiftiFixtures.Make(VoxelType.Int16), new NiftiWriteOptions());
        var original = File.ReadAllBytes(good);
        var messages = new List<string>();
        for (var n = 0; n < Mutants; n++)
        {
            var path = Path.Combine(dir, $"m{n}.{extension}");
            File.WriteAllBytes(path, Mutate(original, extension, n));
            var message = await Outcome(() => { NiftiReader.Read(path, new NiftiReadOptions { MaxVoxelBytes = 64 << 20 }); return null; });
            if (message is not null) messages.Add(message);
        }
        Check(extension, messages, Mutants);
    }

    [Theory]
    [InlineData("coco")]
    [InlineData("csv")]
    public async Task Annotation_mutants_are_accounted_for_and_every_message_reads_well(string kind)
    {
        var root = TestData.TempDir($"fuzz-{kind}");
        Directory.CreateDirectory(Path.Combine(root, "img"));
        using (var img = new Image<Rgb24>(16, 16, new Rgb24(9, 99, 199))) img.SaveAsPng(Path.Combine(root, "img", "a.png"));
        var original = kind == "coco"
            ? """{"images": [{"id": 1, "file_name": "a.png", "width": 16, "height": 16}], "annotations": [{"id": 7, "image_id": 1, "category_id": 2, "bbox": [1, 2, 5, 6]}], "categories": [{"id": 2, "name": "cell"}]}"""u8.ToArray()
            : "file,label,patient\na.png,normal,p1\nb.png,\"pneumonia\",p2\n"u8.ToArray();
        var messages = new List<string>();
        for (var n = 0; n < Mutants; n++)
        {
            var file = kind == "coco" ? "ann.json" : "labels.csv";
            File.WriteAllBytes(Path.Combine(root, file), Mutate(original, kind, n));
            var source = new SourceDefinition
            {
                Id = "src", Name = "S", License = "MIT", Layout = LayoutRegistry.Find(kind == "coco" ? "coco" : "csv-labels")!, Root = root,
                Modality = "CT", Task = "DD",
                Options = kind == "coco" ? new CocoOptions(file, "img") : new CsvLabelsOptions(file, "file", "label", ";", "patient", "img"),
            };
            var discovery = await Task.Run(() => source.Layout.Discover(source)).WaitAsync(TimeSpan.FromSeconds(30));
            messages.AddRange(discovery.Rejects.Select(r => $"{r.Reason}: {r.Message}"));
            Assert.All(discovery.Rejects, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        }
        Check(kind, messages, Mutants);
    }

    /// <summary>
    /// The DICOM objects of issue 13, written by the project (<see cref="DicomDataSet"/>, <see cref="StructureWriter"/>):
    /// colour images native and compressed, and structure objects paired with an intact series. Colour and grey series
    /// are the files mutated for the image formats; for rtstruct, seg and seg-colour the structure object is.
    /// </summary>
    public static TheoryData<string> DicomFormats() => ["colour-rgb", "colour-ybr422", "colour-palette", "colour-jpeg", "colour-j2k", "rtstruct", "seg", "seg-colour"];

    /// <summary>A 16 x 12 colour frame (J2K needs 8 x 8 at least).</summary>
    private static byte[] ColourCard()
    {
        var rgb = new byte[16 * 12 * 3];
        for (var n = 0; n < 16 * 12; n++) (rgb[n * 3], rgb[n * 3 + 1], rgb[n * 3 + 2]) = ((byte)(n * 3), (byte)(200 - n % 16 * 9), (byte)(n / 16 * 20));
        return rgb;
    }

    private static DicomDataSet ColourHeader(string photometric, int samples) =>
        HandBuiltDicom.Image(HandBuiltDicom.SecondaryCapture, "ES", 16, 12, 1, photometric, samples, 8, 8, 0, seed: "fuzz-colour");

    /// <summary>The valid original of <paramref name="format"/> in <paramref name="dir"/>, the files beside it it is read with, and which one is mutated.</summary>
    private static (string Mutated, List<string> Series, string? Structure) DicomOriginal(string format, string dir)
    {
        var card = ColourCard();
        string Colour(DicomDataSet d, string name, string? syntax = null)
        {
            var path = Path.Combine(dir, name);
            if (syntax is null) d.WriteFile(path);
            else d.WriteFile(path, syntax);
            return path;
        }
        switch (format)
        {
            case "colour-rgb":
                var rgb = Colour(ColourHeader("RGB", 3).UShort(0x0028, 0x0006, 1).Pixels(ColourSamples.ToPlanes(card), 8), "rgb.dcm");
                return (rgb, [rgb], null);
            case "colour-ybr422":
                var stored = new byte[card.Length / 3 * 2];
                for (var n = 0; n < stored.Length; n++) stored[n] = card[n];
                var ybr = Colour(ColourHeader("YBR_FULL_422", 3).Pixels(stored, 8), "ybr.dcm");
                return (ybr, [ybr], null);
            case "colour-palette":
                var palette = ColourHeader("PALETTE COLOR", 1);
                for (var c = 0; c < 3; c++)
                {
                    palette.Binary(0x0028, (ushort)(0x1101 + c), "US", [0, 1, 0, 0, 16, 0], 2);
                    palette.Binary(0x0028, (ushort)(0x1201 + c), "OW", Enumerable.Range(0, 256).SelectMany(i => new[] { (byte)0, (byte)(i * (c + 1)) }).ToArray(), 2);
                }
                var indexed = Colour(palette.Pixels(card.Take(16 * 12).ToArray(), 8), "palette.dcm");
                return (indexed, [indexed], null);
            case "colour-jpeg":
                using (var image = Image.LoadPixelData<Rgb24>(card, 16, 12))
                {
                    var jpeg = Colour(ColourHeader("YBR_FULL_422", 3).Encapsulated(Encode(image, new JpegEncoder { Quality = 85, ColorType = JpegColorType.YCbCrRatio420 })),
                        "jpeg.dcm", "1.2.840.10008.1.2.4.50");
                    return (jpeg, [jpeg], null);
                }
            case "colour-j2k":
                var native = Colour(ColourHeader("RGB", 3).Pixels(card, 8), "native.dcm");
                var j2k = HandBuiltDicom.Compress(native, DicomTransferSyntax.Jpeg2000Lossless, "j2k.dcm");
                File.Delete(native);
                return (j2k, [j2k], null);
            case "seg-colour":
                var photo = Colour(ColourHeader("RGB", 3).Pixels(card, 8), "photo.dcm");
                var image0 = new ReferencedImage("P-H", DicomUid.FromSeed("fuzz-colour/study"), DicomUid.FromSeed("fuzz-colour/series"), HandBuiltDicom.SecondaryCapture,
                    DicomUid.FromSeed("fuzz-colour/instance"), 16, 12);
                var colourSeg = Path.Combine(dir, "SEG.dcm");
                StructureWriter.WriteImageSegmentation(colourSeg, image0,
                    [(new SegmentVoxels(1, "lesion", "Polyp", Enumerable.Range(0, 16 * 12).Select(n => n % 16 is > 3 and < 11 && n / 16 is > 2 and < 9).ToArray()), 0)], "fuzz-seg-colour");
                return (colourSeg, [photo], colourSeg);
            default:
                var options = new DicomWriteOptions { PatientId = "P-FUZZ", Seed = "fuzz-" + format };
                var volume = DicomFixtures.Volume();
                var series = DicomWriter.WriteSeries(Path.Combine(dir, "ct"), volume, options).ToList();
                var referenced = ReferencedSeries.Of(volume, options);
                var structure = Path.Combine(dir, format == "rtstruct" ? "RS.dcm" : "SEG.dcm");
                if (format == "rtstruct")
                {
                    StructureWriter.WriteRtStruct(structure, referenced,
                        [new RoiContours(1, "Liver", [new ContourPolygon(2, [(1, 1), (5, 1), (5, 4), (1, 4)])]), new RoiContours(2, "Spleen", [new ContourPolygon(3, [(0, 0), (4, 0), (0, 4)])])], "fuzz-rs");
                }
                else
                {
                    var inside = new bool[volume.Shape.VoxelCount];
                    for (var n = 0; n < inside.Length; n++) inside[n] = n % 8 > 3 && n / 48 is 1 or 2;
                    StructureWriter.WriteSegmentation(structure, referenced, [new SegmentVoxels(1, "Segment_1", "Kidney", inside)], "fuzz-seg");
                }
                return (structure, series, structure);
        }
    }

    /// <summary>
    /// Colour DICOM, RT Structure Sets and Segmentations, each mutant read as a build reads it: in the decoder child
    /// (an abort there is a decoder-crashed reject of that item; one of the test process would fail the run).
    /// </summary>
    [Theory]
    [MemberData(nameof(DicomFormats))]
    public async Task Dicom_mutants_never_crash_and_every_message_reads_well(string format)
    {
        var dir = TestData.TempDir($"fuzz-{format}");
        var (mutated, series, structure) = DicomOriginal(format, dir);
        var original = File.ReadAllBytes(mutated);
        // As a build reads them: through a pool's long-lived child, which an abort replaces before the next mutant.
        using var pool = DicomWorker.OpenPool(1);
        Assert.NotNull(pool);
        // The original itself reads: the mutants start from a file that works.
        Assert.Null(await Outcome(() => Read(series, structure)));
        var outcomes = new List<string?>();
        for (var n = 0; n < Mutants; n++)
        {
            File.WriteAllBytes(mutated, Mutate(original, format, n));
            outcomes.Add(await Outcome(() => Read(series, structure)));
        }
        var messages = outcomes.OfType<string>().ToList();
        var aborts = messages.Count(m => m.StartsWith("decoder-crashed", StringComparison.Ordinal));
        var timeouts = messages.Count(m => m.StartsWith("decoder-timeout", StringComparison.Ordinal));
        output.WriteLine($"{format}: {aborts} decoder child abort(s), {timeouts} time-out(s), all named rejects; {pool.ChildrenStarted} child(ren) started");
        // One child, a fresh one after each mutant that killed or stopped it, and after some other rejects (GDCM failed on
        // the mutant, so the child retired); never after a mutant that decoded.
        static bool Lost(string? m) => m is not null && (m.StartsWith("decoder-crashed", StringComparison.Ordinal) || m.StartsWith("decoder-timeout", StringComparison.Ordinal));
        Assert.InRange(pool.ChildrenStarted, 1 + outcomes.SkipLast(1).Count(Lost), 1 + outcomes.SkipLast(1).Count(m => m is not null));
        Check(format, messages, Mutants);
    }

    private static string? Read(List<string> series, string? structure)
    {
        if (structure is null) DicomWorker.ReadSeries(series, TimeSpan.FromSeconds(20), 64 << 20);
        else DicomWorker.ReadStructures(structure, series, TimeSpan.FromSeconds(20), 64 << 20);
        return null;
    }
}

using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Imaging.Colour;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Volumes;
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

/// <summary>
/// Segmentations of colour images (an endoscopy, dermoscopy or pathology lesion): the segment lands on the RGB frame it
/// derives from, read in the decoder child with the image, and becomes mask, contour and box items over the RGB image.
/// </summary>
public class ColourStructureTests
{
    private const int W = 12, H = 10;

    /// <summary>A colour frame: a warm background, its own shade per frame so the frame shown can be told.</summary>
    private static byte[] Frame(int frame)
    {
        var rgb = new byte[W * H * 3];
        for (var n = 0; n < W * H; n++)
        {
            rgb[n * 3] = (byte)(180 + frame * 20);
            rgb[n * 3 + 1] = (byte)(60 + n % W * 5);
            rgb[n * 3 + 2] = (byte)(40 + n / W * 6);
        }
        return rgb;
    }

    /// <summary>The lesion: pixels inside the ellipse around (5, 4), as the segment is drawn (row by row).</summary>
    private static bool[] Lesion(double cx = 5, double cy = 4)
    {
        var inside = new bool[W * H];
        for (var y = 0; y < H; y++)
        for (var x = 0; x < W; x++)
            inside[y * W + x] = (x - cx) * (x - cx) / 9.0 + (y - cy) * (y - cy) / 6.0 <= 1;
        return inside;
    }

    /// <summary>A colour image without patient geometry (secondary capture or video endoscopic), in <paramref name="dir"/>.</summary>
    private static (string Path, ReferencedImage Image) ColourImage(string dir, int frames = 1, string name = "scope.dcm", string photometric = "RGB")
    {
        var sopClass = frames > 1 ? "1.2.840.10008.5.1.4.1.1.77.1.1.1" : HandBuiltDicom.SecondaryCapture;
        var rgb = Enumerable.Range(0, frames).SelectMany(Frame).ToArray();
        var d = new DicomDataSet()
            .Text(0x0008, 0x0016, "UI", sopClass)
            .Text(0x0008, 0x0018, "UI", DicomUid.FromSeed(dir + "/instance"))
            .Text(0x0008, 0x0060, "CS", "ES")
            .Text(0x0010, 0x0020, "LO", "P-SCOPE")
            .Text(0x0020, 0x000D, "UI", DicomUid.FromSeed(dir + "/study"))
            .Text(0x0020, 0x000E, "UI", DicomUid.FromSeed(dir + "/series"))
            .UShort(0x0028, 0x0002, 3).Text(0x0028, 0x0004, "CS", photometric).UShort(0x0028, 0x0006, (ushort)(photometric == "RGB" ? 1 : 0))
            .UShort(0x0028, 0x0010, H).UShort(0x0028, 0x0011, W)
            .UShort(0x0028, 0x0100, 8).UShort(0x0028, 0x0101, 8).UShort(0x0028, 0x0102, 7).UShort(0x0028, 0x0103, 0)
            .Pixels(photometric == "RGB" ? PlanesPerFrame(rgb, frames) : ToYbr(rgb), 8);
        if (frames > 1) d.Integer(0x0028, 0x0008, frames);
        var path = HandBuiltDicom.Write(d, name, dir: dir);
        return (path, new ReferencedImage("P-SCOPE", DicomUid.FromSeed(dir + "/study"), DicomUid.FromSeed(dir + "/series"), sopClass,
            DicomUid.FromSeed(dir + "/instance"), W, H, frames));
    }

    /// <summary>Planar configuration 1 per frame (R plane, G plane, B plane, then the next frame).</summary>
    private static byte[] PlanesPerFrame(byte[] rgb, int frames) =>
        Enumerable.Range(0, frames).SelectMany(f => ColourSamples.ToPlanes(rgb.AsSpan(f * W * H * 3, W * H * 3).ToArray())).ToArray();

    /// <summary>Full-range BT.601 YCbCr, rounded.</summary>
    private static byte[] ToYbr(byte[] rgb)
    {
        static byte B(double v) => (byte)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, 255);
        var ybr = new byte[rgb.Length];
        for (var n = 0; n < rgb.Length; n += 3)
        {
            double r = rgb[n], g = rgb[n + 1], b = rgb[n + 2];
            (ybr[n], ybr[n + 1], ybr[n + 2]) = (B(0.299 * r + 0.587 * g + 0.114 * b), B(-0.168736 * r - 0.331264 * g + 0.5 * b + 128), B(0.5 * r - 0.418688 * g - 0.081312 * b + 128));
        }
        return ybr;
    }

    private static bool[] Inside(StructureMask mask)
    {
        var v = (Volume<byte>)mask.Map.Volume;
        Assert.Equal(new GridShape(W, H, 1), v.Shape);
        return v.StoredVoxels.ToArray().Select(b => b == 1).ToArray();
    }

    [Fact]
    public void A_segmentation_of_a_colour_image_lands_on_it_pixel_for_pixel_through_its_derivation_reference()
    {
        var dir = TestData.TempDir("colour-seg");
        var (image, reference) = ColourImage(dir);
        var lesion = Lesion();
        var seg = Path.Combine(dir, "SEG_lesion.dcm");
        StructureWriter.WriteImageSegmentation(seg, reference, [(new SegmentVoxels(1, "Segment_1", "Polyp", lesion), 0)], "colour-seg");

        foreach (var pairing in new[] { StructureObjects.Pair(seg, [image]), DicomWorker.ReadStructures(seg, [image], TimeSpan.FromMinutes(1)) })
        {
            Assert.Equal(Frame(0), pairing.Series.Colour!.Rgb);
            Assert.Equal([new StructureRegion(1, "Polyp")], pairing.Summary.Regions);
            var mask = Assert.Single(pairing.Masks);
            Assert.Equal(lesion, Inside(mask));
        }
    }

    [Fact]
    public void A_cine_is_shown_at_the_frame_its_segmentation_annotates_not_its_middle_frame()
    {
        var dir = TestData.TempDir("colour-cine-seg");
        var (image, reference) = ColourImage(dir, frames: 5);
        var seg = Path.Combine(dir, "SEG_cine.dcm");
        StructureWriter.WriteImageSegmentation(seg, reference, [(new SegmentVoxels(1, "lesion", null, Lesion()), 2)], "cine-seg");
        var pairing = DicomWorker.ReadStructures(seg, [image], TimeSpan.FromMinutes(1));
        Assert.Equal((1, 5), (pairing.Series.Colour!.Frame, pairing.Series.Colour.FrameCount));   // frame 2 of 5, not the middle (3)
        Assert.Equal(Frame(1), pairing.Series.Colour.Rgb);
        Assert.Equal(Lesion(), Inside(Assert.Single(pairing.Masks)));

        // Two segments on frames 2 and 4: the later is the middle of the two frames annotated; the one on frame 2 is empty there.
        var two = Path.Combine(dir, "SEG_two.dcm");
        StructureWriter.WriteImageSegmentation(two, reference,
            [(new SegmentVoxels(1, "early", null, Lesion()), 2), (new SegmentVoxels(2, "late", null, Lesion(7, 5)), 4)], "cine-two");
        var both = StructureObjects.Pair(two, [image]);
        Assert.Equal(3, both.Series.Colour!.Frame);
        Assert.Equal([false], Inside(both.Masks[0]).Distinct());
        Assert.Equal(Lesion(7, 5), Inside(both.Masks[1]));
    }

    [Fact]
    public void Segmentations_that_do_not_name_the_colour_image_or_its_frame_and_contours_without_geometry_are_named_rejects()
    {
        var dir = TestData.TempDir("colour-seg-rejects");
        var (image, reference) = ColourImage(dir, frames: 3);
        ItemRejectedException Reject(string name, ReferencedImage r, int frame)
        {
            var path = Path.Combine(dir, name);
            StructureWriter.WriteImageSegmentation(path, r, [(new SegmentVoxels(1, "lesion", null, Lesion()), frame)], name);
            return Assert.Throws<ItemRejectedException>(() => StructureObjects.Pair(path, [image]));
        }
        var other = Reject("other.dcm", reference with { SopInstanceUid = "1.2.826.0.1.3680043.10.1465.99" }, 1);
        Assert.Equal((StructureObjects.MissingImage, "other.dcm frame 1 is drawn on image 1.2.826.0.1.3680043.10.1465.99, which is not the colour image it is paired with"), (other.Reason, other.Message));
        var unnamed = Reject("unnamed.dcm", reference, 0);
        Assert.Equal((StructureObjects.MissingImage, "unnamed.dcm frame 1 names the 3-frame image but not which frame (Referenced Frame Number)"), (unnamed.Reason, unnamed.Message));
        var beyond = Reject("beyond.dcm", reference, 7);
        Assert.Equal((StructureObjects.MissingImage, "scope.dcm has 3 frames, not frame 7 the segmentation is drawn on"), (beyond.Reason, beyond.Message));

        // An RT Structure Set is in patient millimetres: a photograph without Image Position/Orientation cannot place it.
        var rs = Path.Combine(dir, "RS.dcm");
        var series = new ReferencedSeries("P-SCOPE", reference.StudyInstanceUid, reference.SeriesInstanceUid, "", [reference.SopInstanceUid], new GridShape(W, H, 1), Affine.Identity);
        StructureWriter.WriteRtStruct(rs, series, [new RoiContours(1, "lesion", [new ContourPolygon(0, [(1, 1), (5, 1), (5, 4)])])], "rs");
        var contours = Assert.Throws<ItemRejectedException>(() => StructureObjects.Pair(rs, [image]));
        Assert.Equal(StructureObjects.NoPatientGeometry, contours.Reason);
    }

    [Theory]
    [InlineData("RGB")]
    [InlineData("YBR_FULL")]
    public void A_colour_segmentation_source_gives_mask_contour_and_box_items_marked_on_the_RGB_image(string photometric)
    {
        var root = TestData.TempDir("colour-seg-source");
        var folder = Directory.CreateDirectory(Path.Combine(root, "series", "case1")).FullName;
        var (image, reference) = ColourImage(folder, photometric: photometric);
        var lesion = Lesion();
        StructureWriter.WriteImageSegmentation(Path.Combine(folder, "SEG_lesion.dcm"), reference,
            [(new SegmentVoxels(1, "Segment_1", "Polyp", lesion), 0), (new SegmentVoxels(2, "speck", null, Lesion(10, 8).Select((b, n) => b && n == 8 * W + 10).ToArray()), 0)], "colour-source");
        var source = new SourceDefinition
        {
            Id = "scope", Name = "S", License = "MIT", Layout = LayoutRegistry.Find("dicom")!, Root = root, Modality = "Endoscopy", Task = "DD",
            Options = new DicomOptions("series", "", new Dictionary<int, string>(), new VolumeOptions(null, ["axial"], 0, 0)) { Structures = "SEG*.dcm" },
        };
        var item = Assert.Single(new DicomLayout().Discover(source).Items);
        var store = new ObjectStore(Path.Combine(root, "objects"));
        var outcome = new VolumeStage(new ImageSettings(), new RegionSettings { DeriveBoxes = true }, new PromptStyle(), store, new Dictionary<string, string> { ["scope"] = "Endoscopy" })
            .Run(item, new DicomLayout(), "fp");

        Assert.Equal(["mask", "contour", "box"], outcome.Cases.Select(c => c.Granularity.Text()));
        Assert.All(outcome.Cases, c => Assert.Equal("SEG_2D", c.OriginalTask));
        Assert.All(outcome.Cases, c => Assert.Equal(["Polyp"], c.RawLabels));
        Assert.Equal("scope/series/case1/SEG_lesion.dcm/frame/0000/Polyp/mask", outcome.Cases[0].Key);
        // The one-pixel speck is a named reject for each granularity, not an item.
        Assert.Equal(["scope/series/case1/SEG_lesion.dcm/frame/0000/speck/mask", "scope/series/case1/SEG_lesion.dcm/frame/0000/speck/contour", "scope/series/case1/SEG_lesion.dcm/frame/0000/speck/box"],
            outcome.CaseRejects.Select(r => r.Key));
        Assert.All(outcome.CaseRejects, r => Assert.Equal("target-too-small", r.Reason));

        var mask = outcome.Cases[0];
        var record = JsonSerializer.Deserialize<RegionRecord>(mask.Region!)!;
        Assert.Equal(("frame/0000", lesion.Count(b => b)), (record.Plane, record.Area));
        using var unmarked = Image.Load<Rgb24>(store.Get(record.BaseImage));
        using var marked = Image.Load<Rgb24>(store.Get(mask.ImageSha));
        var expected = Frame(0);
        var style = new PromptStyle();
        for (var y = 0; y < H; y++)
        for (var x = 0; x < W; x++)
        {
            var n = y * W + x;
            var pixel = new Rgb24(expected[n * 3], expected[n * 3 + 1], expected[n * 3 + 2]);
            // YBR_FULL round trip of 8-bit RGB: within 1 per sample.
            var base0 = unmarked[x, y];
            Assert.True(Math.Abs(base0.R - pixel.R) <= 1 && Math.Abs(base0.G - pixel.G) <= 1 && Math.Abs(base0.B - pixel.B) <= 1, $"base ({x}, {y})");
            Assert.Equal(lesion[n] ? VisualPrompt.Blend(base0, style.Colour, style.Alpha) : base0, marked[x, y]);
        }
    }
}

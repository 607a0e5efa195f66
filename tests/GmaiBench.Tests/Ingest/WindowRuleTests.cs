using GmaiBench.Catalog;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Regions;
using GmaiBench.Ingest.Volumes;
using GmaiBench.Sources;
using GmaiBench.Sources.Layouts;
using GmaiBench.Tests.Imaging.Volumes;
using GmaiBench.Tests.Ingest.Dicom;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Ingest;

/// <summary>The display window comes from the modality (DICOM Modality, else the source's), never from intensities.</summary>
public class WindowRuleTests
{
    private static readonly GridShape Shape = new(6, 5, 3);
    private static readonly Affine Grid = Affine.Diagonal(1, 1, 2);

    /// <summary>An MR-like volume whose minimum is far below -500 (a bias-corrected or float MRI): never a CT window.</summary>
    private static Volume<short> NegativeMr() => VolumeFixtures.Make<short>(Shape, Grid, (i, j, k) => -900 + 120 * i + 40 * j + k);

    private static string MrDicom(string modality)
    {
        var values = Enumerable.Range(0, 6 * 5).Select(n => -900 + 37 * n);
        var d = HandBuiltDicom.Image(HandBuiltDicom.CtImage, modality, 6, 5, 1, "MONOCHROME2", 1, 16, 16, 1, seed: modality)
            .Decimals(0x0028, 0x1050, 40).Decimals(0x0028, 0x1051, 400)
            .Pixels(HandBuiltDicom.Samples16(values), 16);
        return HandBuiltDicom.Write(d, $"{modality}.dcm");
    }

    [Fact]
    public void A_DICOM_MR_gets_percentiles_even_in_a_CT_source_and_a_DICOM_CT_gets_its_preset()
    {
        var mr = DicomReader.ReadFile(MrDicom("MR"));
        var window = VolumeStage.WindowFor(null, mr, "CT", mr.Volume.ToCanonical());
        Assert.Null(window.Voi);
        Assert.Equal("percentiles 0.5-99.5 % of the volume's non-zero voxels, the default for modality MR (DICOM Modality)", window.Origin);

        var ct = DicomReader.ReadFile(MrDicom("CT"));
        var preset = VolumeStage.WindowFor(null, ct, "MR", ct.Volume.ToCanonical());
        Assert.Equal(VoiLinearWindow.Preset("soft_tissue"), preset.Voi);
        Assert.Equal("CT preset soft_tissue, the default for modality CT (DICOM Modality)", preset.Origin);

        var own = VolumeStage.WindowFor("file", ct, "CT", ct.Volume.ToCanonical());
        Assert.Equal((new VoiLinearWindow(400, 40), "the file's VOI window (Window Center/Width)"), (own.Voi, own.Origin));
    }

    [Fact]
    public void Inspect_never_gives_an_MRI_with_very_negative_values_a_CT_window_and_says_where_the_window_came_from()
    {
        var dir = TestData.TempDir("window-mr");
        var path = Path.Combine(dir, "t1.nii.gz");
        NiftiWriter.Write(path, NegativeMr());
        var result = Assert.Single(Inspector.Inspect(path, null, Path.Combine(dir, "out"), new ImageSettings(), null));
        Assert.Null(result.Problem);
        var window = result.Facts.Single(f => f.Field == "window").Value;
        Assert.StartsWith("percentile window ", window);
        Assert.EndsWith("(from percentiles 0.5-99.5 % of the volume's non-zero voxels, the default for modality (none stated))", window);
        var chosen = Assert.Single(Inspector.Inspect(path, null, Path.Combine(dir, "out2"), new ImageSettings(), "lung")).Facts.Single(f => f.Field == "window").Value;
        Assert.EndsWith("(from CT preset lung, the source's window option)", chosen);
    }

    [Fact]
    public void A_zero_width_window_falls_back_to_each_slice_s_minimum_and_maximum()
    {
        // A 0/255 mask image: every non-zero voxel is 255, so the 0.5 and 99.5 percentiles are both 255.
        var binary = VolumeFixtures.Make<byte>(Shape, Grid, (i, j, _) => (i + j) % 2 == 0 ? 255 : 0);
        var window = WindowSpec.Percentiles().Resolve(binary);
        Assert.True(window.IsDegenerate);
        var plane = new SlicePlane(SliceAxis.Axial, 1);
        using var image = SliceRenderer.RenderImage(binary, plane, window, SliceRenderer.Sampling(binary.Grid, plane));
        var greys = new HashSet<byte>();
        for (var y = 0; y < image.Height; y++) for (var x = 0; x < image.Width; x++) greys.Add(image[x, y].R);
        Assert.Equal(new byte[] { 0, 255 }, greys.Order().ToArray());
    }

    [Fact]
    public void A_constant_slice_is_a_named_reject_not_a_black_item()
    {
        var root = TestData.TempDir("constant");
        Directory.CreateDirectory(Path.Combine(root, "img"));
        Directory.CreateDirectory(Path.Combine(root, "seg"));
        NiftiWriter.Write(Path.Combine(root, "img", "flat.nii.gz"), VolumeFixtures.Make<short>(Shape, Grid, (_, _, _) => 7));
        NiftiWriter.Write(Path.Combine(root, "seg", "flat_seg.nii.gz"), VolumeFixtures.Make<byte>(Shape, Grid, (i, j, _) => i < 4 && j < 4 ? 1 : 0));
        var source = new SourceDefinition
        {
            Id = "flat", Name = "F", License = "MIT", Layout = LayoutRegistry.Find("nifti-pairs")!, Root = root, Modality = "MR", Task = "OR",
            Options = new NiftiPairsOptions("img/*.nii.gz", "seg/{stem}_seg.nii.gz", new Dictionary<int, string> { [1] = "liver" }, new VolumeOptions(null, ["axial"], 0, 0)),
        };
        var item = Assert.Single(new NiftiPairsLayout().Discover(source).Items);
        var outcome = new VolumeStage(new ImageSettings(), new RegionSettings { MinArea = 1 }, new PromptStyle(), new ObjectStore(Path.Combine(root, "o")),
            new Dictionary<string, string> { ["flat"] = "MR" }).Run(item, new NiftiPairsLayout(), "fp");
        Assert.Empty(outcome.Cases);
        var reject = Assert.Single(outcome.CaseRejects);
        Assert.Equal(("constant-slice", "flat/img/flat.nii.gz/axial/0000"), (reject.Reason, reject.Key));
        Assert.Equal("the axial slice 0 holds the single value 7 throughout: there is nothing to show, so it is not shown", reject.Message);
    }
}

/// <summary><c>gmai inspect</c> decides what each file is by its content, and takes a single DICOM file.</summary>
public class InspectContentTests
{
    [Fact]
    public void A_single_DICOM_file_without_an_extension_is_inspected_with_its_modality_and_window()
    {
        var dir = TestData.TempDir("inspect-one");
        var d = HandBuiltDicom.Image(HandBuiltDicom.CtImage, "CT", 4, 3, 1, "MONOCHROME2", 1, 16, 16, 1)
            .Pixels(HandBuiltDicom.Samples16(Enumerable.Range(0, 12).Select(n => n * 50 - 100)), 16);
        var path = HandBuiltDicom.Write(d, "IM000001", dir: dir);
        var result = Assert.Single(Inspector.Inspect(path, null, Path.Combine(dir, "out"), new ImageSettings(), null));
        Assert.Null(result.Problem);
        Assert.Equal("DICOM", result.Format);
        Assert.Equal("CT", result.Facts.Single(f => f.Field == "modality").Value);
        Assert.Equal("1 file, Series Instance UID " + DicomUid.FromSeed("hand/series"), result.Facts.Single(f => f.Field == "series").Value);
        Assert.EndsWith("(from CT preset soft_tissue, the default for modality CT (DICOM Modality))", result.Facts.Single(f => f.Field == "window").Value);
        Assert.Single(result.Previews);
    }

    [Fact]
    public void A_colour_DICOM_file_is_previewed_in_colour()
    {
        var dir = TestData.TempDir("inspect-colour");
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9];
        var d = HandBuiltDicom.Image(HandBuiltDicom.SecondaryCapture, "ES", 2, 2, 1, "RGB", 3, 8, 8, 0).Pixels(rgb, 8);
        var result = Assert.Single(Inspector.Inspect(HandBuiltDicom.Write(d, "scope.dcm", dir: dir), null, Path.Combine(dir, "out"), new ImageSettings(), null));
        Assert.Null(result.Problem);
        Assert.Equal("RGB shown as RGB 2 x 2; frame 1 of 1", result.Facts.Single(f => f.Field == "colour").Value);
        using var preview = Image.Load<Rgb24>(Assert.Single(result.Previews));
        Assert.Equal(new Rgb24(255, 0, 0), preview[0, 0]);
        Assert.Equal(new Rgb24(0, 0, 255), preview[0, preview.Height - 1]);
    }

    [Fact]
    public void A_folder_is_read_file_by_file_by_content_with_sidecars_listed_as_ignored()
    {
        var dir = TestData.TempDir("inspect-mixed");
        // The first file listed is a JSON sidecar, a .dcm-less DICOM sits beside NIfTI files: each is what its bytes say.
        File.WriteAllText(Path.Combine(dir, "a_sidecar.json"), "{\"RepetitionTime\": 2.0}\n");
        NiftiWriter.Write(Path.Combine(dir, "b_t1.nii.gz"), VolumeFixtures.Make<short>(new GridShape(4, 4, 3), Affine.Identity, (i, j, k) => i + j + k + 1));
        NiftiWriter.Write(Path.Combine(dir, "c_t2.nii"), VolumeFixtures.Make<short>(new GridShape(4, 4, 3), Affine.Identity, (i, j, k) => 2 * i + j + k + 1));
        var d = HandBuiltDicom.Image(HandBuiltDicom.CtImage, "MR", 4, 3, 1, "MONOCHROME2", 1, 16, 16, 0)
            .Pixels(HandBuiltDicom.Samples16(Enumerable.Range(0, 12).Select(n => n * 3)), 16);
        HandBuiltDicom.Write(d, "d_scan", dir: dir);

        var results = Inspector.Inspect(dir, null, Path.Combine(TestData.TempDir("inspect-mixed-out"), "p"), new ImageSettings(), null);
        var byName = results.ToDictionary(r => Path.GetFileName(r.Path));
        Assert.Equal(["a_sidecar.json", "b_t1.nii.gz", "c_t2.nii", "d_scan"], byName.Keys.Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.Null(r.Problem));
        Assert.Equal("NIfTI", byName["b_t1.nii.gz"].Format);
        Assert.Equal("NIfTI", byName["c_t2.nii"].Format);
        Assert.Equal("DICOM", byName["d_scan"].Format);
        Assert.Equal("ignored", byName["a_sidecar.json"].Format);
        Assert.Equal("a JSON sidecar (metadata, not an image): ignored", byName["a_sidecar.json"].Facts.Single().Value);
    }

    [Theory]
    [InlineData("x.png", new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }, ContentKind.Raster)]
    [InlineData("x.dat", new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16 }, ContentKind.Raster)]
    [InlineData("x.dcm", new byte[] { (byte)'{', (byte)'}' }, ContentKind.Other)]
    [InlineData("x.nii", new byte[] { 0, 0, 1, 0x5C, 0, 0, 0, 0 }, ContentKind.Nifti)]   // 348, big endian
    [InlineData("x", new byte[] { 8, 0, 0x16, 0, (byte)'U', (byte)'I', 4, 0, (byte)'1', (byte)'.', (byte)'2', 0 }, ContentKind.Dicom)]   // no preamble, explicit VR
    public void Content_not_names_decides_the_kind(string name, byte[] bytes, ContentKind expected)
    {
        var path = Path.Combine(TestData.TempDir("content"), name);
        File.WriteAllBytes(path, bytes);
        Assert.Equal(expected, FileContent.Of(path));
    }
}

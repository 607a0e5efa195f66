using GmaiBench.Catalog;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Regions;
using GmaiBench.Ingest.Volumes;
using GmaiBench.Model;
using GmaiBench.Sources;
using GmaiBench.Sources.Layouts;

namespace GmaiBench.Tests.Imaging.Volumes;

/// <summary>A label map on the image's physical grid is accepted in any storage order; one whose voxel centres differ is not.</summary>
public class PhysicalGridTests
{
    private static readonly GridShape Shape = new(6, 5, 4);

    /// <summary>RAS+: 1.5 x 2 x 3 mm, first voxel at (10, -20, 5).</summary>
    private static readonly Affine Ras = Affine.FromRows([1.5, 0, 0, 10, 0, 2, 0, -20, 0, 0, 3, 5]);

    /// <summary>Storage orders by name: stored axis s holds canonical axis AxisOf[s], reversed when Flip[s].</summary>
    private static readonly Dictionary<string, (int[] AxisOf, bool[] Flip)> Orders = new()
    {
        ["RAS"] = ([0, 1, 2], [false, false, false]),
        ["LAS"] = ([0, 1, 2], [true, false, false]),     // FSL's radiological atlases
        ["LPS"] = ([0, 1, 2], [true, true, false]),      // DICOM's patient order
        ["PSR"] = ([1, 2, 0], [true, false, false]),     // a sagittal acquisition stored slice-first
    };

    /// <summary>A label map with a distinct label per octant-ish block, so any misplaced voxel changes a mask.</summary>
    private static Volume<byte> Labels() =>
        VolumeFixtures.Make<byte>(Shape, Ras, (i, j, k) => i < 2 && j < 3 ? 1 : i > 3 && k > 1 ? 2 : j == 4 ? 3 : 0);

    private static Volume<short> Image() => VolumeFixtures.Make<short>(Shape, Ras, (i, j, k) => 10 * i + 100 * j + 1000 * k);

    private static Volume<T> In<T>(Volume<T> canonical, string order) where T : unmanaged, System.Numerics.INumber<T>
    {
        var (axisOf, flip) = Orders[order];
        var stored = VolumeFixtures.Restored(canonical, axisOf, flip);
        Assert.Equal(order, Orientation.Codes(stored.Affine));
        return stored;
    }

    [Theory]
    [InlineData("RAS", "LAS")]
    [InlineData("RAS", "LPS")]
    [InlineData("RAS", "PSR")]
    [InlineData("LPS", "PSR")]
    [InlineData("LAS", "RAS")]
    public void The_same_physical_grid_in_another_storage_order_matches(string imageOrder, string labelOrder)
    {
        var image = In(Image(), imageOrder);
        var labels = In(Labels(), labelOrder);
        Assert.False(VolumeGrid.Compare(image.Grid, labels.Grid).Matches && imageOrder != labelOrder);   // the old, stored-order test refused these
        var grid = VolumeGrid.ComparePhysical(image.Grid, labels.Grid, 0.01, "image", "label map");
        Assert.True(grid.Matches, grid.Description);
    }

    [Fact]
    public void Voxel_centres_half_a_voxel_apart_are_refused_quoting_both_stored_geometries()
    {
        var image = In(Image(), "RAS");
        var shifted = In(VolumeFixtures.Make<byte>(Shape, Affine.FromRows([1.5, 0, 0, 10.75, 0, 2, 0, -20, 0, 0, 3, 5]), (_, _, _) => 1), "LAS");
        var grid = VolumeGrid.ComparePhysical(image.Grid, shifted.Grid, 0.01, "image", "label map");
        Assert.False(grid.Matches);
        Assert.Equal(0.75, grid.MaxCornerDistanceMm, 9);
        Assert.StartsWith("grids differ: a corner voxel is 0.75 mm apart (tolerance 0.01 mm) (compared after putting both in RAS+ order); image: shape 6x5x4", grid.Description);
        Assert.Contains("orientation RAS, affine [[1.5 0 0 10]", grid.Description);
        Assert.Contains("label map: shape 6x5x4, spacing 1.5x2x3 mm, orientation LAS, affine [[-1.5 0 0 18.25]", grid.Description);
    }

    /// <summary>Through the volume stage: an LAS or PSR label map beside a RAS image gives exactly the items of the RAS pair.</summary>
    [Fact]
    public void A_label_map_stored_in_another_order_gives_the_same_items_as_one_stored_like_its_image()
    {
        var outcomes = new Dictionary<string, List<(string Key, string Sha)>>();
        foreach (var order in new[] { "RAS", "LAS", "PSR" })
        {
            var root = TestData.TempDir("grid-order");
            Directory.CreateDirectory(Path.Combine(root, "img"));
            Directory.CreateDirectory(Path.Combine(root, "seg"));
            NiftiWriter.Write(Path.Combine(root, "img", "case.nii.gz"), In(Image(), "RAS"));
            NiftiWriter.Write(Path.Combine(root, "seg", "case_seg.nii.gz"), In(Labels(), order));
            var source = new SourceDefinition
            {
                Id = "atlas", Name = "A", License = "MIT", Layout = LayoutRegistry.Find("nifti-pairs")!, Root = root, Modality = "MR", Task = "OR",
                Options = new NiftiPairsOptions("img/*.nii.gz", "seg/{stem}_seg.nii.gz", new Dictionary<int, string> { [1] = "liver", [2] = "spleen", [3] = "kidney" },
                    new VolumeOptions("percentiles", ["axial", "sagittal"], 0, 0)),
            };
            var item = Assert.Single(new NiftiPairsLayout().Discover(source).Items);
            var stage = new VolumeStage(new ImageSettings(), new RegionSettings { MinArea = 1 }, new PromptStyle(), new ObjectStore(Path.Combine(root, "objects")),
                new Dictionary<string, string> { ["atlas"] = "MR" });
            var outcome = stage.Run(item, new NiftiPairsLayout(), "fp");
            Assert.True(outcome.Result.Status == "ok", outcome.Result.Message);
            outcomes[order] = outcome.Cases.Select(c => (c.Key, c.ImageSha)).ToList();
        }
        Assert.NotEmpty(outcomes["RAS"]);
        Assert.Equal(outcomes["RAS"], outcomes["LAS"]);
        Assert.Equal(outcomes["RAS"], outcomes["PSR"]);
    }
}

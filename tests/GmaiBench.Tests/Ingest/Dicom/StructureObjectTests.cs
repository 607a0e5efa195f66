using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>RT Structure Sets and Segmentations become label maps on the series they reference, voxel for voxel as drawn.</summary>
public class StructureObjectTests
{
    private static readonly DicomWriteOptions Options = new() { PatientId = "P-RT", Seed = "rt" };

    /// <summary>The CT series (8 x 6 x 5) and its description for the writers.</summary>
    private static (string Dir, DicomVolume Read, ReferencedSeries Series) Series()
    {
        var dir = TestData.TempDir("structures");
        var volume = DicomFixtures.Volume();
        DicomWriter.WriteSeries(Path.Combine(dir, "ct"), volume, Options);
        return (dir, DicomReader.ReadSeries([.. Directory.GetFiles(Path.Combine(dir, "ct"))]), ReferencedSeries.Of(volume, Options));
    }

    private static HashSet<(int, int, int)> Voxels(LabelMap map)
    {
        var set = new HashSet<(int, int, int)>();
        var v = map.Volume;
        for (var k = 0; k < v.Shape.Nk; k++)
        for (var j = 0; j < v.Shape.Nj; j++)
        for (var i = 0; i < v.Shape.Ni; i++)
            if (v[i, j, k] != 0) set.Add((i, j, k));
        return set;
    }

    private static readonly ContourPolygon Square = new(2, [(1, 1), (5, 1), (5, 4), (1, 4)]);
    private static readonly ContourPolygon Hole = new(2, [(2, 2), (3, 2), (3, 3), (2, 3)]);
    private static readonly ContourPolygon Triangle = new(3, [(0, 0), (4, 0), (0, 4)]);

    [Fact]
    public void Contours_fill_the_voxel_centres_they_enclose_with_inner_contours_as_holes()
    {
        var (dir, read, series) = Series();
        var path = Path.Combine(dir, "rs.dcm");
        StructureWriter.WriteRtStruct(path, series, [new RoiContours(1, "Liver", [Square, Hole]), new RoiContours(7, "Spleen", [Triangle])], "rs");

        var summary = StructureObjects.Summarise(path);
        Assert.Equal(("RTSTRUCT", series.FrameOfReferenceUid), (summary.Kind, summary.FrameOfReferenceUid));
        Assert.Equal([series.SeriesInstanceUid], summary.ReferencedSeriesUids);
        Assert.Equal([new StructureRegion(1, "Liver"), new StructureRegion(7, "Spleen")], summary.Regions);

        var masks = StructureObjects.Rasterise(path, read);
        Assert.Equal(["Liver", "Spleen"], masks.Select(m => m.Region.Name));
        // Square: voxel centres with 1 <= i < 5 and 1 <= j < 4 on slice 2, less the hole's one centre (2, 2).
        var liver = new HashSet<(int, int, int)>();
        for (var j = 1; j < 4; j++) for (var i = 1; i < 5; i++) liver.Add((i, j, 2));
        liver.Remove((2, 2, 2));
        Assert.Equal(liver.Order(), Voxels(masks[0].Map).Order());
        // Triangle (0,0) (4,0) (0,4): centres with i + j < 4 (the hypotenuse's own points fall outside the half-open rule).
        var spleen = new HashSet<(int, int, int)>();
        for (var j = 0; j < 4; j++) for (var i = 0; i < 4 - j; i++) spleen.Add((i, j, 3));
        Assert.Equal(spleen.Order(), Voxels(masks[1].Map).Order());
        Assert.Equal(read.Volume.Grid, masks[0].Map.Grid);
    }

    [Fact]
    public void Contours_on_missing_images_off_the_grid_or_crossing_themselves_are_named_rejects()
    {
        var (dir, read, series) = Series();
        string Write(string name, ReferencedSeries s, params ContourPolygon[] contours)
        {
            var path = Path.Combine(dir, name);
            StructureWriter.WriteRtStruct(path, s, [new RoiContours(1, "Liver", contours)], name);
            return path;
        }
        ItemRejectedException Reject(string path) => Assert.Throws<ItemRejectedException>(() => StructureObjects.Rasterise(path, read));

        var missing = Reject(Write("missing.dcm", series with { SopInstanceUids = [.. series.SopInstanceUids.Select(u => u + ".9")] }, Square));
        Assert.Equal(StructureObjects.MissingImage, missing.Reason);
        Assert.StartsWith("missing.dcm: ROI 'Liver' contour 1 is drawn on image ", missing.Message);
        Assert.EndsWith("which is not in the series (5 images)", missing.Message);

        var outside = Reject(Write("outside.dcm", series, new ContourPolygon(1, [(1, 1), (20, 1), (20, 3)])));
        Assert.Equal((StructureObjects.OutsideGrid, "outside.dcm: ROI 'Liver' contour 1 leaves the series' 8x6x5 grid (a point at column 20, row 1, slice 1)"), (outside.Reason, outside.Message));

        var bowtie = Reject(Write("bowtie.dcm", series, new ContourPolygon(1, [(1, 1), (4, 4), (4, 1), (1, 4)])));
        Assert.Equal((StructureObjects.SelfIntersecting, "bowtie.dcm: ROI 'Liver' contour 1 crosses itself (edges 1 and 3)"), (bowtie.Reason, bowtie.Message));

        var elsewhere = Reject(Write("for.dcm", series with { FrameOfReferenceUid = "1.2.826.0.1.3680043.10.1465.77" }, Square));
        Assert.Equal(StructureObjects.FrameOfReferenceMismatch, elsewhere.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Segmentation_frames_land_on_their_slices_by_position_and_segment_number(bool fractional)
    {
        var (dir, read, series) = Series();
        var shape = series.Shape;
        bool[] Voxelwise(Func<int, int, int, bool> f)
        {
            var inside = new bool[shape.VoxelCount];
            for (var k = 0; k < shape.Nk; k++) for (var j = 0; j < shape.Nj; j++) for (var i = 0; i < shape.Ni; i++) inside[i + shape.Ni * (j + shape.Nj * k)] = f(i, j, k);
            return inside;
        }
        var kidney = Voxelwise((i, j, k) => k is 1 or 2 && i >= 4 && j < 3);
        var aorta = Voxelwise((i, j, k) => i == 2 && j == 2);
        var faint = Voxelwise((i, j, k) => k == 1 && i == 0 && j == 5);   // under half the maximum fraction: outside
        var path = Path.Combine(dir, "seg.dcm");
        StructureWriter.WriteSegmentation(path, series, [new SegmentVoxels(1, "Segment_1", "Kidney", kidney), new SegmentVoxels(2, "aorta", null, aorta)], "seg", fractional, faint);

        var summary = StructureObjects.Summarise(path);
        // The coded concept names a segment when there is one; the free-text label otherwise.
        Assert.Equal([new StructureRegion(1, "Kidney"), new StructureRegion(2, "aorta")], summary.Regions);
        var masks = StructureObjects.Rasterise(path, read);
        Assert.Equal(kidney, masks[0].Map.Volume is Volume<byte> k1 ? k1.StoredVoxels.ToArray().Select(b => b == 1).ToArray() : null);
        Assert.Equal(aorta, masks[1].Map.Volume is Volume<byte> a1 ? a1.StoredVoxels.ToArray().Select(b => b == 1).ToArray() : null);
    }

    [Fact]
    public void A_segmentation_of_another_grid_is_a_geometry_mismatch()
    {
        var (dir, read, series) = Series();
        var shifted = series with { Affine = Affine.FromRows([-0.7, 0, 0, 10.35, 0, -0.9, 0, 20, 0, 0, 2.5, 30]) };
        var path = Path.Combine(dir, "shifted.dcm");
        StructureWriter.WriteSegmentation(path, shifted, [new SegmentVoxels(1, "liver", null, Enumerable.Repeat(true, series.Shape.VoxelCount > 0 ? (int)series.Shape.VoxelCount : 0).ToArray())], "shifted");
        var e = Assert.Throws<ItemRejectedException>(() => StructureObjects.Rasterise(path, read));
        Assert.Equal("geometry-mismatch", e.Reason);
        Assert.StartsWith("shifted.dcm frame 1 at (-10.35, -20, 30) mm is not on a slice of the series (shape 8x6x5", e.Message);
    }

    [Fact]
    public void Inspect_lists_rois_and_segments_with_their_canonical_labels_and_whether_the_series_is_there()
    {
        var (dir, _, series) = Series();
        var ct = Path.Combine(dir, "ct");
        StructureWriter.WriteRtStruct(Path.Combine(ct, "RS.dcm"), series, [new RoiContours(1, "Liver", [Square]), new RoiContours(2, "Kidney_R", [Triangle])], "rs");
        var elsewhere = series with { SeriesInstanceUid = "1.2.826.0.1.3680043.10.1465.55" };
        StructureWriter.WriteSegmentation(Path.Combine(ct, "SEG.dcm"), elsewhere, [new SegmentVoxels(1, "Segment_1", "Spleen", new bool[series.Shape.VoxelCount])], "seg");
        var settings = GmaiBench.Pipeline.PipelineSettings.TryLoad(Path.Combine(TestData.RepoRoot, "pipelines", "demo.yaml")).Settings!;

        var results = GmaiBench.Pipeline.Workflows.Inspect(ct, null, Path.Combine(dir, "out"), settings, null, "axial", TestData.Taxonomy);
        var rs = Assert.Single(results, r => r.Format == "RTSTRUCT");
        Assert.Null(rs.Problem);
        Assert.Equal("RT Structure Set with 2 ROI(s)", rs.Facts.Single(f => f.Field == "object").Value);
        Assert.Equal($"found: 5 file(s), Series Instance UID {series.SeriesInstanceUid}", rs.Facts.Single(f => f.Field == "referenced series").Value);
        Assert.StartsWith("Liver -> liver (", rs.Facts.Single(f => f.Field == "region 1").Value);
        Assert.StartsWith("Kidney_R -> kidney (", rs.Facts.Single(f => f.Field == "region 2").Value);
        var seg = Assert.Single(results, r => r.Format == "SEG");
        Assert.StartsWith("Spleen -> spleen (", seg.Facts.Single(f => f.Field == "region 1").Value);
        Assert.Equal("referenced-series-missing: the series 1.2.826.0.1.3680043.10.1465.55 is not among the files inspected", seg.Problem);
        Assert.Single(results, r => r.Format == "DICOM" && r.Problem is null);   // the CT series itself
    }
}

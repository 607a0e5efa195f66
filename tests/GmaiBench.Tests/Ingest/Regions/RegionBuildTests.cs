using GmaiBench.Tests.Audit;
using GmaiBench.Curation;
using GmaiBench.Pipeline;
using GmaiBench.Questions;
using GmaiBench.Release;
using GmaiBench.Taxonomy;
using GmaiBench.Tests.Questions;
using GmaiBench.Tests.Release;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Regions;

/// <summary>One demo build shared by the read-only checks of region items.</summary>
public sealed class RegionBuildFixture
{
    public DemoProject Project { get; }
    public BuildResult Build { get; }

    public RegionBuildFixture()
    {
        Project = new DemoProject("regions");
        Build = Project.Build();
    }
}

public class RegionBuildTests(RegionBuildFixture fx) : IClassFixture<RegionBuildFixture>
{
    [Fact]
    public void Every_region_item_is_marked_exactly_where_its_source_annotation_says()
    {
        var regionItems = fx.Build.Questions.Count(q => q.Case.Granularity != Granularity.Image);
        Assert.True(regionItems > 150, $"{regionItems} region items");
        Assert.Empty(RegionAudit.Check(fx.Project.Config(), fx.Build.Questions, fx.Build.Objects));
    }

    [Fact]
    public void The_audit_notices_a_mark_that_moved()
    {
        var q = fx.Build.Questions.First(x => x.Case.Granularity == Granularity.Contour);
        var copy = Path.Combine(TestData.TempDir("audit"), "objects");
        TestData.CopyDirectory(fx.Build.Objects.Root, copy);
        var store = new GmaiBench.Catalog.ObjectStore(copy);
        using var img = Image.Load<Rgb24>(store.Get(q.Case.ImageSha));
        // Shift the whole image one pixel right: the outline no longer traces the source target.
        using var shifted = img.Clone();
        for (var y = 0; y < img.Height; y++) for (var x = 1; x < img.Width; x++) shifted[x, y] = img[x - 1, y];
        var sha = store.Put(GmaiBench.Ingest.Raster.RasterDecoder.EncodePng(shifted));
        var moved = fx.Build.Questions.Select(x => x.Key == q.Key ? x with { Case = x.Case with { ImageSha = sha } } : x).ToList();
        var problems = RegionAudit.Check(fx.Project.Config(), moved, store);
        var problem = Assert.Single(problems);
        Assert.StartsWith(q.Key, problem);
    }

    [Fact]
    public void The_demo_emits_all_four_granularities_in_tsv_and_parquet()
    {
        var dir = Workflows.WriteBuildOutputs(fx.Build);
        var rows = TsvFormat.Parse(File.ReadAllText(Path.Combine(dir, "GmaiDemo.tsv")));
        var col = Array.IndexOf(rows[0], "perceptual granularity");
        Assert.Equal(["box", "contour", "image", "mask"], rows.Skip(1).Select(r => r[col]).Distinct().Order());
        var parquet = ParquetCheck.Read(Path.Combine(dir, "GmaiDemo.parquet"));
        Assert.Equal(fx.Build.Questions.Count, parquet.Rows);
        // Each segmentation target gives one mask and one contour item.
        Assert.Equal(fx.Build.Questions.Count(q => q.Case.Granularity == Granularity.Mask), fx.Build.Questions.Count(q => q.Case.Granularity == Granularity.Contour));
        Assert.Contains(fx.Build.Questions, q => q.Case.Granularity == Granularity.Box && q.Text.Contains("red box"));
        Assert.All(fx.Build.Questions.Where(q => q.Case.Granularity == Granularity.Contour), q => Assert.Matches("outline|contour", q.Text));
        Assert.All(fx.Build.Questions.Where(q => q.Case.Granularity == Granularity.Mask), q => Assert.Contains("mask", q.Text));
    }

    [Fact]
    public void No_item_offers_a_synonym_parent_or_child_of_its_answer_and_region_distractors_share_its_body_region()
    {
        var t = fx.Project.Config().Taxonomy;
        foreach (var q in fx.Build.Questions)
        {
            foreach (var option in q.OptionLabels.Where(o => !q.AnswerLabels.Contains(o)))
            {
                Assert.All(q.AnswerLabels, a => Assert.False(t.Related(a, option), $"{q.Key}: '{option}' is related to '{a}'"));
                if (q.Case.Granularity != Granularity.Image)
                    Assert.All(q.AnswerLabels, a => Assert.Equal(t.Label(a)!.Region, t.Label(option)!.Region));
            }
            Assert.Equal(q.Options.Count, q.Options.Select(LabelNormaliser.Fold).Distinct().Count());
        }
        Assert.All(fx.Build.Questions.Where(q => q.Case.Granularity != Granularity.Image), q => Assert.Contains("region pool", q.Pool));
    }

    [Fact]
    public void Malformed_annotations_and_a_wrong_size_mask_are_rejected_and_the_rest_builds()
    {
        var rejects = fx.Build.Report.Rejects;
        foreach (var reason in new[] { "unknown-image-id", "unknown-category", "negative-size", "box-outside-image" })
            Assert.Contains(rejects, r => r.SourceId == "demo-blood-smear" && r.Reason == reason && r.Path.StartsWith("annotations.json#annotation:"));
        var mask = Assert.Single(rejects, r => r.Reason == "mask-size-mismatch");
        Assert.Equal("images/case99_slice0.png", mask.Path);
        Assert.Contains("128x128", mask.Message);
        Assert.Equal(10, fx.Build.Questions.Where(q => q.Case.SourceId == "demo-blood-smear").Select(q => q.Case.ItemKey).Distinct().Count());
        Assert.Equal(12, fx.Build.Questions.Where(q => q.Case.SourceId == "demo-abdomen-ct-2d").Select(q => q.Case.ItemKey).Distinct().Count());
        Assert.Equal(0, fx.Build.Report.Unaccounted);
    }
}

public class RegionDistractorTests
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    private static TaggedCase Region(string key, string label, Granularity granularity = Granularity.Mask) =>
        QuestionTests.Case(key, "s" + key, label) with { Granularity = granularity, Modality = "CT", Task = "OR-A" };

    [Fact]
    public void Region_pools_are_shared_across_sources_and_limited_to_the_answers_body_region()
    {
        var cases = new List<TaggedCase>
        {
            Region("1", "liver"), Region("2", "liver-tumor"), Region("3", "kidney"), Region("4", "spleen"), Region("5", "lung"), Region("6", "heart"),
        };
        var (drafts, rejects) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings(), 3);
        var liver = drafts.Single(d => d.Key == "1");
        Assert.Equal(["kidney", "spleen"], liver.Distractors.Order());      // not its child liver-tumor, not thoracic lung or heart
        Assert.Contains("same body region", liver.Pool);
        Assert.Equal(["heart"], drafts.Single(d => d.Key == "5").Distractors);   // lung: only the other thoracic label
        Assert.Empty(rejects);
        var (alone, lonely) = QuestionDrafter.Draft([Region("7", "lung"), Region("8", "liver")], Taxonomy, new QuestionSettings(), 3);
        Assert.Empty(alone);
        Assert.Contains(lonely, r => r.Key == "7" && r.Reason == "too-few-options" && r.Message.Contains("region pool CT/OR-A/mask"));
        var (any, _) = QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings { Distractors = DistractorScope.Any }, 3);
        Assert.Equal(["heart", "kidney", "lung", "spleen"], any.Single(d => d.Key == "1").Distractors.Order());
    }

    [Fact]
    public void Segmentation_targets_can_also_give_box_items()
    {
        var project = new DemoProject("derive-boxes");
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.AppendAllText(pipeline, "regions:\n  derive_boxes: true\n");
        var build = project.Build();
        var ct = build.Questions.Where(q => q.Case.SourceId == "demo-abdomen-ct-2d").ToList();
        Assert.Equal(ct.Count(q => q.Case.Granularity == Granularity.Mask), ct.Count(q => q.Case.Granularity == Granularity.Box));
        Assert.Empty(RegionAudit.Check(project.Config(), build.Questions, build.Objects));
    }
}

public class VolumeBuildTests(RegionBuildFixture fx) : IClassFixture<RegionBuildFixture>
{
    [Fact]
    public void Structure_set_and_segmentation_items_are_marked_where_their_objects_say_and_colour_DICOM_gives_colour_image_items()
    {
        var rt = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-ct-rtstruct").ToList();
        var seg = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-ct-seg").ToList();
        Assert.NotEmpty(rt);
        Assert.NotEmpty(seg);
        Assert.All(rt.Concat(seg), q => Assert.True(q.Case.Granularity is Granularity.Mask or Granularity.Contour));
        // Every target re-derived from the structure set or segmentation itself, rasterised again from the file.
        Assert.Empty(RegionAudit.Check(fx.Project.Config(), [.. rt, .. seg], fx.Build.Objects));
        // ROI names and coded segment names go through the taxonomy (Kidney_R via the source's labels map, "Liver" by case fold).
        Assert.Contains(rt, q => q.AnswerLabels.SequenceEqual(["kidney"]));
        Assert.Contains(seg, q => q.AnswerLabels.SequenceEqual(["liver"]) || q.AnswerLabels.SequenceEqual(["spleen"]));
        var broken = Assert.Single(fx.Build.Report.Rejects, r => r.SourceId == "demo-ct-rtstruct");
        Assert.Equal(("contour-outside-grid", "series/plan_002/RS_plan.dcm"), (broken.Reason, broken.Path));

        var colour = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-endoscopy-dicom").ToList();
        Assert.Equal(12, colour.Select(q => q.Case.ItemKey).Distinct().Count());
        Assert.All(colour, q => Assert.Equal(Granularity.Image, q.Case.Granularity));
        using var image = Image.Load<Rgb24>(fx.Build.Objects.Get(colour[0].Case.ImageSha));
        Assert.True(image[32, 24].R > image[32, 24].G + 40, "an endoscopy frame is pink, not grey");
    }

    [Fact]
    public void Segmentations_of_colour_endoscopy_frames_give_region_items_on_the_RGB_frame_the_segmentation_annotates()
    {
        var polyps = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-endoscopy-seg").ToList();
        Assert.NotEmpty(polyps);
        Assert.All(polyps, q => Assert.True(q.Case.Granularity is Granularity.Mask or Granularity.Contour));
        Assert.All(polyps, q => Assert.Equal("SEG_2D", q.Case.OriginalTask));
        // Segment names (coded concepts) go through the taxonomy: "Polyp" and "Ulcerative colitis" by case fold.
        Assert.Contains(polyps, q => q.Category == "polyp");
        Assert.Contains(polyps, q => q.Category == "ulcerative colitis");
        // The cine is segmented on its first frame, so it is shown there, not at its middle frame.
        Assert.All(polyps.Where(q => q.Case.ItemKey.Contains("polyp_002")), q => Assert.Contains("/frame/0000/", q.Case.Key));
        Assert.DoesNotContain(fx.Build.Report.Rejects, r => r.SourceId == "demo-endoscopy-seg");
        // Every target re-derived from the segmentation file and the colour image read again.
        Assert.Empty(RegionAudit.Check(fx.Project.Config(), polyps, fx.Build.Objects));
        using var image = Image.Load<Rgb24>(fx.Build.Objects.Get(polyps[0].Case.ImageSha));
        Assert.True(image[32, 24].R > image[32, 24].B + 40, "the frame is marked in colour, not grey");
    }

    [Fact]
    public void Volumes_become_slice_cases_on_both_axes_and_bad_volumes_are_rejected_with_reasons()
    {
        var ct = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-ct-3d").ToList();
        Assert.NotEmpty(ct);
        Assert.Contains(ct, q => q.Case.Key.Contains("/axial/"));
        Assert.Contains(ct, q => q.Case.Key.Contains("/coronal/"));
        Assert.All(ct, q => Assert.Matches(@"^demo-ct-3d/imagesTr/ct_\d{3}_0000\.nii\.gz/(axial|coronal)/\d{4}/\w+/(mask|contour)$", q.Case.Key));
        Assert.All(ct, q => Assert.Equal("SEG_3D", q.Case.OriginalTask));
        // Left and right kidneys map to one canonical label through the source's labels: map.
        Assert.Contains(ct, q => q.AnswerLabels.SequenceEqual(["kidney"]));
        var rejects = fx.Build.Report.Rejects.Where(r => r.SourceId == "demo-ct-3d").ToList();
        var geometry = Assert.Single(rejects, r => r.Reason == "geometry-mismatch");
        Assert.Contains("[[0.8 0 0 -32]", geometry.Message);
        Assert.Contains("[[0.8 0 0 -27]", geometry.Message);
        Assert.Single(rejects, r => r.Reason == "truncated-file" && r.Path == "imagesTr/ct_005_0000.nii.gz");
        var huge = Assert.Single(rejects, r => r.Reason == "volume-too-large");
        Assert.Equal("imagesTr/ct_006_0000.nii", huge.Path);
        Assert.Contains("65535", huge.Message);
    }

    [Fact]
    public void A_volume_stored_left_posterior_is_marked_exactly_where_its_label_map_says()
    {
        // ct_001 is stored with x and y reversed; the audit recomputes each target from the label-map file itself.
        var keys = fx.Build.Questions.Where(q => q.Case.ItemKey.EndsWith("ct_001_0000.nii.gz")).Select(q => q.Case.Key).ToList();
        Assert.NotEmpty(keys);
        var config = fx.Project.Config();
        Assert.Empty(RegionAudit.Check(config, fx.Build.Questions.Where(q => q.Case.SourceId == "demo-ct-3d").ToList(), fx.Build.Objects));
    }
}

public class DicomBuildTests(RegionBuildFixture fx) : IClassFixture<RegionBuildFixture>
{
    [Fact]
    public void A_dicom_source_labelled_by_a_table_gives_whole_image_cases_of_series_and_single_files()
    {
        var cases = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-ct-dicom-findings").Select(q => q.Case).ToList();
        // 10 series rows (middle of 24 axial slices) and 2 single-file rows; the row naming a missing series is rejected.
        Assert.Equal(12, cases.Count);
        Assert.All(cases, c => Assert.Equal(Granularity.Image, c.Granularity));
        Assert.Equal(10, cases.Count(c => c.OriginalTask == "CLS_3D" && c.Key.EndsWith("/axial/0012", StringComparison.Ordinal)));
        Assert.Equal(2, cases.Count(c => c.OriginalTask == "CLS_2D" && c.Key.EndsWith(".dcm/axial/0000", StringComparison.Ordinal)));
        // Raw labels went through the taxonomy's synonyms.
        Assert.Equal(["kidney-cyst", "liver-tumor", "normal"], cases.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal));
        // Patients with two studies keep them in one split group.
        var group = cases.ToDictionary(c => c.ItemKey, c => c.GroupKey);
        Assert.Equal(group["demo-ct-dicom-findings/series/study_003"], group["demo-ct-dicom-findings/series/study_004"]);
        Assert.NotEqual(group["demo-ct-dicom-findings/series/study_003"], group["demo-ct-dicom-findings/series/study_005"]);
        var reject = Assert.Single(fx.Build.Report.Rejects, r => r.SourceId == "demo-ct-dicom-findings");
        Assert.Equal(("missing-file", "series/study_099"), (reject.Reason, reject.Path));
    }

    [Fact]
    public void Dicom_series_become_slice_cases_grouped_by_patient_and_bad_series_are_rejected()
    {
        var dicom = fx.Build.Questions.Where(q => q.Case.SourceId == "demo-ct-dicom").ToList();
        Assert.NotEmpty(dicom);
        // Patient ID (hashed) is the split group: the two series of one patient share it.
        var groups = dicom.GroupBy(q => q.Case.ItemKey).ToDictionary(g => g.Key, g => g.First().Case.GroupKey);
        Assert.StartsWith("demo-ct-dicom/patient-", groups["demo-ct-dicom/series/dcm_000"]);
        Assert.Equal(groups["demo-ct-dicom/series/dcm_000"], groups["demo-ct-dicom/series/dcm_001"]);
        Assert.DoesNotContain("DEMO-PATIENT", string.Join(" ", groups.Values));
        var rejects = fx.Build.Report.Rejects.Where(r => r.SourceId == "demo-ct-dicom").ToList();
        var dup = Assert.Single(rejects, r => r.Reason == "duplicate-slice-position");
        Assert.Equal("series/dcm_dup", dup.Path);
        Assert.DoesNotContain(fx.Project.Root, dup.Message);
        Assert.Single(rejects, r => r.Reason == "not-dicom" && r.Path == "series/dcm_fake");
        Assert.Empty(RegionAudit.Check(fx.Project.Config(), dicom, fx.Build.Objects));
    }
}

using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Model;
using GmaiBench.Tests.Imaging.Volumes;
using GmaiBench.Tests.Ingest.Dicom;
using GmaiBench.Tests.Ingest.Nifti;

namespace GmaiBench.Tests.Ingest;

/// <summary>Inputs that look like images but are not one ordinary volume: named rejects, never a wrong volume.</summary>
public class NonImageInputTests
{
    [Fact]
    public void A_siemens_mosaic_is_a_named_reject_not_a_two_slice_volume()
    {
        var d = HandBuiltDicom.Image(HandBuiltDicom.CtImage, "MR", 8, 8, 1, "MONOCHROME2", 1, 16, 12, 0)
            .Text(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\M\\ND\\MOSAIC")
            .UShort(0x0019, 0x100A, 4)
            .Pixels(new byte[8 * 8 * 2], 16);
        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(HandBuiltDicom.Write(d, "mosaic.dcm")));
        Assert.Equal(DicomRejects.Mosaic, e.Reason);
        Assert.StartsWith("mosaic.dcm is a Siemens MOSAIC (4 slices tiled in one 8x8 image)", e.Message);
    }

    [Theory]
    [InlineData(3001, "CIFTI connectivity")]
    [InlineData(1008, "point set")]
    [InlineData(2005, "shape")]
    public void Non_image_nifti_intents_are_named_rejects(short intent, string what)
    {
        var path = Path.Combine(TestData.TempDir("intent"), "x.dconn.nii");
        NiftiWriter.Write(path, VolumeFixtures.Make<float>(new GridShape(4, 3, 2), Affine.Identity, (i, _, _) => i));
        NiftiFixtures.EditHeader(path, bytes => NiftiFixtures.Int16(bytes, 68, intent));
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
        Assert.Equal((NiftiRejects.NotAnImage, $"intent_code {intent} ({what}): the file holds {(intent >= 3000 ? "a CIFTI matrix" : "data")} that is not an image volume"), (e.Reason, e.Message));
    }

    [Fact]
    public void A_nifti_whose_data_lies_only_beyond_the_fourth_dimension_is_not_read_as_one_voxel()
    {
        var path = Path.Combine(TestData.TempDir("cifti-dims"), "x.dtseries.nii");
        NiftiWriter.Write(path, VolumeFixtures.Make<float>(new GridShape(6, 1, 1), Affine.Identity, (i, _, _) => i));
        // dim = [6, 1, 1, 1, 1, 6]: the layout a CIFTI dense series uses (brainordinates along dimension 5).
        NiftiFixtures.EditHeader(path, bytes =>
        {
            short[] dim = [5, 1, 1, 1, 1, 6, 1, 1];
            for (var n = 0; n < 8; n++) NiftiFixtures.Int16(bytes, 40 + 2 * n, dim[n]);
        });
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
        Assert.Equal(NiftiRejects.NotAnImage, e.Reason);
        Assert.Contains("dimensions 1x1x1x1x6: the spatial grid is a single voxel", e.Message);
    }

    [Theory]
    [InlineData("patient", "Patient ID (0010,0020)")]
    [InlineData("study", "Study Instance UID (0020,000D)")]
    [InlineData("frame", "Frame of Reference UID (0020,0052)")]
    public void A_series_whose_files_disagree_on_patient_study_or_frame_of_reference_is_a_named_reject(string differs, string named)
    {
        var volume = DicomFixtures.Volume();
        var first = new DicomWriteOptions { PatientId = "P-FIRST", Seed = "one-series" };
        var second = differs switch
        {
            "patient" => first with { PatientId = "P-OTHER" },
            "study" => first with { StudyInstanceUid = "1.2.3.999" },
            _ => first with { FrameOfReferenceUid = "1.2.3.998" },
        };
        // Slices 0-2 from one writing, 3-4 from the other: one Series Instance UID, one value differing.
        var a = DicomWriter.WriteSeries(TestData.TempDir("consistency-a"), volume, first);
        var b = DicomWriter.WriteSeries(TestData.TempDir("consistency-b"), volume, second);
        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadSeries([.. a.Take(3), .. b.Skip(3)]));
        Assert.Equal(DicomRejects.InconsistentSeries, e.Reason);
        Assert.Contains($"carry different {named} values (not shown", e.Message);
        Assert.DoesNotContain("P-FIRST", e.Message);
        Assert.DoesNotContain("P-OTHER", e.Message);
        Assert.DoesNotContain("1.2.3.99", e.Message);
    }
}

using GmaiBench.Ingest.Dicom;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>The child-process decoder gives what the in-process reader gives, and its rejects come back by name.</summary>
public class DicomWorkerTests
{
    [Fact]
    public void A_series_decoded_in_a_child_process_equals_the_in_process_read()
    {
        Assert.NotNull(DicomWorker.WorkerAssembly);   // gmai.dll sits beside the tests, so the child process is used
        var dir = TestData.TempDir("worker");
        var volume = DicomFixtures.Volume(scaling: DicomFixtures.CtScaling);
        var files = DicomWriter.WriteSeries(dir, volume, new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.RleLossless, PatientId = "P-7", Monochrome1 = true });
        var shuffled = files.Reverse().ToList();
        var inProcess = DicomReader.ReadSeries(shuffled);
        var isolated = DicomWorker.ReadSeries(shuffled, TimeSpan.FromMinutes(1));
        DicomFixtures.AssertSameVoxels(volume, isolated.Volume);
        DicomFixtures.AssertAffine(inProcess.Volume.Affine, isolated.Volume.Affine);
        Assert.Equal(inProcess.Volume.Scaling, isolated.Volume.Scaling);
        Assert.Equal(("P-7", true), (isolated.PatientId, isolated.InvertDisplay));
        Assert.Equal(inProcess.SourceFiles, isolated.SourceFiles);
    }

    [Fact]
    public void A_reject_in_the_child_comes_back_with_its_reason()
    {
        var dir = TestData.TempDir("worker-reject");
        var fake = Path.Combine(dir, "x.dcm");
        File.WriteAllText(fake, "not a DICOM file\n");
        var e = Assert.Throws<GmaiBench.Ingest.Raster.ItemRejectedException>(() => DicomWorker.ReadSeries([fake], TimeSpan.FromMinutes(1)));
        Assert.Equal("not-dicom", e.Reason);
    }
}

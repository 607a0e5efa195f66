using System.Runtime.InteropServices;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;

namespace GmaiBench.Tests.Ingest.Dicom;

public class DicomTransferSyntaxTests
{
    [Fact]
    public void Gdcm_glue_library_is_in_the_test_output_and_loads()
    {
        var glue = Path.Combine(AppContext.BaseDirectory, "libgdcmsharpglue.so");
        Assert.True(File.Exists(glue), $"{glue} is missing");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "gdcm-sharp.dll")), "gdcm-sharp.dll is missing from the test output");
        // The binding's DllImport("gdcmsharpglue") resolves against the application folder.
        var handle = NativeLibrary.Load("gdcmsharpglue", typeof(DicomReader).Assembly, DllImportSearchPath.AssemblyDirectory);
        Assert.NotEqual(IntPtr.Zero, handle);
    }

    [Theory]
    [InlineData(DicomTransferSyntax.ExplicitVrLittleEndian, "1.2.840.10008.1.2.1")]
    [InlineData(DicomTransferSyntax.ImplicitVrLittleEndian, "1.2.840.10008.1.2")]
    [InlineData(DicomTransferSyntax.ExplicitVrBigEndian, "1.2.840.10008.1.2.2")]
    [InlineData(DicomTransferSyntax.DeflatedExplicitVrLittleEndian, "1.2.840.10008.1.2.1.99")]
    [InlineData(DicomTransferSyntax.RleLossless, "1.2.840.10008.1.2.5")]
    [InlineData(DicomTransferSyntax.JpegLossless, "1.2.840.10008.1.2.4.70")]
    [InlineData(DicomTransferSyntax.JpegLsLossless, "1.2.840.10008.1.2.4.80")]
    public void A_series_in_each_transfer_syntax_reads_back_to_the_exact_values(DicomTransferSyntax syntax, string uid)
    {
        var volume = DicomFixtures.Volume();
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-ts"), volume, new DicomWriteOptions { TransferSyntax = syntax });
        Assert.Contains(uid, System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(files[0]).AsSpan(0, 400)));

        var read = DicomReader.ReadSeries(files);

        DicomFixtures.AssertSameVoxels(volume, read.Volume);
        DicomFixtures.AssertAffine(DicomFixtures.Axial, read.Volume.Affine);
        // The first voxel's physical value, by the Modality LUT: stored -1500 x 2 - 1024.
        Assert.Equal(-4024, read.Volume[0, 0, 0]);
    }

    [Fact]
    public void Jpeg_2000_series_and_multi_frame_files_read_back_to_the_exact_values()
    {
        // 8 x 8 slices: GDCM's JPEG 2000 encoder crashes on smaller images, so the writer refuses them.
        var volume = DicomFixtures.Volume(shape: new GridShape(8, 8, 3));
        var options = new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.Jpeg2000Lossless };
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-j2k"), volume, options);
        var multi = Path.Combine(TestData.TempDir("dicom-j2k-mf"), "v.dcm");
        DicomWriter.WriteMultiFrame(multi, volume, options);

        DicomFixtures.AssertSameVoxels(volume, DicomReader.ReadSeries(files).Volume);
        DicomFixtures.AssertSameVoxels(volume, DicomReader.ReadFile(multi).Volume);
        Assert.Throws<ArgumentException>(() => DicomWriter.WriteSeries(TestData.TempDir("dicom-j2k-small"), DicomFixtures.Volume(), options));
    }
}

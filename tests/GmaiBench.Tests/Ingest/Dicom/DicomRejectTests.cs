using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

public class DicomRejectTests
{
    private static string OneFile(string name, DicomWriteOptions? options = null) =>
        DicomWriter.WriteSeries(TestData.TempDir(name), DicomFixtures.Volume(shape: new GridShape(8, 6, 1)), options)[0];

    [Fact]
    public void A_file_named_dcm_that_is_not_dicom_is_rejected_with_a_clear_message()
    {
        var dir = TestData.TempDir("dicom-not");
        var text = Path.Combine(dir, "report.dcm");
        File.WriteAllText(text, "Patient notes, saved with the wrong extension.\n");
        var empty = Path.Combine(dir, "empty.dcm");
        File.WriteAllBytes(empty, []);

        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(text));
        Assert.Equal(DicomRejects.NotDicom, e.Reason);
        Assert.Contains("report.dcm is not a DICOM file", e.Message);
        Assert.Equal(DicomRejects.NotDicom, DicomFixtures.Reject(() => DicomReader.ReadFile(empty)));
        Assert.Equal(DicomRejects.UnreadableFile, DicomFixtures.Reject(() => DicomReader.ReadFile(Path.Combine(dir, "missing.dcm"))));
    }

    public static TheoryData<DicomTransferSyntax, bool> Layouts() => new()
    {
        { DicomTransferSyntax.ExplicitVrLittleEndian, false },
        { DicomTransferSyntax.ImplicitVrLittleEndian, false },
        { DicomTransferSyntax.ExplicitVrBigEndian, false },
        { DicomTransferSyntax.DeflatedExplicitVrLittleEndian, false },
        { DicomTransferSyntax.RleLossless, false },
        { DicomTransferSyntax.JpegLossless, false },
        { DicomTransferSyntax.ExplicitVrLittleEndian, true },
        { DicomTransferSyntax.JpegLsLossless, true },
    };

    /// <summary>
    /// Every prefix of a file, cut at each byte: GDCM alone aborts the process on many of these (an assertion in its
    /// element parser) and decodes others with zeros. Each must end in a reject, or in exactly the voxels of the whole
    /// file: GDCM's deflate streams end with a few bytes that carry no data, so those cuts lose nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_file_cut_at_any_byte_is_rejected_not_crashed_or_zero_filled(DicomTransferSyntax syntax, bool multiFrame)
    {
        var dir = TestData.TempDir("dicom-cut");
        var whole = Path.Combine(dir, "whole.dcm");
        var options = new DicomWriteOptions { TransferSyntax = syntax };
        var volume = DicomFixtures.Volume(shape: multiFrame ? DicomFixtures.Shape : new GridShape(8, 6, 1));
        if (multiFrame) DicomWriter.WriteMultiFrame(whole, volume, options);
        else File.Copy(DicomWriter.WriteSeries(TestData.TempDir("dicom-cut-source"), volume, options)[0], whole);
        var bytes = File.ReadAllBytes(whole);
        var cut = Path.Combine(dir, "cut.dcm");
        string[] expected = [DicomRejects.TruncatedFile, DicomRejects.NotDicom, DicomRejects.NoPixelData, DicomRejects.CorruptHeader, DicomRejects.CorruptPixelData];

        var firstIntact = bytes.Length;
        for (var length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            try
            {
                var read = DicomReader.ReadFile(cut);
                DicomFixtures.AssertSameVoxels(volume, read.Volume);
                firstIntact = Math.Min(firstIntact, length);
            }
            catch (ItemRejectedException e)
            {
                Assert.True(expected.Contains(e.Reason), $"cut at {length} of {bytes.Length}: {e.Reason}: {e.Message}");
            }
        }
        var slack = syntax == DicomTransferSyntax.DeflatedExplicitVrLittleEndian ? 16 : 0;
        Assert.True(firstIntact >= bytes.Length - slack, $"a file cut to {firstIntact} of {bytes.Length} bytes was read");
        if (syntax != DicomTransferSyntax.DeflatedExplicitVrLittleEndian)
        {
            // Cut inside the pixel data (the last bytes of the file): named as truncation, not decoded with zeros.
            File.WriteAllBytes(cut, bytes[..^10]);
            Assert.Equal(DicomRejects.TruncatedFile, DicomFixtures.Reject(() => DicomReader.ReadFile(cut)));
        }
        DicomFixtures.AssertSameVoxels(volume, DicomReader.ReadFile(whole).Volume);
    }

    [Fact]
    public void Duplicate_slice_positions_in_a_series_are_rejected()
    {
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-dup"), DicomFixtures.Volume()).ToList();
        var copy = Path.Combine(Path.GetDirectoryName(files[2])!, "slice-0002-again.dcm");
        File.Copy(files[2], copy);

        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadSeries([.. files, copy]));

        Assert.Equal(DicomRejects.DuplicateSlicePosition, e.Reason);
        Assert.Contains("slice-0002", e.Message);
    }

    [Fact]
    public void A_tilted_gantry_series_is_rejected()
    {
        // Each slice 2.5 mm superior and 0.3 mm anterior of the last: positions leave the slice normal.
        var tilted = Affine.FromRows([-0.7, 0, 0, 10, 0, -0.9, 0.3, 20, 0, 0, 2.5, 30]);
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-tilt"), DicomFixtures.Volume(tilted));

        Assert.Equal(DicomRejects.GantryTilt, DicomFixtures.Reject(() => DicomReader.ReadSeries(files)));
    }

    [Fact]
    public void Files_of_two_series_are_not_read_as_one()
    {
        var a = DicomWriter.WriteSeries(TestData.TempDir("dicom-mix-a"), DicomFixtures.Volume(), new DicomWriteOptions { Seed = "a" });
        var b = DicomWriter.WriteSeries(TestData.TempDir("dicom-mix-b"), DicomFixtures.Volume(), new DicomWriteOptions { Seed = "b" });

        Assert.Equal(DicomRejects.MixedSeries, DicomFixtures.Reject(() => DicomReader.ReadSeries([a[0], a[1], b[2]])));
    }

    [Fact]
    public void Slices_with_different_orientations_are_rejected()
    {
        var axial = DicomWriter.WriteSeries(TestData.TempDir("dicom-orient-a"), DicomFixtures.Volume(), new DicomWriteOptions { Seed = "o" });
        var coronal = DicomWriter.WriteSeries(TestData.TempDir("dicom-orient-c"),
            DicomFixtures.Volume(Affine.FromRows([-0.7, 0, 0, 10, 0, 0, -2.5, 20, 0, -0.9, 0, 30])), new DicomWriteOptions { Seed = "o" });

        Assert.Equal(DicomRejects.InconsistentOrientation, DicomFixtures.Reject(() => DicomReader.ReadSeries([axial[0], axial[1], coronal[3]])));
    }

    [Fact]
    public void A_header_declaring_a_huge_image_is_rejected_before_any_pixel_is_allocated()
    {
        var path = OneFile("dicom-huge");
        DicomFixtures.Patch(path, 0x0028, 0x0010, "US", [0xFF, 0xFF]);
        DicomFixtures.Patch(path, 0x0028, 0x0011, "US", [0xFF, 0xFF]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DicomRejects.VolumeTooLarge, e.Reason);
        Assert.Contains("over the limit", e.Message);
        Assert.True(allocated < 1 << 20, $"rejecting allocated {allocated} bytes");
    }

    [Fact]
    public void The_size_cap_is_configurable_and_applies_to_a_whole_series()
    {
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-cap"), DicomFixtures.Volume());

        // Five slices of 8 x 6 int16 are 480 bytes; each file alone is 96.
        Assert.Equal(DicomRejects.VolumeTooLarge, DicomFixtures.Reject(() => DicomReader.ReadSeries(files, new DicomReadOptions { MaxVoxelBytes = 479 })));
        Assert.Equal(5, DicomReader.ReadSeries(files, new DicomReadOptions { MaxVoxelBytes = 480 }).Volume.Shape.Nk);
    }

    [Fact]
    public void Colour_images_are_rejected_as_unsupported_photometric()
    {
        var path = OneFile("dicom-colour");
        // Same length as "MONOCHROME2 ", so the file stays well formed.
        DicomFixtures.PatchText(path, 0x0028, 0x0004, "CS", "YBR_FULL_422");

        Assert.Equal(DicomRejects.UnsupportedPhotometric, DicomFixtures.Reject(() => DicomReader.ReadFile(path)));
    }

    [Fact]
    public void Native_pixel_data_shorter_than_the_header_declares_is_corrupt()
    {
        var path = OneFile("dicom-short-pixels");
        DicomFixtures.Patch(path, 0x0028, 0x0010, "US", [7, 0]);

        var e = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(path));

        Assert.Equal(DicomRejects.CorruptPixelData, e.Reason);
        Assert.Contains("Pixel Data holds 96 bytes, the header declares 112", e.Message);
    }

    [Fact]
    public void A_damaged_rle_stream_is_corrupt_pixel_data()
    {
        var path = OneFile("dicom-rle-damage", new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.RleLossless });
        var bytes = File.ReadAllBytes(path);
        // Encapsulated pixel data: the Basic Offset Table item (FFFE,E000) of length 0, then the fragment item, whose value
        // starts with the RLE header's segment count (PS3.5 G.3.1). 15 segments cannot hold one 16-bit sample.
        byte[] emptyItem = [0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0];
        var fragment = bytes.AsSpan().IndexOf(emptyItem) + emptyItem.Length;
        Assert.Equal([0xFE, 0xFF, 0x00, 0xE0], bytes[fragment..(fragment + 4)]);
        Assert.Equal(2, BitConverter.ToInt32(bytes, fragment + 8));
        BitConverter.GetBytes(15).CopyTo(bytes, fragment + 8);
        File.WriteAllBytes(path, bytes);

        Assert.Equal(DicomRejects.CorruptPixelData, DicomFixtures.Reject(() => DicomReader.ReadFile(path)));
    }
}

using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Tests.Imaging.Volumes;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

public class DicomReaderTests
{
    [Fact]
    public void Pixel_spacing_is_written_rows_first_and_read_back_onto_the_right_voxel_axes()
    {
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-spacing"), DicomFixtures.Volume());

        // In the file: [between rows, between columns] = [0.9, 0.7] (PS3.3 10.7.1.3).
        var bytes = File.ReadAllBytes(files[0]);
        var (offset, length) = DicomFixtures.FindShortElement(bytes, 0x0028, 0x0030, "DS");
        var values = Encoding.ASCII.GetString(bytes, offset, length).Trim().Split('\\').Select(v => double.Parse(v, CultureInfo.InvariantCulture));
        Assert.Equal([0.9, 0.7], values);

        var read = DicomReader.ReadSeries(files).Volume;

        Assert.Equal(0.7, read.Spacing(0), 12);
        Assert.Equal(0.9, read.Spacing(1), 12);
        Assert.Equal(2.5, read.Spacing(2), 12);
        // Column 3, row 2 of the first slice: 3 x 0.7 mm to the left and 2 x 0.9 mm posterior of (10, 20, 30) RAS.
        var (x, y, z) = read.Affine.Transform(3, 2, 0);
        Assert.Equal(10 - 2.1, x, 9);
        Assert.Equal(20 - 1.8, y, 9);
        Assert.Equal(30, z, 9);
    }

    [Fact]
    public void A_series_given_in_shuffled_order_comes_back_in_slice_order()
    {
        var volume = DicomFixtures.Volume();
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-shuffle"), volume);
        var shuffled = new[] { 3, 0, 4, 1, 2 }.Select(n => files[n]).ToList();

        var read = DicomReader.ReadSeries(shuffled);

        Assert.Equal(files, read.SourceFiles);
        DicomFixtures.AssertSameVoxels(volume, read.Volume);
        DicomFixtures.AssertAffine(DicomFixtures.Axial, read.Volume.Affine);
        Assert.Equal(new SliceSpacingStats(2.5, 2.5, 2.5, 2.5, false), read.SliceSpacing);
        Assert.True(read.HasPatientGeometry);
    }

    [Fact]
    public void An_axial_series_reads_in_dicom_order_lps_and_canonicalises_to_ras()
    {
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-axial"), DicomFixtures.Volume());

        var read = DicomReader.ReadSeries(files).Volume;

        // Columns run to the patient's left, rows to posterior, slices superior: DICOM's LPS voxel order.
        Assert.Equal("LPS", read.OrientationCodes);
        Assert.Equal("RAS", read.ToCanonical().OrientationCodes);
    }

    [Fact]
    public void A_coronal_series_keeps_its_orientation()
    {
        // RAS affine of a coronal stack: i to the left (0.7 mm), j inferior (0.9 mm), k posterior (2.5 mm).
        var coronal = Affine.FromRows([-0.7, 0, 0, 10, 0, 0, -2.5, 20, 0, -0.9, 0, 30]);
        var volume = DicomFixtures.Volume(coronal);
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-coronal"), volume);

        var read = DicomReader.ReadSeries(files.Reverse().ToList());

        Assert.Equal("LIP", read.Volume.OrientationCodes);
        DicomFixtures.AssertAffine(coronal, read.Volume.Affine);
        DicomFixtures.AssertSameVoxels(volume, read.Volume);
    }

    [Fact]
    public void Monochrome1_is_reported_so_display_can_invert_and_the_values_are_unchanged()
    {
        var volume = DicomFixtures.Volume();
        var inverted = DicomWriter.WriteSeries(TestData.TempDir("dicom-mono1"), volume, new DicomWriteOptions { Monochrome1 = true });
        var normal = DicomWriter.WriteSeries(TestData.TempDir("dicom-mono2"), volume);

        var read = DicomReader.ReadSeries(inverted);

        Assert.True(read.InvertDisplay);
        DicomFixtures.AssertSameVoxels(volume, read.Volume);
        Assert.False(DicomReader.ReadSeries(normal).InvertDisplay);
    }

    [Theory]
    [InlineData(DicomTransferSyntax.ExplicitVrLittleEndian)]
    [InlineData(DicomTransferSyntax.RleLossless)]
    [InlineData(DicomTransferSyntax.JpegLsLossless)]
    public void An_enhanced_multi_frame_file_is_placed_by_its_per_frame_positions(DicomTransferSyntax syntax)
    {
        var volume = DicomFixtures.Volume();
        var path = Path.Combine(TestData.TempDir("dicom-multiframe"), "volume.dcm");
        DicomWriter.WriteMultiFrame(path, volume, new DicomWriteOptions { TransferSyntax = syntax });

        var read = DicomReader.ReadFile(path);

        DicomFixtures.AssertSameVoxels(volume, read.Volume);
        DicomFixtures.AssertAffine(DicomFixtures.Axial, read.Volume.Affine);
        Assert.Equal(new SliceSpacingStats(2.5, 2.5, 2.5, 2.5, false), read.SliceSpacing);
        Assert.Equal([path], read.SourceFiles);
    }

    [Fact]
    public void A_legacy_multi_frame_file_is_placed_by_its_first_position_and_spacing_between_slices()
    {
        var volume = DicomFixtures.Volume();
        var path = Path.Combine(TestData.TempDir("dicom-legacy"), "volume.dcm");
        DicomWriter.WriteMultiFrame(path, volume, new DicomWriteOptions { LegacyMultiFrame = true });
        // No functional groups are left: (5200,9230) would be the bytes 00 52 30 92.
        Assert.Equal(-1, File.ReadAllBytes(path).AsSpan().IndexOf(new byte[] { 0x00, 0x52, 0x30, 0x92 }));

        var read = DicomReader.ReadFile(path);

        DicomFixtures.AssertSameVoxels(volume, read.Volume);
        DicomFixtures.AssertAffine(DicomFixtures.Axial, read.Volume.Affine);
        Assert.Null(read.SliceSpacing);
        Assert.True(read.HasPatientGeometry);
    }

    [Fact]
    public void Frames_stored_out_of_position_order_are_sorted_along_the_normal()
    {
        // Slices 2 mm apart from z = 30, so every per-frame position has the same text length and can be swapped in place.
        var affine = Affine.FromRows([-0.7, 0, 0, 10, 0, -0.9, 0, 20, 0, 0, 2, 30]);
        var volume = DicomFixtures.Volume(affine);
        var path = Path.Combine(TestData.TempDir("dicom-frame-order"), "volume.dcm");
        DicomWriter.WriteMultiFrame(path, volume);
        var bytes = File.ReadAllBytes(path);
        var positions = FindAll(bytes, [0x20, 0x00, 0x32, 0x00, (byte)'D', (byte)'S']);
        Assert.Equal(5, positions.Count);
        var texts = positions.Select(p => bytes.AsSpan(p + 8, bytes[p + 6]).ToArray()).ToList();
        for (var f = 0; f < 5; f++) texts[4 - f].CopyTo(bytes, positions[f] + 8);
        File.WriteAllBytes(path, bytes);

        var read = DicomReader.ReadFile(path);

        // Frame f now lies where slice 4 - f was: sorted by position, slice k holds what frame 4 - k holds.
        DicomFixtures.AssertAffine(affine, read.Volume.Affine);
        var reversed = VolumeFixtures.Make<short>(DicomFixtures.Shape, affine, (i, j, k) => DicomFixtures.Value(i, j, 4 - k), DicomFixtures.CtScaling);
        DicomFixtures.AssertSameVoxels(reversed, read.Volume);
    }

    [Fact]
    public void One_file_of_a_series_reads_as_one_slice_at_its_own_position_with_slice_thickness_as_depth()
    {
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-single"), DicomFixtures.Volume(), new DicomWriteOptions { SliceThickness = 3 });

        var read = DicomReader.ReadFile(files[2]);

        Assert.Equal(new GridShape(8, 6, 1), read.Volume.Shape);
        DicomFixtures.AssertAffine(Affine.FromRows([-0.7, 0, 0, 10, 0, -0.9, 0, 20, 0, 0, 3, 35]), read.Volume.Affine);
        Assert.Equal(DicomFixtures.Value(5, 4, 2), read.Volume.StoredAsDouble(5, 4, 0));
        Assert.Null(read.SliceSpacing);
    }

    [Fact]
    public void The_files_own_window_and_the_group_key_identifiers_are_exposed()
    {
        var options = new DicomWriteOptions { PatientId = "P-042", StudyInstanceUid = "1.2.826.0.1.42", Seed = "group-key", Window = new VoiLinearWindow(400, 40) };
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-ids"), DicomFixtures.Volume(), options);

        var read = DicomReader.ReadSeries(files);

        Assert.Equal("P-042", read.PatientId);
        Assert.Equal("1.2.826.0.1.42", read.StudyInstanceUid);
        Assert.Equal(options.ResolvedSeriesInstanceUid, read.SeriesInstanceUid);
        Assert.Equal(new VoiLinearWindow(400, 40), read.FileWindow);
        Assert.Null(DicomReader.ReadSeries(DicomWriter.WriteSeries(TestData.TempDir("dicom-nowindow"), DicomFixtures.Volume())).FileWindow);
    }

    [Fact]
    public void Slices_with_different_rescale_become_physical_float_values()
    {
        var volume = DicomFixtures.Volume();
        var dir = TestData.TempDir("dicom-rescale");
        var files = DicomWriter.WriteSeries(dir, volume);
        // Slice 2 again, alone and with its own Modality LUT (HU = stored x 0.5 + 10), in place of the original.
        var slice2 = VolumeFixtures.Make<short>(new GridShape(8, 6, 1), Affine.FromRows([-0.7, 0, 0, 10, 0, -0.9, 0, 20, 0, 0, 2.5, 35]),
            (i, j, _) => DicomFixtures.Value(i, j, 2), new VoxelScaling(0.5, 10));
        var single = DicomWriter.WriteSeries(TestData.TempDir("dicom-rescale-one"), slice2);
        File.Copy(single[0], files[2], overwrite: true);

        var read = DicomReader.ReadSeries(files).Volume;

        Assert.Equal(VoxelType.Float32, read.VoxelType);
        Assert.Equal(VoxelScaling.Identity, read.Scaling);
        Assert.Equal(DicomFixtures.Value(3, 1, 1) * 2.0 - 1024, read[3, 1, 1]);
        Assert.Equal(DicomFixtures.Value(3, 1, 2) * 0.5 + 10, read[3, 1, 2]);
    }

    /// <summary>
    /// The same 96 bytes of native pixel data relabelled as 8, 16 or 32 bits, signed or not (Columns changed to keep
    /// Rows x Columns x bytes equal): each must decode to exactly those bytes read in that format.
    /// </summary>
    [Theory]
    [InlineData(8, 16, false, VoxelType.UInt16)]
    [InlineData(16, 8, false, VoxelType.UInt8)]
    [InlineData(16, 8, true, VoxelType.Int8)]
    [InlineData(4, 32, true, VoxelType.Int32)]
    [InlineData(4, 32, false, VoxelType.UInt32)]
    public void Every_integer_pixel_format_decodes_to_its_stored_values(int columns, int bits, bool signed, VoxelType type)
    {
        var path = DicomWriter.WriteSeries(TestData.TempDir("dicom-format"), DicomFixtures.Volume(shape: new GridShape(8, 6, 1)))[0];
        DicomFixtures.Patch(path, 0x0028, 0x0011, "US", [(byte)columns, 0]);
        DicomFixtures.Patch(path, 0x0028, 0x0100, "US", [(byte)bits, 0]);
        DicomFixtures.Patch(path, 0x0028, 0x0101, "US", [(byte)bits, 0]);
        DicomFixtures.Patch(path, 0x0028, 0x0102, "US", [(byte)(bits - 1), 0]);
        DicomFixtures.Patch(path, 0x0028, 0x0103, "US", [signed ? (byte)1 : (byte)0, 0]);
        var pixels = File.ReadAllBytes(path)[^96..];

        var read = DicomReader.ReadFile(path).Volume;

        Assert.Equal(type, read.VoxelType);
        Assert.Equal(new GridShape(columns, 6, 1), read.Shape);
        Assert.Equal(DicomFixtures.CtScaling, read.Scaling);
        var size = bits / 8;
        for (var n = 0; n < columns * 6; n++)
        {
            long raw = 0;
            for (var b = size - 1; b >= 0; b--) raw = (raw << 8) | pixels[n * size + b];
            if (signed && (raw & (1L << (bits - 1))) != 0) raw -= 1L << bits;
            Assert.Equal(raw, read.StoredAsDouble(n % columns, n / columns, 0));
        }
    }

    [Fact]
    public void Twelve_bit_signed_pixels_are_masked_to_bits_stored_and_sign_extended()
    {
        var volume = DicomFixtures.Volume(shape: new GridShape(8, 6, 1));
        var path = DicomWriter.WriteSeries(TestData.TempDir("dicom-12bit"), volume)[0];
        DicomFixtures.Patch(path, 0x0028, 0x0101, "US", [12, 0]);
        DicomFixtures.Patch(path, 0x0028, 0x0102, "US", [11, 0]);
        // Native pixel data ends the file: 48 little endian int16. Replace the top four bits of each (the sign extension
        // of these 12-bit values) by unrelated bits, as a writer storing 12 bits plus overlay bits would (PS3.5 8.1.1).
        var bytes = File.ReadAllBytes(path);
        for (var n = bytes.Length - 96; n < bytes.Length; n += 2) bytes[n + 1] = (byte)((bytes[n + 1] & 0x0F) | 0x50);
        File.WriteAllBytes(path, bytes);

        var read = DicomReader.ReadFile(path);

        DicomFixtures.AssertSameVoxels(volume, read.Volume);
    }

    [Fact]
    public void A_missing_slice_is_rejected_unless_uneven_spacing_is_accepted()
    {
        var volume = DicomFixtures.Volume(shape: new GridShape(8, 6, 6));
        var files = DicomWriter.WriteSeries(TestData.TempDir("dicom-gap"), volume).ToList();
        File.Delete(files[3]);
        files.RemoveAt(3);

        Assert.Equal(DicomRejects.UnevenSliceSpacing, DicomFixtures.Reject(() => DicomReader.ReadSeries(files)));

        var read = DicomReader.ReadSeries(files, new DicomReadOptions { AcceptUnevenSpacing = true });
        Assert.Equal(new SliceSpacingStats(2.5, 2.5, 5, 3.125, true), read.SliceSpacing);
        Assert.Equal(5, read.Volume.Shape.Nk);
        Assert.Equal(3.125, read.Volume.Spacing(2), 9);
        Assert.Equal(DicomFixtures.Value(0, 0, 4), read.Volume.StoredAsDouble(0, 0, 3));
    }

    [Fact]
    public void A_scan_groups_files_by_series_and_rejects_what_is_not_an_image()
    {
        var root = TestData.TempDir("dicom-scan");
        var a = DicomWriter.WriteSeries(Path.Combine(root, "a"), DicomFixtures.Volume(), new DicomWriteOptions { Seed = "series-a" });
        var b = DicomWriter.WriteSeries(Path.Combine(root, "b"), DicomFixtures.Volume(), new DicomWriteOptions { Seed = "series-b" });
        File.WriteAllText(Path.Combine(root, "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(root, "fake.dcm"), "not DICOM either, whatever the name says");

        var scan = DicomReader.ScanFolder(root);

        var expected = new[] { (Uid: new DicomWriteOptions { Seed = "series-a" }.ResolvedSeriesInstanceUid, Files: a), (Uid: new DicomWriteOptions { Seed = "series-b" }.ResolvedSeriesInstanceUid, Files: b) }
            .OrderBy(s => s.Uid, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(s => s.Uid), scan.Series.Select(s => s.SeriesInstanceUid));
        Assert.Equal(expected.Select(s => s.Files), scan.Series.Select(s => s.Files));
        Assert.Equal(["fake.dcm", "notes.txt"], scan.Rejected.Select(r => Path.GetFileName(r.Path)));
        Assert.All(scan.Rejected, r => Assert.Equal(DicomRejects.NotDicom, r.Reason));
    }

    private static List<int> FindAll(byte[] bytes, byte[] pattern)
    {
        var found = new List<int>();
        for (var at = bytes.AsSpan().IndexOf(pattern); at >= 0;)
        {
            found.Add(at);
            var next = bytes.AsSpan(at + 1).IndexOf(pattern);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return found;
    }
}

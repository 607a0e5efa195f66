using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>
/// Every bit depth and byte order read to the values written (hand-built files, so the expected values do not come from
/// GDCM): 8, 16 and 32 bits, signed and unsigned, fewer bits stored than allocated, little and big endian, and RT Dose
/// grids placed by their Grid Frame Offset Vector.
/// </summary>
public class DicomPixelFormatTests
{
    public static TheoryData<DicomEncoding, int, int, int> Formats()
    {
        var data = new TheoryData<DicomEncoding, int, int, int>();
        foreach (var encoding in Enum.GetValues<DicomEncoding>())
        {
            data.Add(encoding, 8, 8, 0);
            data.Add(encoding, 8, 8, 1);
            data.Add(encoding, 16, 16, 0);
            data.Add(encoding, 16, 16, 1);
            data.Add(encoding, 16, 12, 1);
            data.Add(encoding, 32, 32, 0);
            data.Add(encoding, 32, 32, 1);
        }
        return data;
    }

    /// <summary>Values spread over the whole stored range, extremes included: 3 columns x 2 rows x 2 frames.</summary>
    private static long[] Known(int bitsStored, bool signed)
    {
        long min = signed ? -(1L << (bitsStored - 1)) : 0, max = signed ? (1L << (bitsStored - 1)) - 1 : (1L << bitsStored) - 1;
        return [min, max, 0, 1, max / 3, min / 5, max - 1, min + 7, 42, max / 2, signed ? -1 : 2, 100 % (max + 1)];
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Stored_values_come_back_exactly_for_every_bit_depth_sign_and_byte_order(DicomEncoding encoding, int bitsAllocated, int bitsStored, int representation)
    {
        var values = Known(bitsStored, representation == 1);
        var raw = bitsAllocated switch
        {
            8 => values.Select(v => (byte)v).ToArray(),
            16 => HandBuiltDicom.Samples16(values.Select(v => (int)(v & ((1L << bitsStored) - 1)))),   // stored bits only; the rest zero
            _ => HandBuiltDicom.Samples32(values),
        };
        var d = HandBuiltDicom.Image(HandBuiltDicom.CtImage, "CT", 3, 2, 2, "MONOCHROME2", 1, bitsAllocated, bitsStored, representation)
            .Decimals(0x0018, 0x0088, 2.5).Pixels(raw, bitsAllocated);
        var path = HandBuiltDicom.Write(d, $"{encoding}-{bitsAllocated}-{bitsStored}-{representation}.dcm", encoding);

        var volume = DicomReader.ReadFile(path).Volume;
        Assert.Equal(new GridShape(3, 2, 2), volume.Shape);
        var read = new List<long>();
        for (var k = 0; k < 2; k++)
        for (var j = 0; j < 2; j++)
        for (var i = 0; i < 3; i++)
            read.Add((long)volume.StoredAsDouble(i, j, k));
        Assert.Equal(values, read);
    }

    /// <summary>The dose file of the issue: 32-bit unsigned, explicit big endian, multi-frame, 5 mm between frames by Grid Frame Offset Vector.</summary>
    private static string DoseFile(string dir, int frames, double[] offsets, DicomEncoding encoding = DicomEncoding.ExplicitVrBigEndian)
    {
        var values = Enumerable.Range(0, 4 * 3 * frames).Select(n => 795_000L + n * 7_919).ToArray();
        var d = HandBuiltDicom.Image(HandBuiltDicom.RtDose, "RTDOSE", 4, 3, frames, "MONOCHROME2", 1, 32, 32, 0, seed: "dose")
            .Decimals(0x3004, 0x000C, offsets)
            .Decimals(0x3004, 0x000E, 2.5e-5)
            .Text(0x3004, 0x0002, "CS", "GY")
            .Pixels(HandBuiltDicom.Samples32(values), 32);
        if (frames > 1) d.Binary(0x0028, 0x0009, "AT", [0x04, 0x30, 0x0C, 0x00], 2);   // Frame Increment Pointer -> (3004,000C)
        return HandBuiltDicom.Write(d, $"dose-{frames}.dcm", encoding, dir);
    }

    [Fact]
    public void A_32_bit_big_endian_multi_frame_dose_grid_reads_its_values_and_its_5_mm_frame_spacing()
    {
        var path = DoseFile(TestData.TempDir("dose"), 4, [0, 5, 10, 15]);
        foreach (var dicom in new[] { DicomReader.ReadFile(path), DicomWorker.ReadSeries([path], TimeSpan.FromMinutes(1)) })
        {
            var volume = dicom.Volume;
            Assert.Equal(VoxelType.UInt32, volume.VoxelType);
            Assert.Equal(795_000, volume.StoredAsDouble(0, 0, 0));
            Assert.Equal(795_000 + 7_919 * (4 * 3 * 3 + 4 * 2 + 3), volume.StoredAsDouble(3, 2, 3));
            Assert.Equal(new VoxelScaling(2.5e-5, 0), volume.Scaling);   // Dose Grid Scaling: Gy
            Assert.Equal(5.0, volume.Spacing(2), 9);
            // Frame k lies 5 k mm along the normal (LPS +z, RAS +z) from Image Position (Patient) (-10, -20, 30).
            var (x, y, z) = volume.Affine.Transform(0, 0, 3);
            Assert.Equal((10.0, 20.0, 45.0), (Math.Round(x, 9), Math.Round(y, 9), Math.Round(z, 9)));
            Assert.Equal("RTDOSE", dicom.Modality);
        }
    }

    [Fact]
    public void Negative_grid_frame_offsets_run_against_the_normal_and_uneven_ones_are_a_named_reject()
    {
        var dir = TestData.TempDir("dose-offsets");
        var down = DicomReader.ReadFile(DoseFile(dir, 3, [0, -5, -10])).Volume;
        Assert.Equal(20.0, Math.Round(down.Affine.Transform(0, 0, 2).Z, 9));
        var uneven = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(DoseFile(TestData.TempDir("dose-uneven"), 3, [0, 5, 12])));
        Assert.Equal(DicomRejects.UnevenSliceSpacing, uneven.Reason);
        Assert.Contains("Grid Frame Offset Vector steps 5 mm between frames 1 and 2 but 7 mm between frames 2 and 3", uneven.Message);
        var counted = Assert.Throws<ItemRejectedException>(() => DicomReader.ReadFile(DoseFile(TestData.TempDir("dose-count"), 3, [0, 5])));
        Assert.Equal(DicomRejects.CorruptHeader, counted.Reason);
    }

    [Theory]
    [InlineData(DicomEncoding.ExplicitVrBigEndian)]
    [InlineData(DicomEncoding.ImplicitVrLittleEndian)]
    public void A_single_frame_dose_file_decodes_in_the_child_process(DicomEncoding encoding)
    {
        var path = DoseFile(TestData.TempDir("dose-single"), 1, [0], encoding);
        var dicom = DicomWorker.ReadSeries([path], TimeSpan.FromMinutes(1));
        Assert.Equal(new GridShape(4, 3, 1), dicom.Volume.Shape);
        Assert.Equal(795_000 + 7_919 * 5, dicom.Volume.StoredAsDouble(1, 1, 0));
    }
}

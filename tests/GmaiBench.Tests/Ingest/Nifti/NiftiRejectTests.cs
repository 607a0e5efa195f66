using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Questions;
using GmaiBench.Tests.Imaging.Volumes;
using static GmaiBench.Tests.Ingest.Nifti.NiftiReaderTests;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Nifti;

public class NiftiRejectTests
{
    private static string Fixture(string name, NiftiWriteOptions? options = null, GridShape? shape = null)
    {
        var path = Path.Combine(TestData.TempDir("nifti-reject"), name);
        var s = shape ?? NiftiFixtures.Shape;
        // Noise, so a gzip stream is long enough to cut in its middle.
        var rng = Prng.For(3, name, "noise");
        var volume = VolumeFixtures.Make<short>(s, Affine.Identity, (_, _, _) => rng.NextInt(4000) - 1000);
        NiftiWriter.Write(path, volume, options);
        return path;
    }

    [Fact]
    public void Truncated_nii_gz_is_rejected_as_truncated()
    {
        var path = Fixture("cut.nii.gz", shape: new GridShape(64, 64, 16));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Equal(NiftiRejects.TruncatedFile, Reject(() => NiftiReader.Read(path)));
        File.WriteAllBytes(path, bytes[..100]);
        Assert.Equal(NiftiRejects.TruncatedFile, Reject(() => NiftiReader.Read(path)));
    }

    [Fact]
    public void Truncated_nii_and_img_are_rejected_before_reading_voxels()
    {
        var nii = Fixture("cut.nii");
        File.WriteAllBytes(nii, File.ReadAllBytes(nii)[..^1]);
        Assert.Equal(NiftiRejects.TruncatedFile, Reject(() => NiftiReader.Read(nii)));
        var hdr = Fixture("cut.hdr");
        var img = Path.ChangeExtension(hdr, ".img");
        File.WriteAllBytes(img, File.ReadAllBytes(img)[..10]);
        Assert.Equal(NiftiRejects.TruncatedFile, Reject(() => NiftiReader.Read(hdr)));
        File.WriteAllBytes(nii, File.ReadAllBytes(nii)[..200]);
        Assert.Equal(NiftiRejects.TruncatedFile, Reject(() => NiftiReader.Read(nii)));
    }

    [Fact]
    public void Damaged_gzip_is_rejected_as_corrupt()
    {
        var path = Fixture("damaged.nii.gz", shape: new GridShape(64, 64, 16));
        var bytes = File.ReadAllBytes(path);
        for (var n = bytes.Length / 2; n < bytes.Length / 2 + 16; n++) bytes[n] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        Assert.Equal(NiftiRejects.CorruptGzip, Reject(() => NiftiReader.Read(path)));
    }

    [Theory]
    [InlineData(NiftiVersion.Nifti2, ".nii.gz")]
    [InlineData(NiftiVersion.Nifti2, ".nii")]
    [InlineData(NiftiVersion.Nifti1, ".nii.gz")]
    public void A_header_declaring_a_huge_volume_is_rejected_without_allocating(NiftiVersion version, string container)
    {
        var path = Fixture("huge" + container, new NiftiWriteOptions { Version = version });
        NiftiFixtures.EditHeader(path, b =>
        {
            for (var axis = 1; axis <= 3; axis++)
            {
                // NIfTI-2 holds 65535 per axis; NIfTI-1's signed 16-bit dims stop at 32767.
                if (version == NiftiVersion.Nifti2) NiftiFixtures.Int64(b, 16 + 8 * axis, 65535);
                else NiftiFixtures.Int16(b, 40 + 2 * axis, short.MaxValue);
            }
        });
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(NiftiRejects.VolumeTooLarge, e.Reason);
        Assert.Contains("over the limit", e.Message);
        Assert.True(allocated < 1 << 20, $"rejecting allocated {allocated} bytes");
    }

    [Fact]
    public void The_voxel_byte_cap_is_configurable()
    {
        var path = Fixture("capped.nii.gz");
        Assert.Equal(NiftiRejects.VolumeTooLarge, Reject(() => NiftiReader.Read(path, new NiftiReadOptions { MaxVoxelBytes = 47 })));
        Assert.Equal(NiftiFixtures.Shape, NiftiReader.Read(path, new NiftiReadOptions { MaxVoxelBytes = 48 }).Shape);
    }

    [Theory]
    [InlineData(".nii")]
    [InlineData(".nii.gz")]
    public void Wrong_magic_is_not_nifti(string container)
    {
        var path = Fixture("magic" + container);
        NiftiFixtures.EditHeader(path, b => "n+3\0"u8.CopyTo(b.AsSpan(344)));
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
        Assert.Equal(NiftiRejects.NotNifti, e.Reason);
        Assert.Contains("bad NIfTI-1 magic 'n+3\\x00'", e.Message);
    }

    [Fact]
    public void Dim0_of_nine_is_a_corrupt_header()
    {
        var path = Fixture("dim0.nii.gz");
        NiftiFixtures.EditHeader(path, b => NiftiFixtures.Int16(b, 40, 9));
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
        Assert.Equal(NiftiRejects.CorruptHeader, e.Reason);
        Assert.Contains("dim[0] is 9, must be 1..7", e.Message);
    }

    [Fact]
    public void Other_impossible_headers_are_rejected_with_a_reason()
    {
        var path = Fixture("bad.nii");
        var good = File.ReadAllBytes(path);
        void Expect(string reason, Action<byte[]> edit)
        {
            var bytes = (byte[])good.Clone();
            edit(bytes);
            File.WriteAllBytes(path, bytes);
            Assert.Equal(reason, Reject(() => NiftiReader.Read(path)));
        }
        Expect(NiftiRejects.NotNifti, b => NiftiFixtures.Int16(b, 0, 349));
        Expect(NiftiRejects.CorruptHeader, b => NiftiFixtures.Int16(b, 44, 0));
        Expect(NiftiRejects.CorruptHeader, b => NiftiFixtures.Int16(b, 46, -3));
        Expect(NiftiRejects.UnsupportedDatatype, b => NiftiFixtures.Int16(b, 70, 128));
        Expect(NiftiRejects.UnsupportedDatatype, b => NiftiFixtures.Int16(b, 70, 1280));
        Expect(NiftiRejects.CorruptHeader, b => NiftiFixtures.Float32(b, 108, 100));
        Expect(NiftiRejects.CorruptHeader, b => NiftiFixtures.Float32(b, 108, 352.5f));
        Expect(NiftiRejects.CorruptHeader, b => NiftiFixtures.Float32(b, 108, float.NaN));
        Expect(NiftiRejects.CorruptHeader, b => NiftiFixtures.Float32(b, 280, float.PositiveInfinity));
        Expect(NiftiRejects.CorruptHeader, b => b.AsSpan(280, 48).Clear());
        Expect(NiftiRejects.TruncatedFile, b => NiftiFixtures.Float32(b, 108, 1 << 20));
        Expect(NiftiRejects.CorruptHeader, b => "ni1\0"u8.CopyTo(b.AsSpan(344)));
    }

    [Fact]
    public void Unsupported_datatype_names_the_type_and_the_supported_list()
    {
        var path = Fixture("rgb.nii");
        NiftiFixtures.EditHeader(path, b => NiftiFixtures.Int16(b, 70, 128));
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
        Assert.StartsWith("datatype rgb24 (128) is not supported; supported: uint8 (2), int8 (256), int16 (4)", e.Message);
    }

    [Fact]
    public void Missing_partner_files_and_foreign_extensions_are_rejected()
    {
        var hdr = Fixture("lonely.hdr");
        File.Delete(Path.ChangeExtension(hdr, ".img"));
        Assert.Equal(NiftiRejects.MissingFile, Reject(() => NiftiReader.Read(hdr)));
        Assert.Equal(NiftiRejects.MissingFile, Reject(() => NiftiReader.Read(Path.Combine(Path.GetDirectoryName(hdr)!, "absent.nii"))));
        Assert.Equal(NiftiRejects.NotNifti, Reject(() => NiftiReader.Read("scan.dcm")));
        var empty = Path.Combine(Path.GetDirectoryName(hdr)!, "empty.nii");
        File.WriteAllBytes(empty, []);
        Assert.Equal(NiftiRejects.TruncatedFile, Reject(() => NiftiReader.Read(empty)));
    }
}

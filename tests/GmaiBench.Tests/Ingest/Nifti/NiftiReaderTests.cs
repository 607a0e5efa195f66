using System.IO.Compression;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Nifti;

public class NiftiReaderTests
{
    private static readonly string[] Containers = [".nii", ".nii.gz", ".hdr", ".hdr.gz"];

    public static TheoryData<VoxelType, NiftiVersion, bool, string> EveryLayout()
    {
        var data = new TheoryData<VoxelType, NiftiVersion, bool, string>();
        foreach (var type in Enum.GetValues<VoxelType>())
            foreach (var version in new[] { NiftiVersion.Nifti1, NiftiVersion.Nifti2 })
                foreach (var bigEndian in new[] { false, true })
                    foreach (var container in Containers)
                        data.Add(type, version, bigEndian, container);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryLayout))]
    public void Every_datatype_byte_order_version_and_container_round_trips(VoxelType type, NiftiVersion version, bool bigEndian, string container)
    {
        var dir = TestData.TempDir("nifti-layout");
        var path = Path.Combine(dir, "v" + container);
        var volume = NiftiFixtures.Make(type);
        NiftiFixtures.Write(path, volume, new NiftiWriteOptions { Version = version, BigEndian = bigEndian });

        var header = NiftiReader.ReadHeader(path);
        Assert.Equal(version, header.Version);
        Assert.Equal(bigEndian, header.BigEndian);
        Assert.Equal(container.StartsWith(".nii", StringComparison.Ordinal), header.SingleFile);
        Assert.Equal("sform", header.AffineSource);

        var read = NiftiReader.Read(path);
        NiftiFixtures.AssertSameVoxels(volume, read);
        NiftiFixtures.AssertAffine(NiftiFixtures.Oblique, read.Affine, 0);
        Assert.Equal(VoxelScaling.Identity, read.Scaling);
        // A pair can also be opened through its .img.
        if (!header.SingleFile) NiftiFixtures.AssertSameVoxels(volume, NiftiReader.Read(path.Replace(".hdr", ".img")));
    }

    [Fact]
    public void Plain_header_with_a_gzipped_image_is_read()
    {
        var dir = TestData.TempDir("nifti-imggz");
        var path = Path.Combine(dir, "v.hdr");
        var volume = NiftiFixtures.Make(VoxelType.Int16);
        NiftiFixtures.Write(path, volume, new NiftiWriteOptions { BigEndian = true });
        var img = Path.Combine(dir, "v.img");
        using (var gz = new GZipStream(File.Create(img + ".gz"), CompressionLevel.Optimal))
            gz.Write(File.ReadAllBytes(img));
        File.Delete(img);
        NiftiFixtures.AssertSameVoxels(volume, NiftiReader.Read(path));
    }

    [Theory]
    [InlineData(NiftiVersion.Nifti1)]
    [InlineData(NiftiVersion.Nifti2)]
    public void Scaling_is_read_and_slope_zero_or_nan_means_none(NiftiVersion version)
    {
        var dir = TestData.TempDir("nifti-scale");
        var path = Path.Combine(dir, "v.nii");
        NiftiFixtures.Write(path, NiftiFixtures.Make(VoxelType.Int16, scaling: new VoxelScaling(0.5, -1024)), new NiftiWriteOptions { Version = version });
        var read = NiftiReader.Read(path);
        Assert.Equal(new VoxelScaling(0.5, -1024), read.Scaling);
        // Voxel (1, 0, 0) stores 1 x 1371 - 15000 = -13629.
        Assert.Equal(-13629 * 0.5 - 1024, read[1, 0, 0]);

        var slopeAt = version == NiftiVersion.Nifti1 ? 112 : 176;
        foreach (var slope in new[] { 0.0, double.NaN })
        {
            NiftiFixtures.EditHeader(path, b =>
            {
                if (version == NiftiVersion.Nifti1) NiftiFixtures.Float32(b, slopeAt, (float)slope);
                else BitConverter.TryWriteBytes(b.AsSpan(slopeAt), slope);
            });
            Assert.Equal(VoxelScaling.Identity, NiftiReader.Read(path).Scaling);
        }
    }

    [Theory]
    [InlineData(NiftiVersion.Nifti1, false)]
    [InlineData(NiftiVersion.Nifti2, true)]
    public void Qform_alone_gives_the_oblique_left_handed_affine(NiftiVersion version, bool bigEndian)
    {
        var dir = TestData.TempDir("nifti-qform");
        var path = Path.Combine(dir, "v.nii.gz");
        NiftiFixtures.Write(path, NiftiFixtures.Make(VoxelType.UInt8), new NiftiWriteOptions { Version = version, BigEndian = bigEndian, SformCode = 0 });
        var header = NiftiReader.ReadHeader(path);
        Assert.Equal("qform", header.AffineSource);
        Assert.Equal(-1.0, header.Pixdim[0]);
        NiftiFixtures.AssertAffine(NiftiFixtures.Oblique, header.Affine, 1e-6);
        Assert.Equal("PLS", Orientation.Codes(header.Affine));
    }

    [Fact]
    public void Quaternion_round_trips_through_every_axis_permutation_and_flip()
    {
        foreach (var (axisOf, flip) in Imaging.Volumes.VolumeFixtures.AllStorageOrders())
        {
            var rows = new double[12];
            double[] size = [0.5, 0.75, 2];
            for (var a = 0; a < 3; a++) rows[axisOf[a] * 4 + a] = (flip[a] ? -1 : 1) * size[a];
            rows[3] = 1; rows[7] = -2; rows[11] = 3;
            var affine = Affine.FromRows(rows);
            var (b, c, d, dx, dy, dz, qfac) = NiftiGeometry.ToQuaternion(affine);
            NiftiFixtures.AssertAffine(affine, NiftiGeometry.FromQuaternion(b, c, d, 1, -2, 3, dx, dy, dz, qfac), 1e-12);
        }
    }

    [Fact]
    public void Sform_is_preferred_then_qform_then_pixdim()
    {
        var dir = TestData.TempDir("nifti-xform");
        var path = Path.Combine(dir, "v.nii");
        NiftiFixtures.Write(path, NiftiFixtures.Make(VoxelType.Int16), new NiftiWriteOptions());
        // Move the sform origin: with both codes set the sform wins.
        NiftiFixtures.EditHeader(path, b => NiftiFixtures.Float32(b, 280 + 12, 99));
        var sform = NiftiReader.ReadHeader(path);
        Assert.Equal("sform", sform.AffineSource);
        Assert.Equal(99, sform.Affine[0, 3]);
        NiftiFixtures.EditHeader(path, b => NiftiFixtures.Int16(b, 254, 0));
        var qform = NiftiReader.ReadHeader(path);
        Assert.Equal("qform", qform.AffineSource);
        NiftiFixtures.AssertAffine(NiftiFixtures.Oblique, qform.Affine, 1e-6);
        NiftiFixtures.EditHeader(path, b => NiftiFixtures.Int16(b, 252, 0));
        var fallback = NiftiReader.ReadHeader(path);
        Assert.Equal("pixdim", fallback.AffineSource);
        Assert.Equal(Affine.Diagonal(0.5, 0.75, 2), fallback.Affine);
    }

    [Fact]
    public void Metre_units_are_converted_to_millimetres()
    {
        var dir = TestData.TempDir("nifti-units");
        var path = Path.Combine(dir, "v.nii");
        NiftiFixtures.Write(path, NiftiFixtures.Make(VoxelType.UInt8, Affine.Diagonal(0.001, 0.001, 0.002)), new NiftiWriteOptions());
        NiftiFixtures.EditHeader(path, b => b[123] = 1 | 8);
        NiftiFixtures.AssertAffine(Affine.Diagonal(1, 1, 2), NiftiReader.Read(path).Affine, 1e-4);
    }

    [Theory]
    [InlineData(".nii")]
    [InlineData(".nii.gz")]
    [InlineData(".hdr.gz")]
    public void Four_d_files_read_the_chosen_volume(string container)
    {
        var dir = TestData.TempDir("nifti-4d");
        var path = Path.Combine(dir, "v" + container);
        var volumes = Enumerable.Range(0, 3).Select(t => (Volume<short>)NiftiFixtures.Make(VoxelType.Int16, offset: 1000 * t)).ToList();
        NiftiWriter.Write(path, volumes, new NiftiWriteOptions { Version = NiftiVersion.Nifti2, BigEndian = true });
        var header = NiftiReader.ReadHeader(path);
        Assert.Equal(4, header.Dim[0]);
        Assert.Equal(3, header.VolumeCount);
        for (var t = 0; t < 3; t++) NiftiFixtures.AssertSameVoxels(volumes[t], NiftiReader.Read(path, new NiftiReadOptions { VolumeIndex = t }));
        NiftiFixtures.AssertSameVoxels(volumes[0], NiftiReader.Read(path));
        Assert.Equal(NiftiRejects.VolumeIndexOutOfRange, Reject(() => NiftiReader.Read(path, new NiftiReadOptions { VolumeIndex = 3 })));
    }

    [Fact]
    public void Reads_through_a_buffer_pool_reuse_the_array_and_keep_the_values()
    {
        var dir = TestData.TempDir("nifti-pool");
        var a = Path.Combine(dir, "a.nii.gz");
        var b = Path.Combine(dir, "b.nii");
        var volumeA = NiftiFixtures.Make(VoxelType.Int16);
        var volumeB = NiftiFixtures.Make(VoxelType.Int16, offset: 7);
        NiftiFixtures.Write(a, volumeA, new NiftiWriteOptions());
        NiftiFixtures.Write(b, volumeB, new NiftiWriteOptions { BigEndian = true });
        var options = new NiftiReadOptions { Buffers = new VoxelBufferPool() };
        var readA = (Volume<short>)NiftiReader.Read(a, options);
        NiftiFixtures.AssertSameVoxels(volumeA, readA);
        options.Buffers.Return(readA);
        var readB = (Volume<short>)NiftiReader.Read(b, options);
        NiftiFixtures.AssertSameVoxels(volumeB, readB);
        Assert.True(readA.StoredVoxels == readB.StoredVoxels);
    }

    [Fact]
    public void Data_after_the_voxels_of_a_gzip_file_is_tolerated()
    {
        var dir = TestData.TempDir("nifti-tail");
        var path = Path.Combine(dir, "v.nii.gz");
        var volume = NiftiFixtures.Make(VoxelType.Float32);
        NiftiFixtures.Write(path, volume, new NiftiWriteOptions());
        // 3 MiB of zeros after the voxels: more than the 1 MiB the reader inflates past the volume.
        var bytes = new MemoryStream();
        using (var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress)) gz.CopyTo(bytes);
        using (var output = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            output.Write(bytes.ToArray());
            output.Write(new byte[3 << 20]);
        }
        NiftiFixtures.AssertSameVoxels(volume, NiftiReader.Read(path));
    }

    [Fact]
    public void Label_maps_are_read_and_fractional_labels_refused()
    {
        var dir = TestData.TempDir("nifti-labels");
        var path = Path.Combine(dir, "labels.nii.gz");
        var labels = Imaging.Volumes.VolumeFixtures.Make<float>(NiftiFixtures.Shape, Affine.Identity, (i, j, k) => (i + j + k) % 3);
        NiftiWriter.Write(path, labels);
        var map = NiftiReader.ReadLabels(path);
        Assert.Equal(2, map[1, 1, 0]);
        NiftiWriter.Write(path, Imaging.Volumes.VolumeFixtures.Make<float>(NiftiFixtures.Shape, Affine.Identity, (i, _, _) => i * 0.5));
        Assert.Equal(NiftiRejects.NonIntegerLabels, Reject(() => NiftiReader.ReadLabels(path)));
    }

    [Fact]
    public void A_permuted_and_flipped_copy_on_disk_gives_identical_slices()
    {
        var dir = TestData.TempDir("nifti-permuted");
        var shape = new GridShape(6, 5, 4);
        var affine = Affine.Diagonal(0.75, 0.5, 2.5, -90, 40.5, -12);
        var image = Imaging.Volumes.VolumeFixtures.Make<short>(shape, affine, (i, j, k) => (i * 7 + j * j * 5 - k * 31) * 3);
        var labels = Imaging.Volumes.VolumeFixtures.Make<byte>(shape, affine, (i, j, k) => i > 1 && j < 4 ? 1 + k % 2 : 0);
        var storedImage = Imaging.Volumes.VolumeFixtures.Restored(image, [2, 0, 1], [true, false, true]);
        var storedLabels = Imaging.Volumes.VolumeFixtures.Restored(labels, [2, 0, 1], [true, false, true]);
        NiftiWriter.Write(Path.Combine(dir, "image.nii.gz"), storedImage);
        NiftiWriter.Write(Path.Combine(dir, "labels.nii.gz"), storedLabels);
        var readImage = NiftiReader.Read(Path.Combine(dir, "image.nii.gz"));
        Assert.Equal("IRP", readImage.OrientationCodes);
        var canonical = readImage.ToCanonical();
        var window = DisplayWindow.FromVoi(new VoiLinearWindow(200, 0));
        Assert.Equal(
            Imaging.Volumes.VolumeTests.RenderAll(image, labels, window),
            Imaging.Volumes.VolumeTests.RenderAll(canonical, NiftiReader.Read(Path.Combine(dir, "labels.nii.gz")).ToCanonical(), window));
    }

    internal static string Reject(Action read)
    {
        var e = Assert.Throws<ItemRejectedException>(read);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e.Reason;
    }
}

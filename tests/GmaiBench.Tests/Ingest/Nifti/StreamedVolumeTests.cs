using System.IO.Compression;
using System.Numerics;
using GmaiBench.Catalog;
using GmaiBench.Imaging;
using GmaiBench.Imaging.Intensity;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Regions;
using GmaiBench.Ingest.Volumes;
using GmaiBench.Model;
using GmaiBench.Sources;
using GmaiBench.Sources.Layouts;
using GmaiBench.Tests.Imaging.Volumes;

namespace GmaiBench.Tests.Ingest.Nifti;

/// <summary>
/// Volumes read as streams: the voxels handed over row by row are those of a whole read, label areas counted on the way
/// are those of the whole map, kept planes read exactly like the whole volume in every storage order, and the volume
/// stage slices without ever holding a volume.
/// </summary>
public class StreamedVolumeTests
{
    /// <summary>Gathers every streamed row back into one array, checking the rows arrive in order.</summary>
    private sealed class Gather : IVoxelStream
    {
        public Array? Voxels { get; private set; }

        public IVoxelRows<T> Open<T>(GridShape shape, VoxelScaling scaling) where T : unmanaged, INumber<T>
        {
            var rows = new Gathered<T>(shape);
            Voxels = rows.All;
            return rows;
        }

        private sealed class Gathered<T>(GridShape shape) : IVoxelRows<T> where T : unmanaged, INumber<T>
        {
            public T[] All { get; } = new T[shape.VoxelCount];
            private long _next;

            public void Rows(long firstRow, ReadOnlySpan<T> voxels)
            {
                Assert.Equal(_next, firstRow);
                Assert.Equal(0, voxels.Length % shape.Ni);
                voxels.CopyTo(All.AsSpan((int)(firstRow * shape.Ni)));
                _next = firstRow + voxels.Length / shape.Ni;
            }
        }
    }

    private static T[] StoredOf<T>(Volume volume) where T : unmanaged, INumber<T> => ((Volume<T>)volume).StoredVoxels.ToArray();

    public static TheoryData<VoxelType, bool, string> Formats()
    {
        var data = new TheoryData<VoxelType, bool, string>();
        foreach (var type in Enum.GetValues<VoxelType>())
        {
            data.Add(type, false, ".nii.gz");
            data.Add(type, true, ".nii");
        }
        data.Add(VoxelType.Int16, true, ".hdr.gz");
        data.Add(VoxelType.Float32, false, ".hdr");
        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Streaming_hands_over_the_voxels_a_whole_read_gives(VoxelType type, bool bigEndian, string extension)
    {
        var path = Path.Combine(TestData.TempDir("stream"), "v" + extension);
        NiftiFixtures.Write(path, NiftiFixtures.Make(type), new NiftiWriteOptions { BigEndian = bigEndian });
        var whole = NiftiReader.Read(path);
        var gather = new Gather();
        var header = NiftiReader.Stream(path, null, gather);
        Assert.Equal(whole.Shape, header.Shape);
        Assert.Equal(type, header.VoxelType);
        var expected = type switch
        {
            VoxelType.UInt8 => (Array)StoredOf<byte>(whole),
            VoxelType.Int8 => StoredOf<sbyte>(whole),
            VoxelType.Int16 => StoredOf<short>(whole),
            VoxelType.UInt16 => StoredOf<ushort>(whole),
            VoxelType.Int32 => StoredOf<int>(whole),
            VoxelType.UInt32 => StoredOf<uint>(whole),
            VoxelType.Int64 => StoredOf<long>(whole),
            VoxelType.Float32 => StoredOf<float>(whole),
            _ => StoredOf<double>(whole),
        };
        Assert.Equal(expected, gather.Voxels);
    }

    /// <summary>Rows in many blocks (a partial last one), swapped per block, and a middle volume of a 4D file.</summary>
    [Theory]
    [InlineData(false, ".nii.gz")]
    [InlineData(true, ".nii.gz")]
    [InlineData(true, ".nii")]
    public void Streaming_crosses_block_boundaries_and_picks_the_volume_of_a_4d_file(bool bigEndian, string extension)
    {
        var shape = new GridShape(700, 3, 200);
        var volumes = Enumerable.Range(0, 3)
            .Select(t => VolumeFixtures.Make<short>(shape, Affine.Identity, (i, j, k) => (i * 7 + j * 131 + k * 1009 + t * 17) % 65536 - 32768))
            .ToList();
        var path = Path.Combine(TestData.TempDir("stream-4d"), "v" + extension);
        NiftiWriter.Write(path, volumes, new NiftiWriteOptions { BigEndian = bigEndian });
        foreach (var index in new long[] { 1, 2 })
        {
            var gather = new Gather();
            NiftiReader.Stream(path, new NiftiReadOptions { VolumeIndex = index }, gather);
            Assert.Equal(volumes[(int)index].StoredVoxels.ToArray(), (short[])gather.Voxels!);
        }
    }

    [Fact]
    public void A_damaged_or_short_stream_is_rejected_as_a_whole_read_would_be()
    {
        var dir = TestData.TempDir("stream-bad");
        var good = Path.Combine(dir, "good.nii.gz");
        NiftiWriter.Write(good, VolumeFixtures.Make<short>(new GridShape(64, 64, 16), Affine.Identity, (i, j, k) => i * j + k));
        var bytes = File.ReadAllBytes(good);
        var cut = Path.Combine(dir, "cut.nii.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var damaged = Path.Combine(dir, "damaged.nii.gz");
        var flipped = (byte[])bytes.Clone();
        flipped[^6] ^= 0xFF;   // inside the CRC-32 trailer: inflates fully, fails the check
        File.WriteAllBytes(damaged, flipped);
        var raw = Path.Combine(dir, "raw.nii");
        NiftiWriter.Write(raw, VolumeFixtures.Make<short>(new GridShape(64, 64, 16), Affine.Identity, (i, j, k) => i));
        var rawCut = Path.Combine(dir, "rawcut.nii");
        File.WriteAllBytes(rawCut, File.ReadAllBytes(raw)[..5000]);
        foreach (var path in new[] { cut, damaged, rawCut })
        {
            var whole = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path));
            var streamed = Assert.Throws<ItemRejectedException>(() => NiftiReader.Stream(path, null, DiscardVoxels.Instance));
            Assert.Equal(whole.Reason, streamed.Reason);
            Assert.Equal(whole.Message, streamed.Message);
        }
    }

    private static readonly GridShape Shape = new(9, 7, 5);

    /// <summary>A label map with labels of every width class (1..255 dense, 300 sparse) in uneven blocks.</summary>
    private static Volume<short> CanonicalLabels(Affine affine) =>
        VolumeFixtures.Make<short>(Shape, affine, (i, j, k) => i < 3 && j < 4 ? 1 : i > 5 && k > 1 ? 2 : j == 6 ? 300 : (i + j + k) % 11 == 0 ? 7 : 0);

    private static readonly Affine Ras = Affine.FromRows([1.5, 0, 0, 10, 0, 2, 0, -20, 0, 0, 3, 5]);

    /// <summary>The labels of <paramref name="volume"/> streamed through a scan counting along every stored axis.</summary>
    private static LabelAreaScan Scan<T>(Volume<T> volume) where T : unmanaged, INumber<T>
    {
        var scan = new LabelAreaScan([0, 1, 2]);
        var rows = scan.Open<T>(volume.Shape, volume.Scaling);
        var all = volume.StoredVoxels;
        rows.Rows(0, all[..(volume.Shape.Ni * 4)]);
        rows.Rows(4, all[(volume.Shape.Ni * 4)..]);
        return scan;
    }

    [Fact]
    public void Label_areas_counted_while_streaming_are_those_of_the_whole_map_in_every_storage_order()
    {
        var canonical = CanonicalLabels(Ras);
        foreach (var (axisOf, flip) in VolumeFixtures.AllStorageOrders())
        {
            var stored = VolumeFixtures.Restored(canonical, axisOf, flip);
            var scan = Scan(stored);
            Assert.Null(scan.NonIntegerLabel);
            var view = Orientation.ToCanonical(stored.Shape, stored.Affine);
            var whole = LabelMap.From(stored).ToCanonical();
            foreach (var axis in Enum.GetValues<SliceAxis>())
            {
                var expected = whole.SliceAreas(axis);
                var streamed = scan.Areas(view, axis);
                Assert.Equal(expected.Labels, streamed.Labels);
                Assert.Equal(expected.SliceCount, streamed.SliceCount);
                foreach (var label in expected.Labels) Assert.Equal(expected.AreasOf(label).ToArray(), streamed.AreasOf(label).ToArray());
            }
        }
    }

    [Fact]
    public void Label_planes_cut_from_the_kept_runs_equal_those_kept_while_streaming()
    {
        var canonical = CanonicalLabels(Ras);
        foreach (var (axisOf, flip) in VolumeFixtures.AllStorageOrders().Where((_, n) => n % 5 == 0))
        {
            var stored = VolumeFixtures.Restored(canonical, axisOf, flip);
            var scan = new LabelAreaScan([0], keepRuns: true);
            scan.Open<short>(stored.Shape, stored.Scaling).Rows(0, stored.StoredVoxels);
            for (var axis = 0; axis < 3; axis++)
            {
                for (var index = 0; index < stored.Shape[axis]; index++)
                {
                    StoredPlane[] wanted = [new(axis, index)];
                    var fromRuns = LabelMap.From(scan.KeptPlanes(wanted, stored.Affine)!);
                    var fromStream = LabelMap.From(Keep(stored, wanted));
                    for (var i = 0; i < stored.Shape.Ni; i++)
                    for (var j = 0; j < stored.Shape.Nj; j++)
                    for (var k = 0; k < stored.Shape.Nk; k++)
                    {
                        if ((axis == 0 ? i : axis == 1 ? j : k) != index) continue;
                        Assert.Equal(fromStream[i, j, k], fromRuns[i, j, k]);
                        Assert.Equal(LabelMap.From(stored)[i, j, k], fromRuns[i, j, k]);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_map_too_fragmented_to_keep_as_runs_asks_to_be_read_again()
    {
        var shape = new GridShape(1024, 1024, 2);
        var noise = VolumeFixtures.Make<byte>(shape, Affine.Identity, (i, j, k) => (i + j + k) % 2 == 0 ? 1 : 2);
        var scan = new LabelAreaScan([2], keepRuns: true);
        scan.Open<byte>(shape, noise.Scaling).Rows(0, noise.StoredVoxels);
        Assert.Null(scan.KeptPlanes([new StoredPlane(2, 0)], Affine.Identity));
        Assert.Equal(shape.Ni * shape.Nj / 2, scan.Areas(Orientation.ToCanonical(shape, Affine.Identity), SliceAxis.Axial).AreasOf(1)[0]);
        var plain = new LabelAreaScan([2]);
        plain.Open<byte>(shape, noise.Scaling).Rows(0, noise.StoredVoxels[..shape.Ni]);
        Assert.Null(plain.KeptPlanes([new StoredPlane(2, 0)], Affine.Identity));
    }

    [Fact]
    public void A_non_integer_label_is_named_as_a_whole_check_names_it_and_scaled_labels_round()
    {
        var map = VolumeFixtures.Make<float>(Shape, Ras, (i, j, k) => i == 4 && j == 2 && k == 3 ? 2.5 : i < 2 ? 1 : 0);
        LabelMap.TryFrom(map, out var whole);
        Assert.NotNull(whole);
        Assert.Equal(whole, Scan(map).NonIntegerLabel);
        Assert.DoesNotContain("Parameter", whole);

        // Stored 0..4 with slope 0.5 and intercept 1: physical 1, 1.5, ... only even stored values are labels.
        var scaled = VolumeFixtures.Make<byte>(Shape, Ras, (i, _, _) => i % 2 == 0 ? i : 0, new VoxelScaling(0.5, -1));
        LabelMap.TryFrom(scaled, out var problem);
        Assert.Null(problem);
        Assert.Null(Scan(scaled).NonIntegerLabel);
        var areas = Scan(scaled).Areas(Orientation.ToCanonical(Shape, Ras), SliceAxis.Sagittal);
        Assert.Equal(LabelMap.From(scaled).SliceAreas(SliceAxis.Sagittal).Labels, areas.Labels);
    }

    /// <summary>Streams <paramref name="volume"/> through a collector keeping <paramref name="planes"/>.</summary>
    private static Volume Keep<T>(Volume<T> volume, IEnumerable<StoredPlane> planes, bool histogram = false, bool replayable = false)
        where T : unmanaged, INumber<T>
    {
        var collector = new PlaneCollector(planes, histogram);
        void Feed(IVoxelStream stream)
        {
            var rows = stream.Open<T>(volume.Shape, volume.Scaling);
            var all = volume.StoredVoxels;
            for (var r = 0; r < volume.Shape.Nj * volume.Shape.Nk; r += 3)
            {
                var count = Math.Min(3, volume.Shape.Nj * volume.Shape.Nk - r);
                rows.Rows(r, all.Slice(r * volume.Shape.Ni, count * volume.Shape.Ni));
            }
        }
        Feed(collector);
        return collector.Volume(volume.Affine, replayable ? Feed : null);
    }

    [Fact]
    public void Kept_planes_read_like_the_whole_volume_in_every_storage_order_and_others_are_refused()
    {
        var canonical = VolumeFixtures.Make<short>(Shape, Ras, (i, j, k) => 10 * i - 100 * j + 1000 * k - 7, new VoxelScaling(2, -3));
        foreach (var (axisOf, flip) in VolumeFixtures.AllStorageOrders())
        {
            var stored = VolumeFixtures.Restored(canonical, axisOf, flip);
            var view = Orientation.ToCanonical(stored.Shape, stored.Affine);
            var whole = stored.ToCanonical();
            foreach (var axis in Enum.GetValues<SliceAxis>())
            {
                foreach (var index in new[] { 0, whole.Shape[(int)axis] - 1, whole.Shape[(int)axis] / 2 })
                {
                    var source = view.SourceAxis((int)axis);
                    var plane = new StoredPlane(source, view.Flipped((int)axis) ? stored.Shape[source] - 1 - index : index);
                    var kept = Keep(stored, [plane]).ToCanonical();
                    Assert.Equal(whole.Affine.ToString(), kept.Affine.ToString());
                    var slice = new SlicePlane(axis, index);
                    for (var u = 0; u < whole.Shape[slice.ColumnAxis]; u++)
                    for (var v = 0; v < whole.Shape[slice.RowAxis]; v++)
                    {
                        var at = new int[3];
                        at[(int)axis] = index;
                        at[slice.ColumnAxis] = u;
                        at[slice.RowAxis] = v;
                        Assert.Equal(whole[at[0], at[1], at[2]], kept[at[0], at[1], at[2]]);
                    }
                    var sampling = SliceRenderer.Sampling(whole.Grid, slice, 12);
                    var window = DisplayWindow.FromVoi(new VoiLinearWindow(4000, 200), "test");
                    using (var a = SliceRenderer.RenderImage(whole, slice, window, sampling))
                    using (var b = SliceRenderer.RenderImage(kept, slice, window, sampling))
                        Assert.Equal(PngWriter.Encode(a), PngWriter.Encode(b));
                    Assert.Equal(SliceRenderer.RenderLabels(LabelMap.From(whole), slice, sampling).Labels.ToArray(),
                        SliceRenderer.RenderLabels(LabelMap.From(kept), slice, sampling).Labels.ToArray());
                    var other = new SlicePlane(axis, index == 0 ? 1 : 0);
                    Assert.Throws<InvalidOperationException>(() => SliceRenderer.RenderImage(kept, other, window, SliceRenderer.Sampling(whole.Grid, other, 12)).Dispose());
                }
            }
        }
    }

    [Fact]
    public void Percentile_windows_of_kept_planes_equal_those_of_the_whole_volume()
    {
        var rng = new Prng(11);
        var shorts = VolumeFixtures.Make<short>(Shape, Ras, (_, _, _) => rng.NextInt(9) == 0 ? 0 : rng.NextInt(4000) - 1000, new VoxelScaling(0.5, 2));
        var floats = VolumeFixtures.Make<float>(Shape, Ras, (_, _, _) => rng.NextInt(9) == 0 ? 0 : rng.NextInt(100000) / 7.0 - 5000);
        StoredPlane[] one = [new(2, 1)];
        foreach (var (low, high) in new[] { (0.5, 99.5), (10.0, 90.0) })
        {
            Assert.Equal(VolumePercentiles.NonZero(shorts, low, high), VolumePercentiles.NonZero(Keep(shorts, one, histogram: true), low, high));
            Assert.Equal(VolumePercentiles.NonZero(shorts, low, high), VolumePercentiles.NonZero(Keep(shorts, one, replayable: true), low, high));
            Assert.Equal(VolumePercentiles.NonZero(floats, low, high), VolumePercentiles.NonZero(Keep(floats, one, histogram: true, replayable: true), low, high));
        }
        Assert.Throws<InvalidOperationException>(() => VolumePercentiles.NonZero(Keep(floats, one, histogram: true)));
    }

    private static (SourceItem Item, VolumeStage Stage) Pair(string root, Volume image, Volume labels, string window = "percentiles")
    {
        Directory.CreateDirectory(Path.Combine(root, "img"));
        Directory.CreateDirectory(Path.Combine(root, "seg"));
        NiftiFixtures.Write(Path.Combine(root, "img", "case.nii.gz"), image, new NiftiWriteOptions { Compression = CompressionLevel.Fastest });
        NiftiFixtures.Write(Path.Combine(root, "seg", "case_seg.nii.gz"), labels, new NiftiWriteOptions { Compression = CompressionLevel.Fastest });
        var source = new SourceDefinition
        {
            Id = "atlas", Name = "A", License = "MIT", Layout = LayoutRegistry.Find("nifti-pairs")!, Root = root, Modality = "MR", Task = "OR",
            Options = new NiftiPairsOptions("img/*.nii.gz", "seg/{stem}_seg.nii.gz", new Dictionary<int, string> { [1] = "liver", [2] = "spleen" },
                new VolumeOptions(window, ["axial", "coronal"], 0, 0)),
        };
        var item = Assert.Single(new NiftiPairsLayout().Discover(source).Items);
        var stage = new VolumeStage(new ImageSettings(), new RegionSettings { MinArea = 1 }, new PromptStyle(), new ObjectStore(Path.Combine(root, "objects")),
            new Dictionary<string, string> { ["atlas"] = "MR" });
        return (item, stage);
    }

    /// <summary>
    /// The stage allocates far less than one volume: a 256 x 256 x 128 int16 image (16 MiB) and its uint8 label map
    /// (8 MiB) are sliced with a few planes' worth of memory, read whole they would cost both.
    /// </summary>
    [Fact]
    public void The_volume_stage_slices_a_volume_without_holding_it()
    {
        var shape = new GridShape(256, 256, 128);
        var affine = Affine.FromRows([0.8, 0, 0, 0, 0, 0.8, 0, 0, 0, 0, 1.5, 0]);
        var image = VolumeFixtures.Make<short>(shape, affine, (i, j, k) => (i * 13 + j * 7 + k * 3) % 900);
        var labels = VolumeFixtures.Make<byte>(shape, affine, (i, j, k) => Math.Abs(i - 100) < 20 && Math.Abs(j - 120) < 30 && Math.Abs(k - 60) < 10 ? 1
            : Math.Abs(i - 180) < 15 && Math.Abs(j - 80) < 15 && Math.Abs(k - 40) < 25 ? 2 : 0);
        var (item, stage) = Pair(TestData.TempDir("stream-stage"), image, labels);
        stage.Run(item, new NiftiPairsLayout(), "warm-up");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = stage.Run(item, new NiftiPairsLayout(), "fp");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(outcome.Result.Status == "ok", outcome.Result.Message);
        Assert.Equal(outcome.Cases.Count, outcome.Cases.Select(c => c.Key).Distinct().Count());
        Assert.Contains(outcome.Cases, c => c.Key.Contains("/axial/"));
        Assert.Contains(outcome.Cases, c => c.Key.Contains("/coronal/"));
        Assert.True(allocated < image.StoredBytes / 2, $"the stage allocated {allocated} bytes for a {image.StoredBytes}-byte image");
    }

    /// <summary>A damaged image is what the item is rejected for, even when its label map is on another grid or not labels.</summary>
    [Fact]
    public void A_damaged_image_is_reported_before_a_bad_label_map_as_a_whole_read_reported_it()
    {
        var image = VolumeFixtures.Make<short>(Shape, Ras, (i, j, k) => i + j + k);
        var elsewhere = VolumeFixtures.Make<byte>(Shape, Affine.FromRows([1.5, 0, 0, 11, 0, 2, 0, -20, 0, 0, 3, 5]), (i, _, _) => i < 3 ? 1 : 0);
        var fractional = VolumeFixtures.Make<float>(Shape, Ras, (i, _, _) => i < 3 ? 1.5 : 0);
        foreach (var labels in new Volume[] { elsewhere, fractional })
        {
            var root = TestData.TempDir("stream-order");
            var (item, stage) = Pair(root, image, labels);
            var good = stage.Run(item, new NiftiPairsLayout(), "fp");
            Assert.Equal(StageResult.RejectedStatus, good.Result.Status);
            Assert.Equal(labels == elsewhere ? "geometry-mismatch" : NiftiRejects.NonIntegerLabels, good.Result.Reason);
            var bytes = File.ReadAllBytes(item.FullPath);
            File.WriteAllBytes(item.FullPath, bytes[..(bytes.Length - 40)]);
            var whole = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(item.FullPath));
            var cut = stage.Run(item, new NiftiPairsLayout(), "fp");
            Assert.Equal(whole.Reason, cut.Result.Reason);
            Assert.Equal(whole.Message, cut.Result.Message);
        }
    }

    /// <summary>The item is named by its image, so a reject that comes from the label map says which file it is.</summary>
    [Fact]
    public void A_label_map_that_cannot_be_read_is_named_in_the_reject()
    {
        var image = VolumeFixtures.Make<short>(Shape, Ras, (i, j, k) => i + j + k);
        var (item, stage) = Pair(TestData.TempDir("stream-label-name"), image, CanonicalLabels(Ras));
        var labels = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(item.FullPath))!, "seg", "case_seg.nii.gz");
        File.WriteAllText(labels, "not a nifti file at all");
        var outcome = stage.Run(item, new NiftiPairsLayout(), "fp");
        Assert.Equal(StageResult.RejectedStatus, outcome.Result.Status);
        Assert.Equal(NiftiRejects.NotNifti, outcome.Result.Reason);
        Assert.StartsWith("the label map seg/case_seg.nii.gz: ", outcome.Result.Message);
    }

    /// <summary>A DICOM series handed over slice by slice keeps exactly the planes asked for, and a colour frame whole.</summary>
    [Fact]
    public void A_series_arriving_slice_by_slice_keeps_the_planes_a_whole_series_shows()
    {
        var canonical = VolumeFixtures.Make<short>(Shape, Ras, (i, j, k) => 10 * i - 100 * j + 1000 * k, new VoxelScaling(1, -1024));
        var stored = VolumeFixtures.Restored(canonical, [0, 1, 2], [true, true, false]);   // LPS, as DICOM stores it
        var series = new DicomVolume { Volume = stored, SourceFiles = ["slice-1.dcm"], Modality = "CT" };
        PlaneCollector? collector = null;
        var (header, colour) = SeriesFeed.Feed(series, null, new SeriesStream(h => collector = new PlaneCollector([new StoredPlane(2, 1), new StoredPlane(0, 3)])));
        Assert.Null(colour);
        Assert.Equal(stored.Affine.ToString(), header.Affine.ToString());
        var kept = collector!.Volume(header.Affine).ToCanonical();
        var whole = stored.ToCanonical();
        var view = Orientation.ToCanonical(stored.Shape, stored.Affine);
        for (var i = 0; i < whole.Shape.Ni; i++)
        for (var j = 0; j < whole.Shape.Nj; j++)
        for (var k = 0; k < whole.Shape.Nk; k++)
        {
            var (si, _, sk) = view.StoredIndex(i, j, k);
            if (sk == 1 || si == 3) Assert.Equal(whole[i, j, k], kept[i, j, k]);
            else Assert.Throws<InvalidOperationException>(() => kept[i, j, k]);
        }

        var rgb = Enumerable.Range(0, 40 * 30 * 3).Select(n => (byte)(n * 7)).ToArray();
        var luma = VolumeFixtures.Make<byte>(new GridShape(40, 30, 1), Affine.Identity, (i, j, _) => i + j);
        var photo = new DicomVolume { Volume = luma, SourceFiles = ["us.dcm"], Colour = new RgbFrame(40, 30, rgb, 0, 1, "RGB") };
        var (_, frame) = SeriesFeed.Feed(photo, null, new SeriesStream(_ => DiscardVoxels.Instance));
        Assert.Equal(rgb, frame!.Rgb);
        Assert.Equal((40, 30, "RGB"), (frame.Width, frame.Height, frame.Photometric));
    }
}

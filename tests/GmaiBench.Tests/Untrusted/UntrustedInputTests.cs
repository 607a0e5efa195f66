using System.Runtime.InteropServices;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;
using GmaiBench.Release;
using GmaiBench.Sources;
using GmaiBench.Sources.Annotations;
using GmaiBench.Sources.Layouts;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.PixelFormats;

namespace GmaiBench.Tests.Untrusted;

/// <summary>Inputs from the internet and hospital exports: each case an attacker or a careless user brought.</summary>
public class UntrustedInputTests
{
    [DllImport("libc", EntryPoint = "mkfifo")]
    private static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private static SourceDefinition Source(string root, string layout, LayoutOptions options) => new()
    {
        Id = "src", Name = "S", License = "MIT", Layout = LayoutRegistry.Find(layout)!, Root = root, Modality = "CT", Task = "DD", Options = options,
    };

    private static void Png(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = new Image<Rgb24>(8, 8, new Rgb24(90, 30, 200));
        img.SaveAsPng(path);
    }

    [Fact]
    public async Task A_fifo_in_a_source_folder_is_a_named_reject_and_never_opened()
    {
        var root = TestData.TempDir("fifo");
        Png(Path.Combine(root, "normal", "a.png"));
        Assert.Equal(0, MkFifo(Path.Combine(root, "normal", "pipe.png"), Convert.ToUInt32("644", 8)));
        var task = Task.Run(() => new ImageFolderLayout().Discover(Source(root, "image-folder", new ImageFolderOptions([".png"]))));
        var d = await task.WaitAsync(TimeSpan.FromSeconds(20));   // a hang fails with a timeout
        Assert.Equal(["src/normal/a.png"], d.Items.Select(i => i.Key));
        var reject = Assert.Single(d.Rejects);
        Assert.Equal(("not-a-regular-file", "normal/pipe.png"), (reject.Reason, reject.Path));
        Assert.Contains("named pipe", reject.Message);

        var inspect = Task.Run(() => Inspector.Inspect(Path.Combine(root, "normal"), null, TestData.TempDir("fifo-inspect"), new ImageSettings(), null));
        var inspected = await inspect.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(inspected, i => i.Problem is not null && i.Problem.StartsWith("not-a-regular-file", StringComparison.Ordinal));
    }

    [Fact]
    public void Folder_links_are_followed_only_inside_the_root_and_loops_are_read_once()
    {
        var outside = TestData.TempDir("links-outside");
        Png(Path.Combine(outside, "secret", "x.png"));
        var root = TestData.TempDir("links");
        Png(Path.Combine(root, "normal", "a.png"));
        Directory.CreateSymbolicLink(Path.Combine(root, "escape"), Path.Combine(outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(root, "normal", "loop"), "..");
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine(root, "normal"));
        var d = new ImageFolderLayout().Discover(Source(root, "image-folder", new ImageFolderOptions([".png"])));
        Assert.Equal(["src/normal/a.png"], d.Items.Select(i => i.Key));
        Assert.Contains(d.Rejects, r => r is { Reason: "link-outside-root", Path: "escape" });
        // alias -> normal and normal/loop -> .. both reach folders already read: each refused once, nothing read twice.
        Assert.All(d.Rejects.Where(r => r.Reason == "link-loop"), r => Assert.True(r.Path.Length < 40, r.Path));
        Assert.DoesNotContain(d.Items, i => i.Key.Contains("loop/") || i.Key.Contains("alias/"));

        // The same policy for paths named in tables: a row through a linked folder that leaves the root is refused.
        Assert.Null(SourcePaths.ResolveInside(root, "escape/x.png", out var problem));
        Assert.Contains("outside the source root", problem);
    }

    [Fact]
    public void A_truncated_bmp_is_a_named_reject()
    {
        using var img = new Image<Rgb24>(120, 90, new Rgb24(10, 200, 30));
        using var ms = new MemoryStream();
        img.Save(ms, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
        var whole = ms.ToArray();
        Assert.Equal(120, RasterDecoder.Decode(whole, new ImageSettings()).Width);
        var cut = whole[..(whole.Length / 20)];
        var e = Assert.Throws<ItemRejectedException>(() => RasterDecoder.Decode(cut, new ImageSettings()));
        Assert.Equal("truncated-image", e.Reason);
        Assert.Contains("shorter than its header's pixel data needs", e.Message);
    }

    [Fact]
    public void Publishing_replaces_a_folder_in_one_step_and_leaves_nothing_aside()
    {
        var parent = TestData.TempDir("publish");
        var final = Path.Combine(parent, "bench");
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, "old.txt"), "old");
        var ready = Path.Combine(parent, "bench.incomplete");
        Directory.CreateDirectory(ready);
        File.WriteAllText(Path.Combine(ready, "new.txt"), "new");
        AtomicFolder.Replace(ready, final);
        Assert.Equal(["new.txt"], Directory.GetFiles(final).Select(Path.GetFileName));
        Assert.Equal(["bench"], Directory.GetDirectories(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void A_csv_with_an_unterminated_quote_or_a_ragged_row_names_the_line()
    {
        var t = CsvTable.Parse("file,label\na.png,normal\nb.png,\"pneu\nc.png,normal\nd.png,normal\n");
        Assert.Equal([2], t.Rows.Select(r => r.Line));
        var p = Assert.Single(t.Problems);
        Assert.Equal(3, p.Line);
        Assert.Contains("never closed", p.Message);

        var ragged = CsvTable.Parse("file,label\na.png,normal\nb.png,normal,extra\nc.png\n");
        Assert.Equal([2], ragged.Rows.Select(r => r.Line));
        Assert.Equal([3, 4], ragged.Problems.Select(x => x.Line));

        var root = TestData.TempDir("csv-bad");
        Png(Path.Combine(root, "img", "a.png"));
        File.WriteAllBytes(Path.Combine(root, "labels.csv"), [.. "file,label\na.png,normal\nb.png,"u8, 0xFF, 0xFE, (byte)'\n']);
        var d = new CsvLabelsLayout().Discover(Source(root, "csv-labels", new CsvLabelsOptions("labels.csv", "file", "label", ";", null, "img")));
        Assert.Contains(d.Rejects, r => r.Reason == "malformed-table" && r.Message.Contains("not UTF-8"));
    }

    [Fact]
    public void A_coco_file_of_the_wrong_shape_names_the_json_path()
    {
        var root = TestData.TempDir("coco-shape");
        File.WriteAllText(Path.Combine(root, "ann.json"), "[{\"id\": 1}]");
        var d = new CocoLayout().Discover(Source(root, "coco", new CocoOptions("ann.json", "")));
        var r = Assert.Single(d.Rejects);
        Assert.Equal("bad-annotation-file", r.Reason);
        Assert.Contains("$ must be a JSON object", r.Message);
        File.WriteAllText(Path.Combine(root, "ann.json"), "{\"images\": {}, \"annotations\": [], \"categories\": []}");
        Assert.Contains("$.images must be an array", Assert.Single(new CocoLayout().Discover(Source(root, "coco", new CocoOptions("ann.json", ""))).Rejects).Message);
        File.WriteAllText(Path.Combine(root, "ann.json"), "{\"images\": [");
        Assert.Contains("not valid JSON at line 1", Assert.Single(new CocoLayout().Discover(Source(root, "coco", new CocoOptions("ann.json", ""))).Rejects).Message);
    }

    [Fact]
    public void A_dataset_json_path_escaping_the_root_is_refused_as_such()
    {
        var root = TestData.TempDir("msd-escape");
        Directory.CreateDirectory(Path.Combine(root, "imagesTr"));
        File.WriteAllText(Path.Combine(root, "dataset.json"),
            """{"labels": {"0": "background", "1": "liver"}, "training": [{"image": "../../etc/passwd", "label": "./labelsTr/a.nii.gz"}]}""");
        var d = new MsdLayout().Discover(Source(root, "msd", new MsdOptions(new VolumeOptions(null, ["axial"], 0, 0))));
        var r = Assert.Single(d.Rejects);
        Assert.Equal("path-escapes-root", r.Reason);
        Assert.Contains("../../etc/passwd", r.Message);
    }

    [Fact]
    public void A_volume_over_the_memory_limit_is_refused_before_allocation()
    {
        var path = Path.Combine(TestData.TempDir("nifti-big"), "big.nii");
        var header = NiftiHeaderBytes(2047, 1024, 1024, datatype: 4, bitpix: 16);
        File.WriteAllBytes(path, [.. header, .. new byte[4096]]);
        var e = Assert.Throws<ItemRejectedException>(() => NiftiReader.Read(path, new NiftiReadOptions { MaxVoxelBytes = 1024L * 1024 * 1024 / 4 }));
        Assert.Equal("volume-too-large", e.Reason);
    }

    /// <summary>A NIfTI-1 header (348 bytes + 4-byte extension flag) declaring a 3D volume, little-endian.</summary>
    internal static byte[] NiftiHeaderBytes(short x, short y, short z, short datatype, short bitpix)
    {
        var h = new byte[352];
        BitConverter.GetBytes(348).CopyTo(h, 0);
        short[] dim = [3, x, y, z, 1, 1, 1, 1];
        for (var i = 0; i < 8; i++) BitConverter.GetBytes(dim[i]).CopyTo(h, 40 + 2 * i);
        BitConverter.GetBytes(datatype).CopyTo(h, 70);
        BitConverter.GetBytes(bitpix).CopyTo(h, 72);
        float[] pixdim = [1, 1, 1, 1, 1, 1, 1, 1];
        for (var i = 0; i < 8; i++) BitConverter.GetBytes(pixdim[i]).CopyTo(h, 76 + 4 * i);
        BitConverter.GetBytes(352f).CopyTo(h, 108);
        BitConverter.GetBytes((short)1).CopyTo(h, 252);   // qform_code
        "n+1\0"u8.ToArray().CopyTo(h, 344);
        return h;
    }
}

public class InspectPreviewTests
{
    [Fact]
    public void Previews_are_scaled_up_to_a_readable_size_with_crisp_pixels()
    {
        var dir = TestData.TempDir("inspect-preview");
        var path = Path.Combine(dir, "small.png");
        using (var img = new Image<Rgb24>(80, 60, new Rgb24(10, 20, 30)))
        {
            img[0, 0] = new Rgb24(255, 0, 0);
            img.SaveAsPng(path);
        }
        var result = Assert.Single(Inspector.Inspect(path, null, Path.Combine(dir, "out"), new ImageSettings(), null));
        Assert.Null(result.Problem);
        using var preview = Image.Load<Rgb24>(Assert.Single(result.Previews));
        Assert.Equal((560, 420), (preview.Width, preview.Height));   // 80 x 60 scaled by 7: the longer side reaches 512
        Assert.Equal(new Rgb24(255, 0, 0), preview[6, 6]);             // nearest neighbour: the corner pixel is a 7 x 7 block
        Assert.Equal(new Rgb24(10, 20, 30), preview[7, 7]);
    }
}

using System.Text.Json;
using GmaiBench.Imaging.Regions;
using GmaiBench.Sources;

namespace GmaiBench.Tests.Sources;

/// <summary>
/// Each annotation's canonical JSON (part of its items' hashes, so of every fingerprint and cache key) is byte for byte
/// what the reflection serialiser wrote for the same shapes before it was written by hand: stored work stays valid.
/// </summary>
public class AnnotationCanonicalTests
{
    private const string Tricky = "liver <left> & \"right\" é 肺 \t\\ 🫁";

    private static readonly VolumeOptions[] Options =
    [
        new(null, ["axial"], 0, 0),
        new("-160/240", ["axial", "coronal", "sagittal"], 2, 1),
        new(Tricky, [], 0, 3),
    ];


    [Fact]
    public void Box_annotations_keep_their_bytes()
    {
        foreach (var boxes in new[] { Array.Empty<LabelledBox>(), [new LabelledBox(Tricky, new PixelBox(-3, 0, 1023, 767), "row 2")], [new LabelledBox("a", new PixelBox(1, 2, 3, 4), "x"), new LabelledBox("b", new PixelBox(5, 6, 7, 8), "y")] })
        {
            var a = new BoxAnnotation(boxes);
            Assert.Equal(JsonSerializer.Serialize(boxes.Select(b => new object[] { b.Label, b.Box.X0, b.Box.Y0, b.Box.X1, b.Box.Y1 })), a.Canonical());
        }
    }

    [Fact]
    public void Volume_series_and_structure_annotations_keep_their_bytes()
    {
        var values = new Dictionary<int, string> { [12] = Tricky, [1] = "spleen", [-2] = "x" };
        foreach (var o in Options)
        {
            var volume = new VolumeAnnotation("/abs/labels/ct_001.nii.gz", "labels/ct_001 ü.nii.gz", values, o);
            Assert.Equal(JsonSerializer.Serialize(new
            {
                labels = volume.LabelRelative,
                values = values.OrderBy(kv => kv.Key).Select(kv => new object[] { kv.Key, kv.Value }),
                options = o,
            }), volume.Canonical());
            foreach (var (single, table) in new[] { (false, false), (true, true), (true, false) })
            {
                var series = new SeriesAnnotation(["a.dcm"], o) { SingleFile = single, GroupFromTable = table };
                Assert.Equal(JsonSerializer.Serialize(new { options = o, single_file = single, group_from_table = table }), series.Canonical());
            }
            var structures = new StructureAnnotation("/abs/rt.dcm", "RTSTRUCT <1>.dcm", ["a.dcm"], o);
            Assert.Equal(JsonSerializer.Serialize(new { structures = structures.ObjectRelative, options = o }), structures.Canonical());
        }
    }

    [Fact]
    public void Mask_annotations_keep_their_bytes()
    {
        var values = new Dictionary<int, string> { [255] = "lesion", [1] = Tricky };
        var colours = new Dictionary<string, string> { ["#ff0000"] = "liver", ["#00FF00"] = Tricky, ["#0000ff"] = "kidney" };
        foreach (var (v, c) in new[] { (values, colours), (new Dictionary<int, string>(), colours), (values, new Dictionary<string, string>()) })
        {
            var mask = new MaskAnnotation("/abs/m.png", "masks/m é.png", v, c);
            Assert.Equal(JsonSerializer.Serialize(new
            {
                mask = mask.MaskRelative,
                values = v.OrderBy(kv => kv.Key).Select(kv => new object[] { kv.Key, kv.Value }),
                colours = c.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new object[] { kv.Key, kv.Value }),
            }), mask.Canonical());
        }
    }
}

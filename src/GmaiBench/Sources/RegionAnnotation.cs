using System.Text.Json;
using GmaiBench.Imaging.Regions;
using GmaiBench.Model;

namespace GmaiBench.Sources;

/// <summary>A box on the source image's pixel grid (inclusive pixel indices, before clipping), with where it came from.</summary>
public sealed record LabelledBox(string Label, PixelBox Box, string Origin);

/// <summary>Detection boxes of one image.</summary>
public sealed record BoxAnnotation(IReadOnlyList<LabelledBox> Boxes) : RegionAnnotation
{
    public override string Canonical() =>
        JsonSerializer.Serialize(Boxes.Select(b => new object[] { b.Label, b.Box.X0, b.Box.Y0, b.Box.X1, b.Box.Y1 }));
}

/// <summary>A 3D label map in the image volume's grid: label values -> raw label, and how to window the image.</summary>
public sealed record VolumeAnnotation(string LabelPath, string LabelRelative, IReadOnlyDictionary<int, string> Values, VolumeOptions Options) : RegionAnnotation
{
    /// <summary>For a DICOM series: its files (the item's path is then the series folder); null for a NIfTI volume.</summary>
    public IReadOnlyList<string>? SeriesFiles { get; init; }

    public override IEnumerable<string> Files(string itemPath) => SeriesFiles is { } files ? [.. files, LabelPath] : [itemPath, LabelPath];

    public override string Canonical() => JsonSerializer.Serialize(new
    {
        labels = LabelRelative,
        values = Values.OrderBy(kv => kv.Key).Select(kv => new object[] { kv.Key, kv.Value }),
        options = Options,
    });
}

/// <summary>
/// A DICOM series (or one DICOM file) labelled as a whole by a table: no regions, the item's raw labels apply to every
/// slice cut from it, which become whole-image cases.
/// </summary>
public sealed record SeriesAnnotation(IReadOnlyList<string> SeriesFiles, VolumeOptions Options) : RegionAnnotation
{
    /// <summary>Whether the table named one file rather than a series folder.</summary>
    public bool SingleFile { get; init; }

    /// <summary>Whether the item's split group came from the table rather than from the series' Patient ID.</summary>
    public bool GroupFromTable { get; init; }

    public override IEnumerable<string> Files(string itemPath) => SeriesFiles;

    public override string Canonical() => JsonSerializer.Serialize(new { options = Options, single_file = SingleFile, group_from_table = GroupFromTable });
}

/// <summary>
/// An RT Structure Set or Segmentation object and the image series beside it that it is drawn on: its ROIs or segments
/// are the regions, named by the object (the raw labels are known once the object is read).
/// </summary>
public sealed record StructureAnnotation(string ObjectPath, string ObjectRelative, IReadOnlyList<string> SeriesFiles, VolumeOptions Options) : RegionAnnotation
{
    public override IEnumerable<string> Files(string itemPath) => [ObjectPath, .. SeriesFiles];

    public override string Canonical() => JsonSerializer.Serialize(new { structures = ObjectRelative, options = Options });
}

/// <summary>
/// Per-source volume settings: window (a CT preset name, "W/L" as "width/level", or "percentiles"; null = CT soft
/// tissue for CT and the 0.5-99.5 non-zero percentiles otherwise), slicing axes, extra slices, 4D volume index.
/// </summary>
public sealed record VolumeOptions(string? Window, IReadOnlyList<string> Axes, int ExtraSlices, int VolumeIndex);

/// <summary>A label-map image aligned with the item's image: label values (or colours "#rrggbb") -> raw label.</summary>
public sealed record MaskAnnotation(string MaskPath, string MaskRelative, IReadOnlyDictionary<int, string> Values, IReadOnlyDictionary<string, string> Colours) : RegionAnnotation
{
    public override IEnumerable<string> Files(string itemPath) => [itemPath, MaskPath];

    public override string Canonical() => JsonSerializer.Serialize(new
    {
        mask = MaskRelative,
        values = Values.OrderBy(kv => kv.Key).Select(kv => new object[] { kv.Key, kv.Value }),
        colours = Colours.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new object[] { kv.Key, kv.Value }),
    });
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using GmaiBench.Imaging.Regions;
using GmaiBench.Model;

namespace GmaiBench.Sources;

/// <summary>A box on the source image's pixel grid (inclusive pixel indices, before clipping), with where it came from.</summary>
public sealed record LabelledBox(string Label, PixelBox Box, string Origin);

/// <summary>Detection boxes of one image.</summary>
public sealed record BoxAnnotation(IReadOnlyList<LabelledBox> Boxes) : RegionAnnotation
{
    public override string Canonical() => CanonicalJson.Write(w =>
    {
        w.WriteStartArray();
        foreach (var b in Boxes)
        {
            w.WriteStartArray();
            w.WriteStringValue(b.Label);
            w.WriteNumberValue(b.Box.X0);
            w.WriteNumberValue(b.Box.Y0);
            w.WriteNumberValue(b.Box.X1);
            w.WriteNumberValue(b.Box.Y1);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    });
}

/// <summary>A 3D label map in the image volume's grid: label values -> raw label, and how to window the image.</summary>
public sealed record VolumeAnnotation(string LabelPath, string LabelRelative, IReadOnlyDictionary<int, string> Values, VolumeOptions Options) : RegionAnnotation
{
    /// <summary>For a DICOM series: its files (the item's path is then the series folder); null for a NIfTI volume.</summary>
    public IReadOnlyList<string>? SeriesFiles { get; init; }

    public override IEnumerable<string> Files(string itemPath) => SeriesFiles is { } files ? [.. files, LabelPath] : [itemPath, LabelPath];

    public override string Canonical() => CanonicalJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("labels", LabelRelative);
        CanonicalJson.Pairs(w, "values", Values.OrderBy(kv => kv.Key), (w, k) => w.WriteNumberValue(k));
        Options.Write(w, "options");
        w.WriteEndObject();
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

    public override string Canonical() => CanonicalJson.Write(w =>
    {
        w.WriteStartObject();
        Options.Write(w, "options");
        w.WriteBoolean("single_file", SingleFile);
        w.WriteBoolean("group_from_table", GroupFromTable);
        w.WriteEndObject();
    });
}

/// <summary>
/// An RT Structure Set or Segmentation object and the image series beside it that it is drawn on: its ROIs or segments
/// are the regions, named by the object (the raw labels are known once the object is read).
/// </summary>
public sealed record StructureAnnotation(string ObjectPath, string ObjectRelative, IReadOnlyList<string> SeriesFiles, VolumeOptions Options) : RegionAnnotation
{
    public override IEnumerable<string> Files(string itemPath) => [ObjectPath, .. SeriesFiles];

    public override string Canonical() => CanonicalJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("structures", ObjectRelative);
        Options.Write(w, "options");
        w.WriteEndObject();
    });
}

/// <summary>
/// Per-source volume settings: window (a CT preset name, "W/L" as "width/level", or "percentiles"; null = CT soft
/// tissue for CT and the 0.5-99.5 non-zero percentiles otherwise), slicing axes, extra slices, 4D volume index.
/// </summary>
public sealed record VolumeOptions(string? Window, IReadOnlyList<string> Axes, int ExtraSlices, int VolumeIndex)
{
    /// <summary>The options as property <paramref name="name"/> of an annotation's canonical JSON.</summary>
    internal void Write(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject(name);
        w.WriteString(nameof(Window), Window);
        w.WriteStartArray(nameof(Axes));
        foreach (var a in Axes) w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteNumber(nameof(ExtraSlices), ExtraSlices);
        w.WriteNumber(nameof(VolumeIndex), VolumeIndex);
        w.WriteEndObject();
    }
}

/// <summary>A label-map image aligned with the item's image: label values (or colours "#rrggbb") -> raw label.</summary>
public sealed record MaskAnnotation(string MaskPath, string MaskRelative, IReadOnlyDictionary<int, string> Values, IReadOnlyDictionary<string, string> Colours) : RegionAnnotation
{
    public override IEnumerable<string> Files(string itemPath) => [itemPath, MaskPath];

    public override string Canonical() => CanonicalJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("mask", MaskRelative);
        CanonicalJson.Pairs(w, "values", Values.OrderBy(kv => kv.Key), (w, k) => w.WriteNumberValue(k));
        CanonicalJson.Pairs(w, "colours", Colours.OrderBy(kv => kv.Key, StringComparer.Ordinal), (w, k) => w.WriteStringValue(k));
        w.WriteEndObject();
    });
}

/// <summary>
/// An annotation's canonical JSON (part of its items' hashes), written with <see cref="Utf8JsonWriter"/>'s defaults: the
/// bytes <see cref="JsonSerializer"/> wrote for the same shapes (the tests compare them), without building a reflection
/// serialiser for each anonymous shape on the first item of a build (~40 ms, paid by every hashing thread at once).
/// </summary>
internal static class CanonicalJson
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer)) body(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Property <paramref name="name"/>: the pairs as two-element arrays, the key written by <paramref name="key"/>
    /// (<c>[[1,"liver"],...]</c>, <c>[["#ff0000","liver"],...]</c>).
    /// </summary>
    public static void Pairs<TKey>(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<TKey, string>> pairs, Action<Utf8JsonWriter, TKey> key)
    {
        w.WriteStartArray(name);
        foreach (var (k, value) in pairs)
        {
            w.WriteStartArray();
            key(w, k);
            w.WriteStringValue(value);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}

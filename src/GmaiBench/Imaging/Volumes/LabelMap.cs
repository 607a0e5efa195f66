namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// A segmentation: a volume whose physical values are integer labels (0 = background), kept in its stored type
/// (usually uint8 or int16) so a label map costs no more memory than on disk.
/// </summary>
public sealed class LabelMap
{
    private LabelMap(Volume volume) => Volume = volume;

    /// <summary>Wraps <paramref name="volume"/> after checking every voxel is an integer label; throws <see cref="ArgumentException"/> if not.</summary>
    public static LabelMap From(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var bad = volume.FindNonIntegerLabel();
        if (bad is not null) throw new ArgumentException(NonIntegerMessage(bad), nameof(volume));
        return new LabelMap(volume);
    }

    /// <summary>The label map over <paramref name="volume"/>, or null with <paramref name="problem"/> saying why it is none.</summary>
    public static LabelMap? TryFrom(Volume volume, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var bad = volume.FindNonIntegerLabel();
        problem = bad is null ? null : NonIntegerMessage(bad);
        return bad is null ? new LabelMap(volume) : null;
    }

    /// <summary>Why a volume is no label map, naming the first voxel <paramref name="found"/> that is not an integer label.</summary>
    public static string NonIntegerMessage(string found) => $"a label map must hold integer labels in int range; found {found}";

    public Volume Volume { get; }

    public GridShape Shape => Volume.Shape;

    public Affine Affine => Volume.Affine;

    public VolumeGrid Grid => Volume.Grid;

    public int this[int i, int j, int k] => (int)Math.Round(Volume[i, j, k]);

    /// <summary>The same labels in canonical RAS+ order (a view, exact).</summary>
    public LabelMap ToCanonical()
    {
        var canonical = Volume.ToCanonical();
        return ReferenceEquals(canonical, Volume) ? this : new LabelMap(canonical);
    }

    /// <summary>Per-slice voxel counts of every label along <paramref name="axis"/>; the map must be canonical (RAS+).</summary>
    public LabelSliceAreas SliceAreas(SliceAxis axis)
    {
        RequireCanonical();
        return Volume.CountLabelAreas(axis);
    }

    /// <summary>Labels of one display plane, row-major, width x height of the plane.</summary>
    internal void ReadPlane(SlicePlane plane, Span<int> destination) => Volume.ReadLabelPlane(plane, destination);

    internal void RequireCanonical()
    {
        var codes = Volume.OrientationCodes;
        if (codes != Orientation.Canonical)
            throw new InvalidOperationException($"slices are defined on canonical RAS+ grids; this label map is {codes}: call ToCanonical() first");
    }
}

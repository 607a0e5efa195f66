using System.Runtime.CompilerServices;

namespace GmaiBench.Imaging.Volumes;

/// <summary>Voxel count of every non-zero label in every slice along one canonical axis, from one pass over a label map.</summary>
public sealed class LabelSliceAreas
{
    private readonly SortedDictionary<int, long[]> _areas;

    internal LabelSliceAreas(SliceAxis axis, int sliceCount, SortedDictionary<int, long[]> areas)
    {
        Axis = axis;
        SliceCount = sliceCount;
        _areas = areas;
        Labels = [.. areas.Keys];
    }

    public SliceAxis Axis { get; }

    public int SliceCount { get; }

    /// <summary>The non-zero labels present, ascending.</summary>
    public IReadOnlyList<int> Labels { get; }

    public bool Contains(int label) => _areas.ContainsKey(label);

    /// <summary>Voxels of <paramref name="label"/> per slice index; all zero for an absent label.</summary>
    public ReadOnlySpan<long> AreasOf(int label) => _areas.TryGetValue(label, out var a) ? a : new long[SliceCount];
}

/// <summary>Counts (slice, label) pairs: a dense table for labels 1..255, a sorted map beyond.</summary>
internal sealed class LabelAreaAccumulator(int sliceCount)
{
    private const int DenseLabels = 256;
    private readonly long[] _dense = new long[sliceCount * DenseLabels];
    private readonly SortedDictionary<int, long[]> _sparse = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slice, int label)
    {
        if ((uint)label < DenseLabels) _dense[slice * DenseLabels + label]++;
        else AddSparse(slice, label);
    }

    /// <summary>Adds <paramref name="count"/> voxels of <paramref name="label"/> in <paramref name="slice"/> (a run along a row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slice, int label, long count)
    {
        if ((uint)label < DenseLabels) _dense[slice * DenseLabels + label] += count;
        else AddSparse(slice, label, count);
    }

    private void AddSparse(int slice, int label, long count = 1)
    {
        if (!_sparse.TryGetValue(label, out var areas)) _sparse[label] = areas = new long[sliceCount];
        areas[slice] += count;
    }

    /// <summary>The counts as areas along <paramref name="axis"/>; <paramref name="reversed"/> numbers the slices from the far end.</summary>
    public LabelSliceAreas Build(SliceAxis axis, bool reversed = false)
    {
        var result = new SortedDictionary<int, long[]>();
        foreach (var (label, sparse) in _sparse)
        {
            var areas = (long[])sparse.Clone();
            if (reversed) Array.Reverse(areas);
            result[label] = areas;
        }
        for (var label = 1; label < DenseLabels; label++)
        {
            long[]? areas = null;
            for (var s = 0; s < sliceCount; s++)
            {
                var count = _dense[s * DenseLabels + label];
                if (count == 0) continue;
                areas ??= new long[sliceCount];
                areas[reversed ? sliceCount - 1 - s : s] = count;
            }
            if (areas is not null) result[label] = areas;
        }
        return new LabelSliceAreas(axis, sliceCount, result);
    }
}

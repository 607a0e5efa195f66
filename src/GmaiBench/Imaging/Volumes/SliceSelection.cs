namespace GmaiBench.Imaging.Volumes;

/// <summary>How slices are chosen for a label: along which canonical axis, how many extra slices, and the minimum area.</summary>
public sealed record SliceSelectionOptions
{
    public SliceAxis Axis { get; init; } = SliceAxis.Axial;

    /// <summary>Slices added beyond the best one, spread evenly through the label's extent along the axis.</summary>
    public int ExtraSlices { get; init; }

    /// <summary>Smallest label area, in voxels of the stored slice, for a slice to be kept; a label whose best slice is smaller is skipped.</summary>
    public long MinArea { get; init; } = 1;

    public SliceSelectionOptions Validate()
    {
        if (!Enum.IsDefined(Axis)) throw new ArgumentOutOfRangeException(nameof(Axis), $"unknown slice axis {(int)Axis}");
        if (ExtraSlices < 0) throw new ArgumentOutOfRangeException(nameof(ExtraSlices), $"extra slices must be 0 or more, got {ExtraSlices}");
        if (MinArea < 1) throw new ArgumentOutOfRangeException(nameof(MinArea), $"the minimum area must be at least 1 voxel, got {MinArea}");
        return this;
    }
}

/// <summary>One chosen slice: the label it shows, the canonical axis and index, the label's area there (voxels), and whether it is the best slice.</summary>
public readonly record struct SliceChoice(int Label, SliceAxis Axis, int Index, long Area, bool IsBest);

/// <summary>Chooses, per label, the slice with the largest area (ties: lowest index) plus evenly spread extra slices.</summary>
public static class SliceSelection
{
    /// <summary>Slices for <paramref name="label"/> of a canonical label map; empty when the label is absent or too small.</summary>
    public static IReadOnlyList<SliceChoice> Choose(LabelMap canonical, int label, SliceSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        options.Validate();
        return Choose(canonical.SliceAreas(options.Axis), label, options);
    }

    public static IReadOnlyList<SliceChoice> Choose(LabelSliceAreas areas, int label, SliceSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(areas);
        options.Validate();
        if (areas.Axis != options.Axis) throw new ArgumentException($"the areas were counted along {areas.Axis}, the options ask for {options.Axis}", nameof(areas));
        var perSlice = areas.AreasOf(label);
        var picked = Pick(perSlice, options.ExtraSlices, options.MinArea);
        var result = new List<SliceChoice>(picked.Count);
        for (var n = 0; n < picked.Count; n++) result.Add(new SliceChoice(label, options.Axis, picked[n], perSlice[picked[n]], n == 0));
        return result;
    }

    /// <summary>Slices for every label present, labels ascending.</summary>
    public static IReadOnlyList<SliceChoice> ChooseAll(LabelSliceAreas areas, SliceSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(areas);
        var result = new List<SliceChoice>();
        foreach (var label in areas.Labels) result.AddRange(Choose(areas, label, options));
        return result;
    }

    /// <summary>
    /// Slice indices from per-slice areas: first the largest area (lowest index on ties), then up to
    /// <paramref name="extraSlices"/> more at first + m x (last - first) / (extra + 1), m = 1..extra, over the
    /// extent [first, last] of non-zero area, ascending; a position already taken or below
    /// <paramref name="minArea"/> is dropped. Empty when the best area is below <paramref name="minArea"/>.
    /// </summary>
    public static IReadOnlyList<int> Pick(ReadOnlySpan<long> areas, int extraSlices, long minArea)
    {
        int best = -1, first = -1, last = -1;
        for (var s = 0; s < areas.Length; s++)
        {
            if (areas[s] <= 0) continue;
            if (first < 0) first = s;
            last = s;
            if (best < 0 || areas[s] > areas[best]) best = s;
        }
        if (best < 0 || areas[best] < minArea) return [];
        var result = new List<int> { best };
        for (var m = 1; m <= extraSlices; m++)
        {
            var position = (int)Math.Round(first + (double)m * (last - first) / (extraSlices + 1), MidpointRounding.AwayFromZero);
            if (areas[position] >= minArea && !result.Contains(position)) result.Add(position);
        }
        result.Sort(1, result.Count - 1, Comparer<int>.Default);
        return result;
    }
}

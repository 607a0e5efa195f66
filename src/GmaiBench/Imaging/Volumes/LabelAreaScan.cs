using System.Numerics;

namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// Counts every label's voxels per slice along the stored axes asked for while a label map streams past
/// (<see cref="IVoxelStream"/>), and checks each voxel is an integer label: the slice choice of a volume item without
/// the label map in memory. The counts are those <see cref="LabelMap.SliceAreas"/> gives for the whole map.
/// </summary>
public sealed class LabelAreaScan : IVoxelStream
{
    private readonly bool[] _counted = new bool[3];
    private IScan? _scan;

    /// <param name="storedAxes">The stored voxel axes (0 = i, 1 = j, 2 = k) to count along.</param>
    public LabelAreaScan(IEnumerable<int> storedAxes)
    {
        foreach (var axis in storedAxes)
        {
            if ((uint)axis > 2) throw new ArgumentOutOfRangeException(nameof(storedAxes), $"voxel axis {axis} is not 0, 1 or 2");
            _counted[axis] = true;
        }
    }

    public IVoxelRows<T> Open<T>(GridShape shape, VoxelScaling scaling) where T : unmanaged, INumber<T>
    {
        var scan = new Scan<T>(shape, scaling, _counted);
        _scan = scan;
        return scan;
    }

    /// <summary>
    /// The first voxel that is not an integer label in int range (as <see cref="LabelMap.From"/> words it), or null when
    /// all are. Checked by the caller once the stream has ended, so a damaged file is reported as such first.
    /// </summary>
    public string? NonIntegerLabel => Require().NonIntegerLabel;

    /// <summary>Per-slice label areas along canonical <paramref name="axis"/> of the grid <paramref name="toCanonical"/> describes.</summary>
    public LabelSliceAreas Areas(Reorientation toCanonical, SliceAxis axis)
    {
        ArgumentNullException.ThrowIfNull(toCanonical);
        var stored = toCanonical.SourceAxis((int)axis);
        if (!_counted[stored]) throw new InvalidOperationException($"voxel axis {stored} (the {axis} axis) was not counted");
        return Require().Build(stored, axis, toCanonical.Flipped((int)axis));
    }

    private IScan Require() => _scan ?? throw new InvalidOperationException("no label map has streamed through this scan");

    private interface IScan
    {
        string? NonIntegerLabel { get; }

        LabelSliceAreas Build(int storedAxis, SliceAxis axis, bool reversed);
    }

    private sealed class Scan<T> : IScan, IVoxelRows<T> where T : unmanaged, INumber<T>
    {
        private readonly GridShape _shape;
        private readonly VoxelScaling _scaling;
        private readonly bool _identity;
        private readonly bool _checkIntegers;
        private readonly LabelAreaAccumulator?[] _areas = new LabelAreaAccumulator?[3];

        public Scan(GridShape shape, VoxelScaling scaling, bool[] counted)
        {
            _shape = shape;
            _scaling = scaling;
            _identity = scaling.IsIdentity;
            // As Volume.FindNonIntegerLabel: narrow integer types with identity scaling always hold valid labels.
            _checkIntegers = !(_identity && VoxelTypes.Of<T>() is VoxelType.UInt8 or VoxelType.Int8 or VoxelType.Int16 or VoxelType.UInt16 or VoxelType.Int32);
            for (var a = 0; a < 3; a++)
                if (counted[a]) _areas[a] = new LabelAreaAccumulator(shape[a]);
        }

        public string? NonIntegerLabel { get; private set; }

        public LabelSliceAreas Build(int storedAxis, SliceAxis axis, bool reversed) => _areas[storedAxis]!.Build(axis, reversed);

        public void Rows(long firstRow, ReadOnlySpan<T> voxels)
        {
            int ni = _shape.Ni, nj = _shape.Nj;
            var rows = voxels.Length / ni;
            LabelAreaAccumulator? alongI = _areas[0], alongJ = _areas[1], alongK = _areas[2];
            for (var n = 0; n < rows; n++)
            {
                var r = firstRow + n;
                int j = (int)(r % nj), k = (int)(r / nj);
                var row = voxels.Slice(n * ni, ni);
                if (_checkIntegers && NonIntegerLabel is null) Check(row, r * ni);
                // Label maps are mostly background: with identity scaling zero runs are skipped with a vectorised search.
                for (var at = _identity ? row.IndexOfAnyExcept(T.Zero) : 0; at >= 0 && at < ni;)
                {
                    var length = _identity ? row[at..].IndexOf(T.Zero) : ni - at;
                    var end = length < 0 ? ni : at + length;
                    for (var i = at; i < end; i++)
                    {
                        // A float -0.0 is found by the search but is label 0; so is a scaled value that rounds to 0.
                        var label = LabelOf(row[i]);
                        if (label == 0) continue;
                        alongI?.Add(i, label);
                        alongJ?.Add(j, label);
                        alongK?.Add(k, label);
                    }
                    if (end == ni) break;
                    var next = row[end..].IndexOfAnyExcept(T.Zero);
                    at = next < 0 ? -1 : end + next;
                }
            }
        }

        private int LabelOf(T stored) =>
            _identity ? int.CreateTruncating(stored) : (int)Math.Round(_scaling.Apply(double.CreateTruncating(stored)));

        private void Check(ReadOnlySpan<T> row, long position)
        {
            for (var i = 0; i < row.Length; i++)
            {
                var value = _scaling.Apply(double.CreateTruncating(row[i]));
                if (!double.IsFinite(value) || value != Math.Round(value) || value < int.MinValue || value > int.MaxValue)
                {
                    NonIntegerLabel = LabelMap.NonIntegerMessage($"stored value {row[i]} (physical {value}) at storage position {position + i}");
                    return;
                }
            }
        }
    }
}

using System.Numerics;

namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// Counts every label's voxels per slice along the stored axes asked for while a label map streams past
/// (<see cref="IVoxelStream"/>), and checks each voxel is an integer label: the slice choice of a volume item without
/// the label map in memory. The counts are those <see cref="LabelMap.SliceAreas"/> gives for the whole map.
/// Asked to, it also keeps the map's non-zero runs (a label map is mostly background, and its labels come in long runs
/// along a row), so the chosen planes can be cut from them without reading the map again.
/// </summary>
public sealed class LabelAreaScan : IVoxelStream
{
    /// <summary>Runs kept at most (about 12 MB for a 16-bit map); a map with more is read again for its planes.</summary>
    public const int MaxRuns = 1 << 20;

    private readonly bool[] _counted = new bool[3];
    private readonly bool _keepRuns;
    private IScan? _scan;

    /// <param name="storedAxes">The stored voxel axes (0 = i, 1 = j, 2 = k) to count along.</param>
    /// <param name="keepRuns">Keep the non-zero runs (up to <see cref="MaxRuns"/>) for <see cref="KeptPlanes"/>.</param>
    public LabelAreaScan(IEnumerable<int> storedAxes, bool keepRuns = false)
    {
        _keepRuns = keepRuns;
        foreach (var axis in storedAxes)
        {
            if ((uint)axis > 2) throw new ArgumentOutOfRangeException(nameof(storedAxes), $"voxel axis {axis} is not 0, 1 or 2");
            _counted[axis] = true;
        }
    }

    public IVoxelRows<T> Open<T>(GridShape shape, VoxelScaling scaling) where T : unmanaged, INumber<T>
    {
        var scan = new Scan<T>(shape, scaling, _counted, _keepRuns);
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

    /// <summary>
    /// The map's <paramref name="planes"/> (stored axis and index) cut from the kept runs, as a volume on the stored grid
    /// (<paramref name="affine"/>) that reads like the whole map on those planes; null when the runs were not kept (not
    /// asked for, or more than <see cref="MaxRuns"/>), and the map must be read again.
    /// </summary>
    public Volume? KeptPlanes(IEnumerable<StoredPlane> planes, Affine affine) => Require().KeptPlanes(planes, affine);

    private IScan Require() => _scan ?? throw new InvalidOperationException("no label map has streamed through this scan");

    private interface IScan
    {
        string? NonIntegerLabel { get; }

        LabelSliceAreas Build(int storedAxis, SliceAxis axis, bool reversed);

        Volume? KeptPlanes(IEnumerable<StoredPlane> planes, Affine affine);
    }

    private sealed class Scan<T> : IScan, IVoxelRows<T> where T : unmanaged, INumber<T>
    {
        private readonly GridShape _shape;
        private readonly VoxelScaling _scaling;
        private readonly bool _identity;
        private readonly bool _checkIntegers;
        private readonly LabelAreaAccumulator?[] _areas = new LabelAreaAccumulator?[3];

        // Runs of one non-zero stored value: row r's runs are _rowRuns[r] .. _rowRuns[r + 1] - 1. Null once dropped.
        private int[]? _rowRuns;
        private int[] _runStart = [], _runLength = [];
        private T[] _runValue = [];
        private int _runCount;

        public Scan(GridShape shape, VoxelScaling scaling, bool[] counted, bool keepRuns)
        {
            if (keepRuns) _rowRuns = new int[checked((int)(shape.VoxelCount / shape.Ni) + 1)];
            _shape = shape;
            _scaling = scaling;
            _identity = scaling.IsIdentity;
            _checkIntegers = !LabelValues.AlwaysLabels(VoxelTypes.Of<T>(), scaling);
            for (var a = 0; a < 3; a++)
                if (counted[a]) _areas[a] = new LabelAreaAccumulator(shape[a]);
        }

        public string? NonIntegerLabel { get; private set; }

        public LabelSliceAreas Build(int storedAxis, SliceAxis axis, bool reversed) => _areas[storedAxis]!.Build(axis, reversed);

        public void Rows(long firstRow, ReadOnlySpan<T> voxels)
        {
            int ni = _shape.Ni, nj = _shape.Nj;
            var rows = voxels.Length / ni;
            // Stored zero is background unless a scaling makes it a label (an intercept): then zero stretches count too.
            var zeroLabel = LabelOf(T.Zero);
            for (var n = 0; n < rows; n++)
            {
                var r = firstRow + n;
                int j = (int)(r % nj), k = (int)(r / nj);
                var row = voxels.Slice(n * ni, ni);
                if (_checkIntegers && NonIntegerLabel is null) Check(row, r * ni);
                if (_rowRuns is not null) _rowRuns[r] = _runCount;
                // Label maps are mostly background and their labels come in runs along a row: both are found with
                // vectorised searches, and a run is counted at once along j and k (only i needs a count per voxel).
                for (var at = 0; at < ni;)
                {
                    var value = row[at];
                    var length = row[at..].IndexOfAnyExcept(value);
                    var end = length < 0 ? ni : at + length;
                    var stored0 = value == T.Zero;
                    var label = stored0 ? zeroLabel : LabelOf(value);
                    if (label != 0) Count(label, at, end, j, k);
                    if (!stored0 && _rowRuns is not null) KeepRun(at, end - at, value);
                    at = end;
                }
                if (_rowRuns is not null) _rowRuns[r + 1] = _runCount;
            }
        }

        private void Count(int label, int start, int end, int j, int k)
        {
            _areas[1]?.Add(j, label, end - start);
            _areas[2]?.Add(k, label, end - start);
            if (_areas[0] is { } alongI)
                for (var i = start; i < end; i++) alongI.Add(i, label);
        }

        private void KeepRun(int start, int length, T value)
        {
            if (_runCount == MaxRuns)
            {
                // Too fragmented to be worth keeping: the planes are read from the file again.
                (_rowRuns, _runStart, _runLength, _runValue) = (null, [], [], []);
                return;
            }
            if (_runCount == _runStart.Length)
            {
                var size = Math.Min(MaxRuns, Math.Max(4096, _runCount * 2));
                Array.Resize(ref _runStart, size);
                Array.Resize(ref _runLength, size);
                Array.Resize(ref _runValue, size);
            }
            _runStart[_runCount] = start;
            _runLength[_runCount] = length;
            _runValue[_runCount] = value;
            _runCount++;
        }

        public Volume? KeptPlanes(IEnumerable<StoredPlane> planes, Affine affine)
        {
            if (_rowRuns is null) return null;
            int ni = _shape.Ni, nj = _shape.Nj, rows = _rowRuns.Length - 1;
            T[]?[][] kept = [new T[]?[_shape.Ni], new T[]?[_shape.Nj], new T[]?[_shape.Nk]];
            foreach (var plane in planes.Distinct())
            {
                if ((uint)plane.Axis > 2 || (uint)plane.Index >= (uint)_shape[plane.Axis])
                    throw new ArgumentOutOfRangeException(nameof(planes), $"plane {plane.Index} along voxel axis {plane.Axis} is outside the {_shape} grid");
                var (u, v) = PlanesVolume<T>.InPlaneAxes(plane.Axis);
                var voxels = new T[(long)_shape[u] * _shape[v]];
                kept[plane.Axis][plane.Index] = voxels;
                for (var r = 0; r < rows; r++)
                {
                    int j = r % nj, k = r / nj;
                    if ((plane.Axis == 2 && k != plane.Index) || (plane.Axis == 1 && j != plane.Index)) continue;
                    for (var n = _rowRuns[r]; n < _rowRuns[r + 1]; n++)
                    {
                        int start = _runStart[n], length = _runLength[n];
                        if (plane.Axis == 0)
                        {
                            if (plane.Index >= start && plane.Index < start + length) voxels[(long)k * nj + j] = _runValue[n];
                            continue;
                        }
                        var row = plane.Axis == 2 ? (long)j * ni : (long)k * ni;
                        voxels.AsSpan((int)(row + start), length).Fill(_runValue[n]);
                    }
                }
            }
            return new PlanesVolume<T>(kept, _shape, affine, _scaling, null);
        }

        private int LabelOf(T stored) => LabelValues.Of(stored, _scaling, _identity);

        private void Check(ReadOnlySpan<T> row, long position)
        {
            for (var i = 0; i < row.Length; i++)
            {
                var value = _scaling.Apply(double.CreateTruncating(row[i]));
                if (!LabelValues.IsLabel(value))
                {
                    NonIntegerLabel = LabelMap.NonIntegerMessage($"stored value {row[i]} (physical {value}) at storage position {position + i}");
                    return;
                }
            }
        }
    }
}

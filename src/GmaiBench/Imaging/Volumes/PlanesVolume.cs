using System.Numerics;
using GmaiBench.Imaging.Intensity;

namespace GmaiBench.Imaging.Volumes;

/// <summary>A plane of a stored grid: voxel axis <see cref="Axis"/> (0 = i, 1 = j, 2 = k) held at <see cref="Index"/>.</summary>
public readonly record struct StoredPlane(int Axis, int Index);

/// <summary>
/// Keeps chosen planes of a volume while it streams past (<see cref="IVoxelStream"/>), and optionally the histogram its
/// percentile window needs: what slicing a volume needs, without the volume. <see cref="Volume"/> then gives a volume
/// that reads exactly like the whole one on the kept planes.
/// </summary>
public sealed class PlaneCollector : IVoxelStream
{
    private readonly StoredPlane[] _planes;
    private readonly bool _histogram;
    private ICollect? _collect;

    /// <param name="planes">The stored planes to keep (duplicates are kept once).</param>
    /// <param name="histogram">Count every value too (8- and 16-bit types) so percentile windows need no second read.</param>
    public PlaneCollector(IEnumerable<StoredPlane> planes, bool histogram = false)
    {
        ArgumentNullException.ThrowIfNull(planes);
        _planes = [.. planes.Distinct()];
        foreach (var p in _planes)
            if ((uint)p.Axis > 2) throw new ArgumentOutOfRangeException(nameof(planes), $"voxel axis {p.Axis} is not 0, 1 or 2");
        _histogram = histogram;
    }

    public IVoxelRows<T> Open<T>(GridShape shape, VoxelScaling scaling) where T : unmanaged, INumber<T>
    {
        var collect = new Collect<T>(shape, scaling, _planes, _histogram);
        _collect = collect;
        return collect;
    }

    /// <summary>
    /// The kept planes as a volume on the stored grid (<paramref name="affine"/>). Percentile windows come from the histogram
    /// when one was counted, else from <paramref name="replay"/>, which must stream the same volume again (one read per 16
    /// bits of a wider type); without either, asking for percentiles is an error.
    /// </summary>
    public Volume Volume(Affine affine, Action<IVoxelStream>? replay = null) =>
        (_collect ?? throw new InvalidOperationException("no volume has streamed through this collector")).Volume(affine, replay);

    private interface ICollect
    {
        Volume Volume(Affine affine, Action<IVoxelStream>? replay);
    }

    private sealed class Collect<T> : ICollect, IVoxelRows<T> where T : unmanaged, INumber<T>
    {
        private readonly GridShape _shape;
        private readonly VoxelScaling _scaling;
        // Per stored axis, the kept plane at each index (null where none): planes of k are Ni x Nj, of j Ni x Nk, of i Nj x Nk.
        private readonly T[]?[][] _planes;
        private readonly (int I, T[] Plane)[] _alongI;
        private readonly VolumePercentiles.NonZeroHistogram<T>? _histogram;

        public Collect(GridShape shape, VoxelScaling scaling, StoredPlane[] wanted, bool histogram)
        {
            _shape = shape;
            _scaling = scaling;
            _planes = [new T[]?[shape.Ni], new T[]?[shape.Nj], new T[]?[shape.Nk]];
            foreach (var p in wanted)
            {
                if ((uint)p.Index >= (uint)shape[p.Axis])
                    throw new ArgumentOutOfRangeException(nameof(wanted), $"plane {p.Index} along voxel axis {p.Axis} is outside the {shape} grid");
                var (u, v) = PlanesVolume<T>.InPlaneAxes(p.Axis);
                _planes[p.Axis][p.Index] = new T[(long)shape[u] * shape[v]];
            }
            _alongI = [.. _planes[0].Select((plane, i) => (i, plane)).Where(x => x.plane is not null).Select(x => (x.i, x.plane!))];
            if (histogram && VoxelTypes.Of<T>().Size() <= 2) _histogram = new VolumePercentiles.NonZeroHistogram<T>();
        }

        public void Rows(long firstRow, ReadOnlySpan<T> voxels)
        {
            int ni = _shape.Ni, nj = _shape.Nj;
            _histogram?.Add(voxels);
            var rows = voxels.Length / ni;
            T[]?[] byJ = _planes[1], byK = _planes[2];
            for (var n = 0; n < rows; n++)
            {
                var r = firstRow + n;
                int j = (int)(r % nj), k = (int)(r / nj);
                var row = voxels.Slice(n * ni, ni);
                if (byK[k] is { } planeK) row.CopyTo(planeK.AsSpan(j * ni, ni));
                if (byJ[j] is { } planeJ) row.CopyTo(planeJ.AsSpan(k * ni, ni));
                var at = (long)k * nj + j;
                foreach (var (i, plane) in _alongI) plane[at] = row[i];
            }
        }

        public Volume Volume(Affine affine, Action<IVoxelStream>? replay)
        {
            Func<double, double, PercentileWindow>? percentiles = null;
            if (_histogram is { } histogram) percentiles = (low, high) => histogram.Window(_scaling, low, high);
            else if (replay is not null)
                percentiles = (low, high) => VolumePercentiles.NonZero<T>(visit => replay(new ChunkVisitor(_shape, visit)), _scaling, low, high);
            return new PlanesVolume<T>(_planes, _shape, affine, _scaling, percentiles);
        }

        /// <summary>Hands each streamed block to a visitor (a percentile pass over a volume read again).</summary>
        private sealed class ChunkVisitor(GridShape shape, VoxelChunk<T> visit) : IVoxelStream, IVoxelRows<T>
        {
            public IVoxelRows<TOther> Open<TOther>(GridShape other, VoxelScaling scaling) where TOther : unmanaged, INumber<TOther>
            {
                if (other != shape || typeof(TOther) != typeof(T))
                    throw new InvalidOperationException($"the volume read again is a {other} {typeof(TOther).Name} grid, not the {shape} {typeof(T).Name} one first read");
                return (IVoxelRows<TOther>)(object)this;
            }

            public void Rows(long firstRow, ReadOnlySpan<T> voxels) => visit(voxels);
        }
    }
}

/// <summary>
/// A volume of which only some planes were kept (<see cref="PlaneCollector"/>): it reads exactly like the whole volume on
/// those planes (display planes, voxels, the canonical view) and refuses any other. Percentile windows come from what the
/// collector counted or from reading the volume again; label areas were counted as it streamed (<see cref="LabelAreaScan"/>).
/// </summary>
internal sealed class PlanesVolume<T> : Volume where T : unmanaged, INumber<T>
{
    private readonly T[]?[][] _planes;
    private readonly GridShape _stored;
    // Null: this is the stored order; else the view's axes and flips over the stored grid.
    private readonly Reorientation? _view;
    private readonly Func<double, double, PercentileWindow>? _percentiles;

    internal PlanesVolume(T[]?[][] planes, GridShape stored, Affine affine, VoxelScaling scaling, Func<double, double, PercentileWindow>? percentiles)
        : base(stored, affine, scaling)
    {
        _planes = planes;
        _stored = stored;
        _percentiles = percentiles;
    }

    private PlanesVolume(PlanesVolume<T> stored, Reorientation view) : base(view.Shape, view.Affine, stored.Scaling)
    {
        _planes = stored._planes;
        _stored = stored._stored;
        _percentiles = stored._percentiles;
        _view = view;
    }

    public override VoxelType VoxelType => VoxelTypes.Of<T>();

    /// <summary>The two stored axes spanning a plane of <paramref name="axis"/>, the faster one first.</summary>
    internal static (int U, int V) InPlaneAxes(int axis) => axis switch { 0 => (1, 2), 1 => (0, 2), _ => (0, 1) };

    private int SourceAxis(int axis) => _view?.SourceAxis(axis) ?? axis;

    private bool Flipped(int axis) => _view?.Flipped(axis) ?? false;

    public override double StoredAsDouble(int i, int j, int k)
    {
        if ((uint)i >= (uint)Shape.Ni || (uint)j >= (uint)Shape.Nj || (uint)k >= (uint)Shape.Nk)
            throw new ArgumentOutOfRangeException(nameof(i), $"voxel ({i}, {j}, {k}) is outside the {Shape} grid");
        var (si, sj, sk) = _view?.StoredIndex(i, j, k) ?? (i, j, k);
        if (_planes[2][sk] is { } planeK) return double.CreateTruncating(planeK[(long)sj * _stored.Ni + si]);
        if (_planes[1][sj] is { } planeJ) return double.CreateTruncating(planeJ[(long)sk * _stored.Ni + si]);
        if (_planes[0][si] is { } planeI) return double.CreateTruncating(planeI[(long)sk * _stored.Nj + sj]);
        throw new InvalidOperationException($"voxel ({i}, {j}, {k}) lies on no kept plane");
    }

    public override Volume ToCanonical()
    {
        if (_view is not null) return this;
        var r = Orientation.ToCanonical(Shape, Affine);
        return r.IsIdentity ? this : new PlanesVolume<T>(this, r);
    }

    /// <summary>The kept plane behind display plane <paramref name="plane"/>, the element of display pixel (0, 0) and the steps to the next column and row.</summary>
    private (T[] Plane, long Start, long ColumnStep, long RowStep, int Width, int Height) PlaneWalk(SlicePlane plane)
    {
        var fixedAxis = plane.FixedAxis;
        if ((uint)plane.Index >= (uint)Shape[fixedAxis])
            throw new ArgumentOutOfRangeException(nameof(plane), $"slice {plane.Index} is outside 0..{Shape[fixedAxis] - 1} along the {plane.Axis} axis");
        var storedAxis = SourceAxis(fixedAxis);
        var storedIndex = Flipped(fixedAxis) ? _stored[storedAxis] - 1 - plane.Index : plane.Index;
        var kept = _planes[storedAxis][storedIndex]
                   ?? throw new InvalidOperationException($"the {plane.Axis.ToString().ToLowerInvariant()} slice {plane.Index} was not kept when the volume was read");
        var (u, _) = InPlaneAxes(storedAxis);
        // Element step and start offset of one view axis inside the kept plane (u runs fastest, then v).
        (long Origin, long Step) Along(int viewAxis)
        {
            var source = SourceAxis(viewAxis);
            long step = source == u ? 1 : _stored[u];
            return Flipped(viewAxis) ? ((_stored[source] - 1) * step, -step) : (0, step);
        }
        int columnAxis = plane.ColumnAxis, rowAxis = plane.RowAxis;
        int width = Shape[columnAxis], height = Shape[rowAxis];
        var (columnOrigin, columnStep) = Along(columnAxis);
        var (rowOrigin, rowStep) = Along(rowAxis);
        var start = columnOrigin + rowOrigin;
        if (plane.ColumnReversed) { start += (width - 1) * columnStep; columnStep = -columnStep; }
        if (plane.RowReversed) { start += (height - 1) * rowStep; rowStep = -rowStep; }
        return (kept, start, columnStep, rowStep, width, height);
    }

    internal override void ReadPlane(SlicePlane plane, Span<double> destination)
    {
        var (voxels, start, columnStep, rowStep, width, height) = PlaneWalk(plane);
        PlaneCopy.Values(voxels, start, columnStep, rowStep, width, height, Scaling, destination);
    }

    internal override void ReadLabelPlane(SlicePlane plane, Span<int> destination)
    {
        var (voxels, start, columnStep, rowStep, width, height) = PlaneWalk(plane);
        PlaneCopy.Labels(voxels, start, columnStep, rowStep, width, height, Scaling, destination);
    }

    internal override LabelSliceAreas CountLabelAreas(SliceAxis axis) =>
        throw new NotSupportedException("a volume of kept planes cannot count label areas: they are counted while the map streams (LabelAreaScan)");

    /// <summary>Checks the kept planes, the only voxels this volume can give.</summary>
    internal override string? FindNonIntegerLabel()
    {
        for (var axis = 0; axis < 3; axis++)
        {
            for (var index = 0; index < _planes[axis].Length; index++)
            {
                if (_planes[axis][index] is not { } plane) continue;
                foreach (var stored in plane)
                {
                    var value = Scaling.Apply(double.CreateTruncating(stored));
                    if (!LabelValues.IsLabel(value))
                        return $"stored value {stored} (physical {value}) in plane {index} of voxel axis {axis}";
                }
            }
        }
        return null;
    }

    internal override PercentileWindow NonZeroPercentiles(double lowPercent, double highPercent) =>
        (_percentiles ?? throw new InvalidOperationException("this volume's values were not counted when it was read, and it cannot be read again"))(lowPercent, highPercent);

    /// <summary>Kept planes are small and are left to the collector.</summary>
    internal override void ReturnVoxels(VoxelBufferPool pool) { }
}

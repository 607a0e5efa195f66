using System.Numerics;
using GmaiBench.Imaging.Intensity;

namespace GmaiBench.Imaging.Volumes;

/// <summary>
/// A 3D image: voxels in their stored type, the shape, the voxel-to-world affine (RAS+, millimetres) and the
/// stored-to-physical scaling. Reorientation returns a view over the same voxels, never a copy.
/// </summary>
public abstract class Volume
{
    private protected Volume(GridShape shape, Affine affine, VoxelScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(affine);
        if (!affine.IsFinite) throw new ArgumentException($"the affine has non-finite entries: {affine}", nameof(affine));
        if (!double.IsFinite(scaling.Slope) || scaling.Slope == 0 || !double.IsFinite(scaling.Intercept))
            throw new ArgumentException($"the scaling must have a finite non-zero slope and a finite intercept, got {scaling}", nameof(scaling));
        Shape = shape;
        Affine = affine;
        Scaling = scaling;
    }

    public GridShape Shape { get; }

    /// <summary>Voxel index to world position (RAS+, millimetres).</summary>
    public Affine Affine { get; }

    public VoxelScaling Scaling { get; }

    public VolumeGrid Grid => new(Shape, Affine);

    /// <summary>Voxel size along voxel axis <paramref name="axis"/>, in millimetres.</summary>
    public double Spacing(int axis) => Affine.ColumnLength(axis);

    /// <summary>Orientation codes of the voxel axes, e.g. "LPS"; "RAS" once canonical.</summary>
    public string OrientationCodes => Orientation.Codes(Affine);

    public abstract VoxelType VoxelType { get; }

    /// <summary>Bytes held by the voxel array (shared by views of it).</summary>
    public long StoredBytes => Shape.VoxelCount * VoxelType.Size();

    /// <summary>Physical value (stored x slope + intercept) of voxel (i, j, k).</summary>
    public double this[int i, int j, int k] => Scaling.Apply(StoredAsDouble(i, j, k));

    public abstract double StoredAsDouble(int i, int j, int k);

    /// <summary>This volume in canonical RAS+ order: a view (permuted, flipped strides) over the same voxels; exact.</summary>
    public abstract Volume ToCanonical();

    /// <summary>Physical values of one display plane of this grid, row-major (see <see cref="SlicePlane"/>).</summary>
    internal abstract void ReadPlane(SlicePlane plane, Span<double> destination);

    /// <summary>Label values of one display plane; the caller has checked that every value is an integer label.</summary>
    internal abstract void ReadLabelPlane(SlicePlane plane, Span<int> destination);

    internal abstract LabelSliceAreas CountLabelAreas(SliceAxis axis);

    /// <summary>The first voxel whose physical value is not an integer in int range, as text; null when all are.</summary>
    internal abstract string? FindNonIntegerLabel();

    internal abstract PercentileWindow NonZeroPercentiles(double lowPercent, double highPercent);

    internal abstract void ReturnVoxels(VoxelBufferPool pool);
}

/// <summary>A volume whose voxels are stored as <typeparamref name="T"/> (uint8 ... float64), as read from disk.</summary>
public sealed class Volume<T> : Volume where T : unmanaged, INumber<T>
{
    private readonly T[] _voxels;
    // Element offset of voxel (0, 0, 0) and element strides per voxel axis; negative for a flipped view.
    private readonly long _offset;
    private readonly long _strideI, _strideJ, _strideK;

    /// <summary>
    /// A volume over the first <see cref="GridShape.VoxelCount"/> elements of <paramref name="voxels"/> in NIfTI order
    /// (i fastest, then j, then k); a longer array (a pooled buffer) is allowed, its tail is ignored.
    /// </summary>
    public Volume(T[] voxels, GridShape shape, Affine affine, VoxelScaling? scaling = null)
        : this(voxels, shape, affine, scaling ?? VoxelScaling.Identity, 0, 1, shape.Ni, (long)shape.Ni * shape.Nj)
    {
        if (voxels.LongLength < shape.VoxelCount)
            throw new ArgumentException($"{voxels.LongLength} voxels given for a {shape} grid ({shape.VoxelCount} voxels)", nameof(voxels));
    }

    private Volume(T[] voxels, GridShape shape, Affine affine, VoxelScaling scaling, long offset, long strideI, long strideJ, long strideK)
        : base(shape, affine, scaling)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        VoxelType = VoxelTypes.Of<T>();
        _voxels = voxels;
        _offset = offset;
        _strideI = strideI;
        _strideJ = strideJ;
        _strideK = strideK;
    }

    public override VoxelType VoxelType { get; }

    /// <summary>Every stored voxel, in storage order (not view order): for whole-volume statistics.</summary>
    public ReadOnlySpan<T> StoredVoxels => _voxels.AsSpan(0, (int)Shape.VoxelCount);

    public T Stored(int i, int j, int k) => _voxels[IndexOf(i, j, k)];

    public override double StoredAsDouble(int i, int j, int k) => double.CreateTruncating(Stored(i, j, k));

    /// <summary>Copies the stored values of row (j, k), i = 0 .. Ni-1, in view order.</summary>
    public void CopyRow(int j, int k, Span<T> destination)
    {
        if (destination.Length < Shape.Ni) throw new ArgumentException($"the row needs {Shape.Ni} elements", nameof(destination));
        var p = IndexOf(0, j, k);
        for (var i = 0; i < Shape.Ni; i++, p += _strideI) destination[i] = _voxels[p];
    }

    private long IndexOf(int i, int j, int k)
    {
        if ((uint)i >= (uint)Shape.Ni || (uint)j >= (uint)Shape.Nj || (uint)k >= (uint)Shape.Nk)
            throw new ArgumentOutOfRangeException(nameof(i), $"voxel ({i}, {j}, {k}) is outside the {Shape} grid");
        return _offset + i * _strideI + j * _strideJ + k * _strideK;
    }

    private long Stride(int axis) => axis switch { 0 => _strideI, 1 => _strideJ, _ => _strideK };

    public override Volume<T> ToCanonical()
    {
        var r = Orientation.ToCanonical(Shape, Affine);
        if (r.IsIdentity) return this;
        var offset = _offset;
        Span<long> strides = stackalloc long[3];
        for (var a = 0; a < 3; a++)
        {
            var source = r.SourceAxis(a);
            var stride = Stride(source);
            if (r.Flipped(a))
            {
                offset += (Shape[source] - 1) * stride;
                stride = -stride;
            }
            strides[a] = stride;
        }
        return new Volume<T>(_voxels, r.Shape, r.Affine, Scaling, offset, strides[0], strides[1], strides[2]);
    }

    /// <summary>Element offset of display pixel (0, 0) and the steps to the next column and row.</summary>
    private (long Start, long ColumnStep, long RowStep, int Width, int Height) PlaneWalk(SlicePlane plane)
    {
        var fixedAxis = plane.FixedAxis;
        if ((uint)plane.Index >= (uint)Shape[fixedAxis])
            throw new ArgumentOutOfRangeException(nameof(plane), $"slice {plane.Index} is outside 0..{Shape[fixedAxis] - 1} along the {plane.Axis} axis");
        int columnAxis = plane.ColumnAxis, rowAxis = plane.RowAxis;
        int width = Shape[columnAxis], height = Shape[rowAxis];
        var start = _offset + plane.Index * Stride(fixedAxis);
        long columnStep = Stride(columnAxis), rowStep = Stride(rowAxis);
        if (plane.ColumnReversed) { start += (width - 1) * columnStep; columnStep = -columnStep; }
        if (plane.RowReversed) { start += (height - 1) * rowStep; rowStep = -rowStep; }
        return (start, columnStep, rowStep, width, height);
    }

    internal override void ReadPlane(SlicePlane plane, Span<double> destination)
    {
        var (start, columnStep, rowStep, width, height) = PlaneWalk(plane);
        PlaneCopy.Values(_voxels, start, columnStep, rowStep, width, height, Scaling, destination);
    }

    internal override void ReadLabelPlane(SlicePlane plane, Span<int> destination)
    {
        var (start, columnStep, rowStep, width, height) = PlaneWalk(plane);
        PlaneCopy.Labels(_voxels, start, columnStep, rowStep, width, height, Scaling, destination);
    }

    private int LabelOf(T stored, bool identity) => LabelValues.Of(stored, Scaling, identity);

    internal override LabelSliceAreas CountLabelAreas(SliceAxis axis)
    {
        // Walk the voxels in memory order (outer loop on the largest |stride|) so the pass streams through the
        // array whatever the view's permutation; the slice index is the view coordinate along the chosen axis.
        Span<int> order = [0, 1, 2];
        order.Sort((a, b) => Math.Abs(Stride(b)).CompareTo(Math.Abs(Stride(a))));
        int o0 = order[0], o1 = order[1], o2 = order[2];
        var sliceAxis = (int)axis;
        var accumulator = new LabelAreaAccumulator(Shape[sliceAxis]);
        var identity = Scaling.IsIdentity;
        long s0 = Stride(o0), s1 = Stride(o1), s2 = Stride(o2);
        int n0 = Shape[o0], n1 = Shape[o1], n2 = Shape[o2];
        // Label maps are mostly background: with unit inner stride and stored 0 meaning label 0, zero runs are
        // skipped with a vectorised search instead of voxel by voxel.
        var skipZeros = Math.Abs(s2) == 1 && identity;
        for (var c0 = 0; c0 < n0; c0++)
        {
            for (var c1 = 0; c1 < n1; c1++)
            {
                var p = _offset + c0 * s0 + c1 * s1;
                var fixedSlice = sliceAxis == o0 ? c0 : sliceAxis == o1 ? c1 : -1;
                if (skipZeros)
                {
                    // The row's n2 voxels occupy [p, p + n2) or, walking backwards, (p - n2, p].
                    var low = s2 > 0 ? p : p - (n2 - 1);
                    var row = new ReadOnlySpan<T>(_voxels, (int)low, n2);
                    // Find each run of non-zero voxels with two vectorised searches, then count the run voxel by voxel.
                    for (var at = row.IndexOfAnyExcept(T.Zero); at >= 0;)
                    {
                        var length = row[at..].IndexOf(T.Zero);
                        var end = length < 0 ? n2 : at + length;
                        for (var x = at; x < end; x++)
                        {
                            // A float -0.0 is found by the search but is label 0.
                            var label = LabelOf(row[x], true);
                            if (label != 0) accumulator.Add(fixedSlice >= 0 ? fixedSlice : (s2 > 0 ? x : n2 - 1 - x), label);
                        }
                        if (end == n2) break;
                        var next = row[end..].IndexOfAnyExcept(T.Zero);
                        at = next < 0 ? -1 : end + next;
                    }
                    continue;
                }
                for (var c2 = 0; c2 < n2; c2++, p += s2)
                {
                    var label = LabelOf(_voxels[p], identity);
                    if (label != 0) accumulator.Add(fixedSlice >= 0 ? fixedSlice : c2, label);
                }
            }
        }
        return accumulator.Build(axis);
    }

    internal override string? FindNonIntegerLabel()
    {
        if (LabelValues.AlwaysLabels(VoxelType, Scaling)) return null;
        var voxels = StoredVoxels;
        for (var p = 0; p < voxels.Length; p++)
        {
            var value = Scaling.Apply(double.CreateTruncating(voxels[p]));
            if (!LabelValues.IsLabel(value)) return $"stored value {voxels[p]} (physical {value}) at storage position {p}";
        }
        return null;
    }

    internal override void ReturnVoxels(VoxelBufferPool pool) => pool.Keep(_voxels);

    internal override PercentileWindow NonZeroPercentiles(double lowPercent, double highPercent) =>
        VolumePercentiles.NonZero<T>(_voxels.AsMemory(0, (int)Shape.VoxelCount), Scaling, lowPercent, highPercent);
}

/// <summary>What makes a stored value a label, shared by whole volumes, kept planes and the streamed label scan.</summary>
internal static class LabelValues
{
    /// <summary>Narrow integer types with identity scaling always hold valid labels: nothing to check.</summary>
    public static bool AlwaysLabels(VoxelType type, VoxelScaling scaling) =>
        scaling.IsIdentity && type is VoxelType.UInt8 or VoxelType.Int8 or VoxelType.Int16 or VoxelType.UInt16 or VoxelType.Int32;

    /// <summary>A physical value is a label when it is a finite integer in int range.</summary>
    public static bool IsLabel(double value) => double.IsFinite(value) && value == Math.Round(value) && value >= int.MinValue && value <= int.MaxValue;

    /// <summary>The label of a stored value (identity scaling: the value itself; else the physical value rounded).</summary>
    public static int Of<T>(T stored, VoxelScaling scaling, bool identity) where T : unmanaged, INumber<T> =>
        identity ? int.CreateTruncating(stored) : (int)Math.Round(scaling.Apply(double.CreateTruncating(stored)));
}

/// <summary>Copies one display plane out of a voxel array, given the element of pixel (0, 0) and the steps to the next column and row.</summary>
internal static class PlaneCopy
{
    public static void Values<T>(T[] voxels, long start, long columnStep, long rowStep, int width, int height, VoxelScaling scaling, Span<double> destination)
        where T : unmanaged, INumber<T>
    {
        if (destination.Length < width * height) throw new ArgumentException("destination too small", nameof(destination));
        double slope = scaling.Slope, intercept = scaling.Intercept;
        for (var y = 0; y < height; y++)
        {
            var p = start + y * rowStep;
            var row = destination.Slice(y * width, width);
            for (var x = 0; x < row.Length; x++, p += columnStep) row[x] = double.CreateTruncating(voxels[p]) * slope + intercept;
        }
    }

    public static void Labels<T>(T[] voxels, long start, long columnStep, long rowStep, int width, int height, VoxelScaling scaling, Span<int> destination)
        where T : unmanaged, INumber<T>
    {
        if (destination.Length < width * height) throw new ArgumentException("destination too small", nameof(destination));
        var identity = scaling.IsIdentity;
        for (var y = 0; y < height; y++)
        {
            var p = start + y * rowStep;
            var row = destination.Slice(y * width, width);
            for (var x = 0; x < row.Length; x++, p += columnStep) row[x] = LabelValues.Of(voxels[p], scaling, identity);
        }
    }
}

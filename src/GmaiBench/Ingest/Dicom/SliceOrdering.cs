using System.Globalization;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>One image plane to stack: a name for messages (a file or a frame), its Image Position and Orientation (Patient).</summary>
public sealed record DicomPlane(string Name, PatientVector Position, PlaneOrientation Orientation);

/// <summary>Gaps between neighbouring slices along the normal, millimetres; <see cref="Uneven"/> when one strays past the tolerance.</summary>
public sealed record SliceSpacingStats(double MinMm, double MedianMm, double MaxMm, double MeanMm, bool Uneven)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"slice gaps {MinMm:0.####}..{MaxMm:0.####} mm, median {MedianMm:0.####} mm, mean {MeanMm:0.####} mm{(Uneven ? " (uneven)" : "")}");
}

/// <summary>
/// Planes in slice order: <see cref="Order"/>[k] is the index (into the input) of slice k. <see cref="Step"/> goes from one
/// slice's position to the next (LPS, millimetres), <see cref="Origin"/> is the position of slice 0.
/// </summary>
public sealed record SliceStack(IReadOnlyList<int> Order, PatientVector Origin, PlaneOrientation Orientation, PatientVector Step, SliceSpacingStats Spacing);

/// <summary>
/// Orders planes along the slice normal and checks they form a regular grid, as GDCM's IPPSorter orders them but with
/// each failure detected and named: inconsistent orientation, duplicate positions, gantry tilt, uneven gaps.
/// Pure: no files, no clock; the result does not depend on the order of the input.
/// </summary>
public static class SliceOrdering
{
    /// <summary>Orders two or more planes; rejects with the reasons in <see cref="DicomRejects"/>.</summary>
    public static SliceStack Order(IReadOnlyList<DicomPlane> planes, DicomReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(planes);
        ArgumentNullException.ThrowIfNull(options);
        if (planes.Count < 2) throw new ArgumentException($"ordering needs at least two planes, got {planes.Count}", nameof(planes));

        // The reference orientation is the one of the plane with the smallest name, so it does not depend on input order.
        var reference = 0;
        for (var p = 1; p < planes.Count; p++)
        {
            if (string.CompareOrdinal(planes[p].Name, planes[reference].Name) < 0) reference = p;
        }
        var orientation = planes[reference].Orientation;
        foreach (var plane in planes)
        {
            var difference = plane.Orientation.MaxDifference(orientation);
            if (difference > options.OrientationTolerance)
            {
                throw new ItemRejectedException(DicomRejects.InconsistentOrientation, string.Create(CultureInfo.InvariantCulture,
                    $"{plane.Name} has Image Orientation (Patient) {plane.Orientation}, {planes[reference].Name} has {orientation} (direction cosines differ by {difference:0.######}, tolerance {options.OrientationTolerance})"));
            }
        }

        // PS3.3 C.7.6.2.1.1: the normal is the cross product of the row and column directions; a slice's place along it
        // is the dot product of its position with the normal.
        var normal = orientation.Normal;
        var along = new double[planes.Count];
        for (var p = 0; p < planes.Count; p++) along[p] = planes[p].Position.Dot(normal);
        var order = Enumerable.Range(0, planes.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = along[a].CompareTo(along[b]);
            return c != 0 ? c : string.CompareOrdinal(planes[a].Name, planes[b].Name);
        });

        var gaps = new double[order.Length - 1];
        for (var k = 0; k + 1 < order.Length; k++)
        {
            gaps[k] = along[order[k + 1]] - along[order[k]];
            if (gaps[k] < options.PositionToleranceMm)
            {
                throw new ItemRejectedException(DicomRejects.DuplicateSlicePosition, string.Create(CultureInfo.InvariantCulture,
                    $"{planes[order[k]].Name} and {planes[order[k + 1]].Name} are {gaps[k]:0.######} mm apart along the slice normal {normal} (positions {planes[order[k]].Position} and {planes[order[k + 1]].Position})"));
            }
        }

        var first = planes[order[0]];
        for (var k = 1; k < order.Length; k++)
        {
            // A tilted gantry shifts each slice within its plane: the offset from slice 0 has a part across the normal.
            var offset = planes[order[k]].Position - first.Position;
            var distance = offset.Dot(normal);
            var across = (offset - normal * distance).Length;
            if (across > options.PositionToleranceMm + options.TiltSlope * Math.Abs(distance))
            {
                var degrees = Math.Atan2(across, Math.Abs(distance)) * 180 / Math.PI;
                throw new ItemRejectedException(DicomRejects.GantryTilt, string.Create(CultureInfo.InvariantCulture,
                    $"{planes[order[k]].Name} lies {across:0.###} mm off the slice normal through {first.Name} ({degrees:0.##} degrees of tilt): the slices do not form a rectangular grid"));
            }
        }

        var sorted = (double[])gaps.Clone();
        Array.Sort(sorted);
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var mean = (along[order[^1]] - along[order[0]]) / gaps.Length;
        var worst = 0;
        for (var k = 1; k < gaps.Length; k++)
        {
            if (Math.Abs(gaps[k] - median) > Math.Abs(gaps[worst] - median)) worst = k;
        }
        var uneven = Math.Abs(gaps[worst] - median) > options.SliceSpacingTolerance * median;
        if (uneven && !options.AcceptUnevenSpacing)
        {
            throw new ItemRejectedException(DicomRejects.UnevenSliceSpacing, string.Create(CultureInfo.InvariantCulture,
                $"the gap between {planes[order[worst]].Name} and {planes[order[worst + 1]].Name} is {gaps[worst]:0.####} mm, the median gap {median:0.####} mm (tolerance {options.SliceSpacingTolerance:P0}){(gaps[worst] > 1.5 * median ? "; a slice may be missing" : "")}"));
        }

        var last = planes[order[^1]];
        var step = (last.Position - first.Position) * (1.0 / (order.Length - 1));
        var stats = new SliceSpacingStats(sorted[0], median, sorted[^1], mean, uneven);
        return new SliceStack(order, first.Position, first.Orientation, step, stats);
    }
}

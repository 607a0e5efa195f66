using System.Globalization;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>A point or direction in DICOM patient coordinates (LPS: x to the patient's left, y posterior, z superior), millimetres.</summary>
public readonly record struct PatientVector(double X, double Y, double Z)
{
    public static PatientVector operator +(PatientVector a, PatientVector b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    public static PatientVector operator -(PatientVector a, PatientVector b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    public static PatientVector operator *(PatientVector a, double s) => new(a.X * s, a.Y * s, a.Z * s);

    public double Dot(PatientVector b) => X * b.X + Y * b.Y + Z * b.Z;

    public PatientVector Cross(PatientVector b) => new(Y * b.Z - Z * b.Y, Z * b.X - X * b.Z, X * b.Y - Y * b.X);

    public double Length => Math.Sqrt(Dot(this));

    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Z);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({X:0.####}, {Y:0.####}, {Z:0.####})");
}

/// <summary>
/// Image Orientation (Patient) (0020,0037), DICOM PS3.3 C.7.6.2.1.1: <see cref="Row"/> is the direction of the first row
/// (towards increasing column index), <see cref="Column"/> the direction of the first column (towards increasing row
/// index); both unit vectors in LPS.
/// </summary>
public readonly record struct PlaneOrientation
{
    // Direction cosines are written as decimal strings of limited precision; 1e-3 accepts any real writer's rounding
    // while refusing vectors that are not directions at all.
    private const double UnitTolerance = 1e-3;

    private PlaneOrientation(PatientVector row, PatientVector column)
    {
        Row = row;
        Column = column;
    }

    public PatientVector Row { get; }

    public PatientVector Column { get; }

    /// <summary>Row x Column: the slice normal, the direction slices are ordered along (PS3.3 C.7.6.2.1.1).</summary>
    public PatientVector Normal
    {
        get
        {
            var n = Row.Cross(Column);
            return n * (1 / n.Length);
        }
    }

    /// <summary>
    /// From the six values of Image Orientation (Patient), normalised; rejects (invalid-geometry) a count other than six,
    /// non-finite values, or vectors that are not unit length and perpendicular within 1e-3.
    /// </summary>
    public static PlaneOrientation FromCosines(ReadOnlySpan<double> cosines, string source)
    {
        if (cosines.Length != 6)
            throw new ItemRejectedException(DicomRejects.InvalidGeometry, $"{source}: Image Orientation (Patient) has {cosines.Length} values, not 6");
        var row = new PatientVector(cosines[0], cosines[1], cosines[2]);
        var column = new PatientVector(cosines[3], cosines[4], cosines[5]);
        if (!row.IsFinite || !column.IsFinite
            || Math.Abs(row.Length - 1) > UnitTolerance || Math.Abs(column.Length - 1) > UnitTolerance
            || Math.Abs(row.Dot(column)) > UnitTolerance)
        {
            throw new ItemRejectedException(DicomRejects.InvalidGeometry,
                $"{source}: Image Orientation (Patient) {row} {column} is not two perpendicular unit vectors");
        }
        return new PlaneOrientation(row * (1 / row.Length), column * (1 / column.Length));
    }

    /// <summary>The largest difference between corresponding direction cosines of the two orientations.</summary>
    public double MaxDifference(PlaneOrientation other) =>
        Math.Max(
            Math.Max(Math.Max(Math.Abs(Row.X - other.Row.X), Math.Abs(Row.Y - other.Row.Y)), Math.Abs(Row.Z - other.Row.Z)),
            Math.Max(Math.Max(Math.Abs(Column.X - other.Column.X), Math.Abs(Column.Y - other.Column.Y)), Math.Abs(Column.Z - other.Column.Z)));

    public override string ToString() => $"row {Row}, column {Column}";
}

/// <summary>
/// Pixel Spacing (0028,0030), DICOM PS3.3 10.7.1.3: the first value is the distance between the centres of adjacent
/// rows (the vertical spacing, along <see cref="PlaneOrientation.Column"/>), the second the distance between adjacent
/// columns (the horizontal spacing, along <see cref="PlaneOrientation.Row"/>); millimetres.
/// </summary>
public readonly record struct PixelSpacing
{
    public PixelSpacing(double betweenRows, double betweenColumns)
    {
        if (!(betweenRows > 0 && double.IsFinite(betweenRows)) || !(betweenColumns > 0 && double.IsFinite(betweenColumns)))
            throw new ArgumentOutOfRangeException(nameof(betweenRows), $"pixel spacing must be positive, got {betweenRows} \\ {betweenColumns}");
        BetweenRows = betweenRows;
        BetweenColumns = betweenColumns;
    }

    /// <summary>Distance between adjacent rows (the first value of Pixel Spacing), millimetres.</summary>
    public double BetweenRows { get; }

    /// <summary>Distance between adjacent columns (the second value of Pixel Spacing), millimetres.</summary>
    public double BetweenColumns { get; }

    /// <summary>From the two values in file order [row spacing, column spacing]; rejects (invalid-geometry) malformed values.</summary>
    public static PixelSpacing FromValues(ReadOnlySpan<double> values, string source)
    {
        if (values.Length != 2 || !(values[0] > 0 && double.IsFinite(values[0])) || !(values[1] > 0 && double.IsFinite(values[1])))
        {
            throw new ItemRejectedException(DicomRejects.InvalidGeometry,
                $"{source}: Pixel Spacing must be two positive numbers, got [{string.Join(", ", values.ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture)))}]");
        }
        return new PixelSpacing(values[0], values[1]);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{BetweenRows} mm between rows, {BetweenColumns} mm between columns");
}

/// <summary>Builds the project's voxel-to-world affine (RAS+, millimetres) from DICOM patient geometry (LPS).</summary>
public static class DicomAffine
{
    /// <summary>
    /// Voxel (i, j, k) = (column, row, slice) maps to origin + i x column spacing x Row + j x row spacing x Column + k x
    /// <paramref name="sliceStep"/> in LPS (PS3.3 C.7.6.2.1.1); RAS is LPS with x and y negated.
    /// </summary>
    /// <param name="orientation">Image Orientation (Patient) of the slices.</param>
    /// <param name="spacing">Pixel Spacing.</param>
    /// <param name="origin">Image Position (Patient) of the first slice: the centre of its first transmitted pixel.</param>
    /// <param name="sliceStep">From one slice's position to the next (LPS, millimetres).</param>
    public static Affine ToRas(PlaneOrientation orientation, PixelSpacing spacing, PatientVector origin, PatientVector sliceStep)
    {
        var i = orientation.Row * spacing.BetweenColumns;
        var j = orientation.Column * spacing.BetweenRows;
        var k = sliceStep;
        return Affine.FromRows(
        [
            Negate(i.X), Negate(j.X), Negate(k.X), Negate(origin.X),
            Negate(i.Y), Negate(j.Y), Negate(k.Y), Negate(origin.Y),
            i.Z, j.Z, k.Z, origin.Z,
        ]);
    }

    // Zero stays +0 so the affine prints without "-0".
    private static double Negate(double v) => v == 0 ? 0 : -v;
}

namespace GmaiBench.Imaging.Volumes;

/// <summary>The canonical (RAS+) axis slices are taken along: sagittal along R (i), coronal along A (j), axial along S (k).</summary>
public enum SliceAxis
{
    Sagittal = 0,
    Coronal = 1,
    Axial = 2,
}

/// <summary>
/// One slice of a canonical RAS+ grid laid out for display: axial has anterior at the top and the patient's right
/// on the image's left (radiological); coronal has superior at the top and the patient's right on the left;
/// sagittal has superior at the top and anterior on the left.
/// </summary>
public readonly record struct SlicePlane(SliceAxis Axis, int Index)
{
    /// <summary>The canonical axis held fixed at <see cref="Index"/>.</summary>
    public int FixedAxis => (int)Axis;

    /// <summary>The canonical axis that runs along image columns: i (R) for axial and coronal, j (A) for sagittal.</summary>
    public int ColumnAxis => Axis == SliceAxis.Sagittal ? 1 : 0;

    /// <summary>The canonical axis that runs down image rows: j (A) for axial, k (S) otherwise.</summary>
    public int RowAxis => Axis == SliceAxis.Axial ? 1 : 2;

    // In RAS+ every in-plane index grows towards the patient's right, anterior or superior; each of those
    // sides is shown at the left or top, so display column 0 and row 0 hold the highest indices.

    /// <summary>True: display column 0 is the last canonical index along <see cref="ColumnAxis"/>.</summary>
    public bool ColumnReversed => true;

    /// <summary>True: display row 0 is the last canonical index along <see cref="RowAxis"/>.</summary>
    public bool RowReversed => true;
}

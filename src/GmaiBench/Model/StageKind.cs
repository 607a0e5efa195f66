namespace GmaiBench.Model;

/// <summary>The per-item pixel stage an item goes through, chosen by its source's layout.</summary>
public enum StageKind
{
    /// <summary>Whole 2D images (classification).</summary>
    Raster,
    /// <summary>2D images with marked regions (detection, 2D segmentation).</summary>
    Region,
    /// <summary>Volumes sliced into 2D images (NIfTI, DICOM).</summary>
    Volume,
}

/// <summary>The one place stage kinds are spelled (reject rows, reports).</summary>
public static class StageKindNames
{
    public static string Text(this StageKind s) => s switch
    {
        StageKind.Raster => "raster",
        StageKind.Region => "region",
        StageKind.Volume => "volume",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "not a stage kind"),
    };
}

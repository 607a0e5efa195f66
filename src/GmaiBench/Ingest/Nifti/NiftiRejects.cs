using GmaiBench.Model;
namespace GmaiBench.Ingest.Nifti;

/// <summary>The reasons a NIfTI file is rejected with (<see cref="Raster.ItemRejectedException.Reason"/>).</summary>
public static class NiftiRejects
{
    /// <summary>sizeof_hdr is neither 348 nor 540 in either byte order, or the magic is not n+1/ni1/n+2/ni2.</summary>
    public const string NotNifti = "not-nifti";

    /// <summary>A NIfTI file whose data is not an image volume: a CIFTI matrix, a surface or vector field (by intent code or dimensions).</summary>
    public const string NotAnImage = "not-an-image";

    /// <summary>A header field is impossible: dim[0] outside 1..7, a dimension below 1, a bad vox_offset or geometry.</summary>
    public const string CorruptHeader = "corrupt-header";

    public const string UnsupportedDatatype = "unsupported-datatype";

    /// <summary>The declared voxel data exceeds the configured cap or what an array can hold.</summary>
    public const string VolumeTooLarge = "volume-too-large";

    public const string VolumeIndexOutOfRange = "volume-index-out-of-range";

    /// <summary>The file (or the inflated gzip stream) ends before the declared header or voxel data.</summary>
    public const string TruncatedFile = "truncated-file";

    public const string CorruptGzip = "corrupt-gzip";

    public const string UnreadableFile = "unreadable-file";

    /// <summary>A .hdr without its .img (or the reverse), or an extension that is not a NIfTI one.</summary>
    public const string MissingFile = "missing-file";

    public const string NonIntegerLabels = "non-integer-labels";
}

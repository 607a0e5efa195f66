namespace GmaiBench.Sources.Layouts;

/// <summary>NIfTI file names: single files (<c>.nii</c>, <c>.nii.gz</c>) and header/image pairs (<c>.hdr</c>/<c>.img</c>, optionally gzipped).</summary>
public static class NiftiFileNames
{
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".nii", ".nii.gz", ".hdr", ".hdr.gz", ".img", ".img.gz"];

    public static bool IsNiftiPath(string path) => Extension(path) is not null;

    /// <summary>The NIfTI extension of <paramref name="path"/> (longest match first), or null.</summary>
    public static string? Extension(string path)
    {
        foreach (var ext in new[] { ".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".hdr", ".img" })
        {
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return ext;
        }
        return null;
    }
}

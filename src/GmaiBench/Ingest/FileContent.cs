using System.Buffers.Binary;
using System.IO.Compression;

namespace GmaiBench.Ingest;

/// <summary>What a file holds, told from its first bytes.</summary>
public enum ContentKind
{
    Other,
    Dicom,
    Nifti,
    Raster,
}

/// <summary>
/// Tells DICOM, NIfTI and raster images apart by content, never by name: a DICOM preamble and "DICM" (or a data set
/// starting with a group 0002 or 0008 element, as old ACR-NEMA style files do), NIfTI's header size (348 or 540, in
/// either byte order, gzipped or not), PNG, JPEG, BMP and TIFF signatures. Only regular files are given to it.
/// </summary>
public static class FileContent
{
    public static ContentKind Of(string path)
    {
        Span<byte> head = stackalloc byte[132];
        int got;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 512);
            got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                // gzip: a .nii.gz (NIfTI's only compressed form); the header size is the first four inflated bytes.
                file.Position = 0;
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                Span<byte> inner = stackalloc byte[4];
                try { return gz.ReadAtLeast(inner, 4, throwOnEndOfStream: false) == 4 && IsNiftiSize(inner) ? ContentKind.Nifti : ContentKind.Other; }
                catch (InvalidDataException) { return ContentKind.Other; }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ContentKind.Other;
        }
        var bytes = head[..got];
        if (got >= 132 && bytes[128..132].SequenceEqual("DICM"u8)) return ContentKind.Dicom;
        if (got >= 4 && IsNiftiSize(bytes)) return ContentKind.Nifti;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
            || bytes.StartsWith("BM"u8) || bytes.StartsWith("II*\0"u8) || bytes.StartsWith("MM\0*"u8))
            return ContentKind.Raster;
        // No preamble: a data set that starts with a file meta (0002) or identifying (0008) group element, explicit VR
        // (two capital letters after the tag) or implicit (a small even length), as DicomElementWalk accepts.
        if (got >= 8)
        {
            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
            var explicitVr = bytes[4] is >= (byte)'A' and <= (byte)'Z' && bytes[5] is >= (byte)'A' and <= (byte)'Z';
            var implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
            if (group is 0x0002 or 0x0008 && (explicitVr || implicitLength is < 1024 and > 0 && implicitLength % 2 == 0)) return ContentKind.Dicom;
        }
        return ContentKind.Other;
    }

    /// <summary>The .img half of an Analyze/NIfTI pair: read through its .hdr, not on its own.</summary>
    public static bool IsAnalyzeVoxels(string path) =>
        path.EndsWith(".img", StringComparison.OrdinalIgnoreCase) && File.Exists(Path.ChangeExtension(path, ".hdr"));

    /// <summary>A few words on a file that is not an image, for <c>gmai inspect</c>'s list of ignored files.</summary>
    public static string Describe(string path)
    {
        if (IsAnalyzeVoxels(path)) return $"voxel data of {Path.GetFileName(Path.ChangeExtension(path, ".hdr"))}, read with it";
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => "a JSON sidecar (metadata, not an image): ignored",
            ".bval" or ".bvec" => "diffusion gradient table (not an image): ignored",
            ".txt" or ".csv" or ".tsv" or ".md" => "text (not an image): ignored",
            _ => "not a DICOM, NIfTI or raster image by its content: ignored",
        };
    }

    private static bool IsNiftiSize(ReadOnlySpan<byte> first4)
    {
        var little = BinaryPrimitives.ReadInt32LittleEndian(first4);
        var big = BinaryPrimitives.ReadInt32BigEndian(first4);
        return little is 348 or 540 || big is 348 or 540;
    }
}

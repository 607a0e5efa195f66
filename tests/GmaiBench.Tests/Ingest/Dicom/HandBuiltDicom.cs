using System.Buffers.Binary;
using GmaiBench.Ingest.Dicom;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>
/// DICOM objects written byte by byte (<see cref="DicomDataSet"/>) with pixel values the test knows: every bit depth,
/// byte order, photometric interpretation and planar configuration, independent of GDCM's writer.
/// </summary>
public static class HandBuiltDicom
{
    public const string SecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";
    public const string UltrasoundMultiFrame = "1.2.840.10008.5.1.4.1.1.3.1";
    public const string RtDose = "1.2.840.10008.5.1.4.1.1.481.2";
    public const string CtImage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>An image's header without pixels: identity, an axial plane at LPS (-10, -20, 30), 0.5 x 0.8 mm pixels.</summary>
    public static DicomDataSet Image(string sopClass, string modality, int columns, int rows, int frames, string photometric, int samples,
        int bitsAllocated, int bitsStored, int pixelRepresentation, string seed = "hand", string patient = "P-H")
    {
        var d = new DicomDataSet()
            .Text(0x0008, 0x0016, "UI", sopClass)
            .Text(0x0008, 0x0018, "UI", DicomUid.FromSeed(seed + "/instance"))
            .Text(0x0008, 0x0060, "CS", modality)
            .Text(0x0010, 0x0020, "LO", patient)
            .Text(0x0020, 0x000D, "UI", DicomUid.FromSeed(seed + "/study"))
            .Text(0x0020, 0x000E, "UI", DicomUid.FromSeed(seed + "/series"))
            .Text(0x0020, 0x0052, "UI", DicomUid.FromSeed(seed + "/frame-of-reference"))
            .Decimals(0x0020, 0x0032, -10, -20, 30)
            .Decimals(0x0020, 0x0037, 1, 0, 0, 0, 1, 0)
            .UShort(0x0028, 0x0002, (ushort)samples)
            .Text(0x0028, 0x0004, "CS", photometric)
            .UShort(0x0028, 0x0010, (ushort)rows)
            .UShort(0x0028, 0x0011, (ushort)columns)
            .Decimals(0x0028, 0x0030, 0.8, 0.5)
            .UShort(0x0028, 0x0100, (ushort)bitsAllocated)
            .UShort(0x0028, 0x0101, (ushort)bitsStored)
            .UShort(0x0028, 0x0102, (ushort)(bitsStored - 1))
            .UShort(0x0028, 0x0103, (ushort)pixelRepresentation);
        if (frames > 1) d.Integer(0x0028, 0x0008, frames);
        if (samples == 3) d.UShort(0x0028, 0x0006, 0);
        return d;
    }

    /// <summary>Pixel Data from little endian samples: OB for 8-bit samples, OW otherwise (swapped per sample when written big endian).</summary>
    public static DicomDataSet Pixels(this DicomDataSet d, byte[] littleEndian, int bitsAllocated) =>
        d.Binary(0x7FE0, 0x0010, bitsAllocated <= 8 ? "OB" : "OW", littleEndian, Math.Max(1, bitsAllocated / 8));

    public static byte[] Samples16(IEnumerable<int> values) => values.SelectMany(v => { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); return b; }).ToArray();

    public static byte[] Samples32(IEnumerable<long> values) => values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); return b; }).ToArray();

    public static string Write(DicomDataSet d, string name, DicomEncoding encoding = DicomEncoding.ExplicitVrLittleEndian, string? dir = null)
    {
        var path = Path.Combine(dir ?? TestData.TempDir("hand-dicom"), name);
        d.WriteFile(path, encoding);
        return path;
    }

    /// <summary>Re-encodes a file with GDCM into a compressed transfer syntax (its colour codecs are what is tested).</summary>
    public static string Compress(string path, DicomTransferSyntax syntax, string name)
    {
        var output = Path.Combine(Path.GetDirectoryName(path)!, name);
        DicomWriter.Transcode(path, output, syntax);
        return output;
    }
}

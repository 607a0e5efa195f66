using System.Numerics;
using System.Runtime.InteropServices;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Decodes the pixel data of one file through GDCM's ImageReader (every transfer syntax GDCM has a codec for) into a
/// typed array, and brings stored values to their Bits Stored range (PS3.5 8.1.1): bits above High Bit are masked off
/// and signed values sign-extended, whether or not the codec already did so.
/// </summary>
internal static class DicomPixels
{
    /// <summary>Transfer syntaxes GDCM 3.0 decodes (PS3.6 annex A); anything else (video, JPIP references) is refused up front.</summary>
    private static readonly HashSet<string> Decodable = new(StringComparer.Ordinal)
    {
        DicomElementWalk.ImplicitVrLittleEndian,
        DicomElementWalk.ExplicitVrLittleEndian,
        DicomElementWalk.DeflatedExplicitVrLittleEndian,
        DicomElementWalk.ExplicitVrBigEndian,
        "1.2.840.10008.1.2.4.50", // JPEG baseline (process 1)
        "1.2.840.10008.1.2.4.51", // JPEG extended (processes 2 and 4)
        "1.2.840.10008.1.2.4.57", // JPEG lossless (process 14)
        "1.2.840.10008.1.2.4.70", // JPEG lossless, first-order prediction (process 14, selection value 1)
        "1.2.840.10008.1.2.4.80", // JPEG-LS lossless
        "1.2.840.10008.1.2.4.81", // JPEG-LS near-lossless
        "1.2.840.10008.1.2.4.90", // JPEG 2000 lossless
        "1.2.840.10008.1.2.4.91", // JPEG 2000
        "1.2.840.10008.1.2.5",    // RLE lossless
    };

    public static bool CanDecode(string transferSyntaxUid) => Decodable.Contains(transferSyntaxUid);

    /// <summary>
    /// Decodes every frame of <paramref name="header"/>'s file into <paramref name="target"/> (at least Rows x Columns x
    /// frames elements), in file order: column fastest, then row, then frame.
    /// </summary>
    public static void Decode<T>(DicomHeader header, T[] target) where T : unmanaged, IBinaryInteger<T>
    {
        var expected = header.PixelBytes;
        if (target.LongLength * Marshal.SizeOf<T>() < expected) throw new ArgumentException("the target array is smaller than the file's pixels", nameof(target));
        if (header.Layout.PixelDataOffset >= 0)
        {
            // Native pixel data is read here, not by GDCM: its ImageReader swaps big endian OW data in 16-bit words whatever
            // Bits Allocated is, so 32-bit big endian values came out with their halves exchanged, and it aborts on some
            // single-frame RT Dose headers before reading a pixel.
            ReadNative(header).AsSpan().CopyTo(MemoryMarshal.AsBytes(target.AsSpan()));
        }
        else
        {
            DecodeWithGdcm(header, target, expected);
        }
        Normalise(target.AsSpan(0, (int)(expected / Marshal.SizeOf<T>())), header.BitsStored, header.PixelRepresentation == 1);
    }

    /// <summary>Compressed (or deflated) pixel data through GDCM's codecs, into <paramref name="target"/>.</summary>
    private static void DecodeWithGdcm<T>(DicomHeader header, T[] target, long expected) where T : unmanaged, IBinaryInteger<T> =>
        GdcmRuntime.Guard(header.Name, DicomRejects.CorruptPixelData, () =>
        {
            using var reader = new gdcm.ImageReader();
            reader.SetFileName(header.Path);
            if (!reader.Read()) throw GdcmRuntime.Failed(Corrupt(header, "GDCM could not read the image"));
            // GetImage and GetPixelFormat hand out references into the reader, which owns and frees them.
            var image = reader.GetImage();
            CheckImage(header, image, expected);
            // GDCM writes GetBufferLength() bytes into the array whatever its size, so the size was checked above. The
            // binding's GetArray(short[]) and GetArray(ushort[]) abort the process (a C++ assertion) unless the scalar
            // type is exactly INT16 or UINT16, so they are called only then, chosen by typeof(T): a type pattern would
            // not do, as the runtime lets a ushort[] pass for a short[].
            var scalar = image.GetPixelFormat().GetScalarType();
            var ok = typeof(T) == typeof(short) && scalar == gdcm.PixelFormat.ScalarType.INT16 ? image.GetArray((short[])(object)target)
                : typeof(T) == typeof(ushort) && scalar == gdcm.PixelFormat.ScalarType.UINT16 ? image.GetArray((ushort[])(object)target)
                : typeof(T) == typeof(byte) ? image.GetBuffer((byte[])(object)target)
                : DecodeViaBytes(image, target, expected);
            if (!ok) throw GdcmRuntime.Failed(Corrupt(header, $"the {header.Layout.TransferSyntaxUid} decoder failed"));
            return true;
        });

    /// <summary>
    /// The native Pixel Data of <paramref name="header"/>'s file as little endian samples (PS3.5 8.1.1, A.3): a big endian
    /// file's values are swapped in words of Bits Allocated (8-bit data stored as OW in 16-bit words).
    /// </summary>
    public static byte[] ReadNative(DicomHeader header)
    {
        var count = header.NativeBytes;
        var bytes = new byte[count];
        try
        {
            using var file = new FileStream(header.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            file.Position = header.Layout.PixelDataOffset;
            file.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw Corrupt(header, $"Pixel Data ends before the {count} bytes the header declares");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ItemRejectedException(DicomRejects.UnreadableFile, $"{header.Name}: the pixel data cannot be read from disk");
        }
        if (header.Layout.BigEndian)
        {
            var unit = header.BitsAllocated <= 8 ? header.Layout.PixelDataVr == "OW" ? 2 : 1 : header.BitsAllocated / 8;
            if (unit > 1)
                for (var n = 0; n + unit <= bytes.Length; n += unit) bytes.AsSpan(n, unit).Reverse();
        }
        return bytes;
    }

    /// <summary>
    /// Every frame's samples as GDCM decodes a compressed file, with the photometric interpretation and planar
    /// configuration of its output (a JPEG codec may hand YBR data back as RGB).
    /// </summary>
    public static (byte[] Bytes, string Photometric, int Planar) DecodeCompressed(DicomHeader header) =>
        GdcmRuntime.Guard(header.Name, DicomRejects.CorruptPixelData, () =>
        {
            using var reader = new gdcm.ImageReader();
            reader.SetFileName(header.Path);
            if (!reader.Read()) throw GdcmRuntime.Failed(Corrupt(header, "GDCM could not read the image"));
            var image = reader.GetImage();
            CheckImage(header, image, header.PixelBytes);
            var bytes = new byte[header.PixelBytes];
            if (!image.GetBuffer(bytes)) throw GdcmRuntime.Failed(Corrupt(header, $"the {header.Layout.TransferSyntaxUid} decoder failed"));
            var photometric = image.GetPhotometricInterpretation().GetString()?.Trim() ?? header.Photometric;
            return (bytes, photometric.ToUpperInvariant(), (int)image.GetPlanarConfiguration());
        });

    private static bool DecodeViaBytes<T>(gdcm.Image image, T[] target, long expected) where T : unmanaged
    {
        var bytes = new byte[expected];
        if (!image.GetBuffer(bytes)) return false;
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(target.AsSpan()));
        return true;
    }

    /// <summary>The decoded image must be what the header promised, or GDCM's buffer would not fit the array.</summary>
    private static void CheckImage(DicomHeader header, gdcm.Image image, long expected)
    {
        var dimensions = image.GetNumberOfDimensions();
        var frames = dimensions >= 3 ? image.GetDimension(2) : 1;
        var format = image.GetPixelFormat();
        if (image.GetDimension(0) != header.Columns || image.GetDimension(1) != header.Rows || frames != header.FrameCount
            || format.GetBitsAllocated() != header.BitsAllocated || format.GetSamplesPerPixel() != header.SamplesPerPixel
            || format.GetPixelRepresentation() != header.PixelRepresentation)
        {
            throw Corrupt(header,
                $"GDCM decodes {image.GetDimension(0)}x{image.GetDimension(1)}x{frames} pixels of {format.GetBitsAllocated()} bits (representation {format.GetPixelRepresentation()}), " +
                $"the header declares {header.Columns}x{header.Rows}x{header.FrameCount} of {header.BitsAllocated} bits (representation {header.PixelRepresentation})");
        }
        var length = image.GetBufferLength();
        if (length != expected) throw Corrupt(header, $"GDCM would decode {length} bytes, the header declares {expected}");
    }

    /// <summary>Keeps the low <paramref name="bitsStored"/> bits and sign-extends them when the pixels are signed.</summary>
    public static void Normalise<T>(Span<T> values, int bitsStored, bool signed) where T : unmanaged, IBinaryInteger<T>
    {
        if (bitsStored >= Marshal.SizeOf<T>() * 8) return;
        var mask = (1L << bitsStored) - 1;
        var signBit = 1L << (bitsStored - 1);
        for (var n = 0; n < values.Length; n++)
        {
            var raw = long.CreateTruncating(values[n]) & mask;
            if (signed && (raw & signBit) != 0) raw -= 1L << bitsStored;
            values[n] = T.CreateTruncating(raw);
        }
    }

    private static ItemRejectedException Corrupt(DicomHeader header, string what) =>
        new(DicomRejects.CorruptPixelData, $"{header.Name}: {what}");
}

using System.Runtime.InteropServices;
using GmaiBench.Imaging.Colour;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// One frame of a colour DICOM file as 8-bit RGB. Native pixel data is read by the project (RGB and YBR_FULL by pixel
/// or by plane, YBR_FULL_422 with its chroma upsampled, PALETTE COLOR through the file's tables); compressed data is
/// decoded by GDCM, whose codecs hand back full-resolution samples and say in which colour space (a JPEG or JPEG 2000
/// decoder undoes YBR_FULL_422, YBR_ICT and YBR_RCT itself).
/// </summary>
internal static class DicomColour
{
    public static byte[] Frame(DicomHeader header, int frame)
    {
        var pixels = header.Rows * header.Columns;
        var native = header.Layout.PixelDataOffset >= 0;
        var (bytes, photometric, planar) = native
            ? (DicomPixels.ReadNative(header), header.Photometric, header.PlanarConfiguration)
            : DicomPixels.DecodeCompressed(header);
        var frameBytes = bytes.Length / header.FrameCount;
        var data = bytes.AsSpan(frame * frameBytes, frameBytes);

        if (header.Photometric == "PALETTE COLOR")
        {
            var palette = header.Palette ?? throw new Model.ItemRejectedException(DicomRejects.CorruptHeader, $"{header.Name}: PALETTE COLOR without its lookup tables");
            var indices = header.BitsAllocated == 8 ? data.ToArray().Select(b => (ushort)b).ToArray() : MemoryMarshal.Cast<byte, ushort>(data).ToArray();
            return ColourSamples.FromPalette(indices, palette.First, palette.Red, palette.Green, palette.Blue);
        }
        if (native && photometric == "YBR_FULL_422") return ColourSamples.FromYbrFull422(Eight(header, data), header.Columns, header.Rows);
        var samples = Eight(header, data);
        var order = planar == 1 ? PlanarConfiguration.ByPlane : PlanarConfiguration.ByPixel;
        return photometric is "YBR_FULL" or "YBR_FULL_422"
            ? ColourSamples.FromYbrFull(samples, pixels, order)
            : ColourSamples.FromRgb(samples, pixels, order);   // RGB, and YBR_ICT/RCT already turned back into RGB by the JPEG 2000 decoder
    }

    /// <summary>The samples at 8 bits: 16-bit samples keep their top 8 of Bits Stored.</summary>
    private static byte[] Eight(DicomHeader header, ReadOnlySpan<byte> data) =>
        header.BitsAllocated == 8 ? data.ToArray() : ColourSamples.To8Bit(MemoryMarshal.Cast<byte, ushort>(data), header.BitsStored);
}

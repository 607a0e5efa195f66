using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GmaiBench.Ingest.Dicom;

/// <summary>The uncompressed encodings <see cref="DicomDataSet"/> writes (PS3.5 A.1, A.2; A.3 is retired but still met).</summary>
public enum DicomEncoding
{
    ExplicitVrLittleEndian,
    ImplicitVrLittleEndian,
    ExplicitVrBigEndian,
}

/// <summary>
/// A DICOM data set built element by element and written as a Part 10 file byte by byte, for the objects GDCM's image
/// writer does not make (colour and palette images, RT Dose, RT Structure Sets, Segmentations) in tests and the demo.
/// Values are given in their natural form and encoded here (PS3.5 7): text padded to even length, binary values in the
/// transfer syntax's byte order, sequences with defined lengths. Same elements, same bytes.
/// </summary>
public sealed class DicomDataSet
{
    private readonly SortedDictionary<uint, Element> _elements = [];

    /// <summary>
    /// A value: raw little-endian bytes swapped in <paramref name="Unit"/>-byte words for big endian, items of a sequence,
    /// or the fragments of encapsulated Pixel Data.
    /// </summary>
    private sealed record Element(ushort Group, ushort Number, string Vr, byte[] Bytes, int Unit, IReadOnlyList<DicomDataSet>? Items,
        IReadOnlyList<byte[]>? Fragments = null);

    private static uint Key(ushort group, ushort element) => (uint)group << 16 | element;

    /// <summary>A text value (AE, AS, CS, DA, DS, IS, LO, LT, PN, SH, ST, TM, UI, UT...); backslash separates multiple values.</summary>
    public DicomDataSet Text(ushort group, ushort element, string vr, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length % 2 == 1) bytes = [.. bytes, vr == "UI" ? (byte)0 : (byte)' '];
        return Put(new Element(group, element, vr, bytes, 1, null));
    }

    /// <summary>A Decimal String of numbers (PS3.5 6.2: at most 16 characters each).</summary>
    public DicomDataSet Decimals(ushort group, ushort element, params double[] values) =>
        Text(group, element, "DS", string.Join('\\', values.Select(DecimalString)));

    /// <summary>An Integer String.</summary>
    public DicomDataSet Integer(ushort group, ushort element, params int[] values) =>
        Text(group, element, "IS", string.Join('\\', values.Select(v => v.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Unsigned short (US) values.</summary>
    public DicomDataSet UShort(ushort group, ushort element, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var n = 0; n < values.Length; n++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(n * 2), values[n]);
        return Put(new Element(group, element, "US", bytes, 2, null));
    }

    /// <summary>Raw binary value in little-endian order, swapped in <paramref name="unit"/>-byte words when written big endian (OB: 1, OW/US/SS: 2, OL/UL/FL: 4).</summary>
    public DicomDataSet Binary(ushort group, ushort element, string vr, byte[] littleEndian, int unit)
    {
        var bytes = littleEndian.Length % 2 == 1 ? [.. littleEndian, 0] : littleEndian;
        return Put(new Element(group, element, vr, bytes, unit, null));
    }

    /// <summary>
    /// Encapsulated Pixel Data (PS3.5 A.4): OB of undefined length, an empty Basic Offset Table item, one fragment per
    /// compressed frame (padded to even length), then the sequence delimiter. The file must then be written with the
    /// compressed transfer syntax's UID (<see cref="ToFile(string)"/>).
    /// </summary>
    public DicomDataSet Encapsulated(params byte[][] frames) =>
        Put(new Element(0x7FE0, 0x0010, "OB", [], 1, null, frames.Select(f => f.Length % 2 == 1 ? [.. f, 0] : f).ToList()));

    /// <summary>A sequence (SQ) of items.</summary>
    public DicomDataSet Sequence(ushort group, ushort element, params DicomDataSet[] items) =>
        Put(new Element(group, element, "SQ", [], 1, items));

    private DicomDataSet Put(Element e)
    {
        _elements[Key(e.Group, e.Number)] = e;
        return this;
    }

    /// <summary>
    /// The Part 10 file: a zero preamble, "DICM", the file meta group (explicit VR little endian, PS3.10 7.1) naming
    /// the SOP class and instance of the data set, then the data set in <paramref name="encoding"/>.
    /// </summary>
    public byte[] ToFile(DicomEncoding encoding = DicomEncoding.ExplicitVrLittleEndian) => ToFile(encoding, null);

    /// <summary>
    /// The Part 10 file of a data set with encapsulated Pixel Data: explicit VR little endian (PS3.5 A.4), the file meta
    /// naming <paramref name="compressedTransferSyntaxUid"/> (e.g. 1.2.840.10008.1.2.4.50 for JPEG baseline).
    /// </summary>
    public byte[] ToFile(string compressedTransferSyntaxUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(compressedTransferSyntaxUid);
        return ToFile(DicomEncoding.ExplicitVrLittleEndian, compressedTransferSyntaxUid);
    }

    private byte[] ToFile(DicomEncoding encoding, string? compressedSyntax)
    {
        var sopClass = TextOf(0x0008, 0x0016) ?? throw new InvalidOperationException("the data set needs a SOP Class UID (0008,0016)");
        var sopInstance = TextOf(0x0008, 0x0018) ?? throw new InvalidOperationException("the data set needs a SOP Instance UID (0008,0018)");
        var syntax = compressedSyntax ?? encoding switch
        {
            DicomEncoding.ImplicitVrLittleEndian => DicomElementWalk.ImplicitVrLittleEndian,
            DicomEncoding.ExplicitVrBigEndian => DicomElementWalk.ExplicitVrBigEndian,
            _ => DicomElementWalk.ExplicitVrLittleEndian,
        };
        var meta = new DicomDataSet()
            .Binary(0x0002, 0x0001, "OB", [0, 1], 1)
            .Text(0x0002, 0x0002, "UI", sopClass)
            .Text(0x0002, 0x0003, "UI", sopInstance)
            .Text(0x0002, 0x0010, "UI", syntax)
            .Text(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.10.1465.1")   // implementation class UID of this writer
            .Text(0x0002, 0x0013, "SH", "GMAIBENCH");
        var metaBody = meta.Encode(explicitVr: true, bigEndian: false);
        using var output = new MemoryStream();
        output.Write(new byte[128]);
        output.Write("DICM"u8);
        var groupLength = new DicomDataSet().Binary(0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)metaBody.Length), 4);
        output.Write(groupLength.Encode(explicitVr: true, bigEndian: false));
        output.Write(metaBody);
        output.Write(Encode(encoding != DicomEncoding.ImplicitVrLittleEndian, encoding == DicomEncoding.ExplicitVrBigEndian));
        return output.ToArray();
    }

    public void WriteFile(string path, DicomEncoding encoding = DicomEncoding.ExplicitVrLittleEndian) => File.WriteAllBytes(path, ToFile(encoding));

    public void WriteFile(string path, string compressedTransferSyntaxUid) => File.WriteAllBytes(path, ToFile(compressedTransferSyntaxUid));

    private string? TextOf(ushort group, ushort element) =>
        _elements.TryGetValue(Key(group, element), out var e) ? Encoding.ASCII.GetString(e.Bytes).TrimEnd('\0', ' ') : null;

    private byte[] Encode(bool explicitVr, bool bigEndian)
    {
        using var output = new MemoryStream();
        foreach (var e in _elements.Values) WriteElement(output, e, explicitVr, bigEndian);
        return output.ToArray();
    }

    private static void WriteElement(Stream output, Element e, bool explicitVr, bool bigEndian)
    {
        if (e.Fragments is { } fragments)
        {
            WriteEncapsulated(output, e, fragments, explicitVr, bigEndian);
            return;
        }
        var value = e.Items is { } items ? EncodeItems(items, explicitVr, bigEndian) : Ordered(e.Bytes, e.Unit, bigEndian);
        Span<byte> head = stackalloc byte[12];
        U16(head, e.Group, bigEndian);
        U16(head[2..], e.Number, bigEndian);
        if (!explicitVr)
        {
            U32(head[4..], (uint)value.Length, bigEndian);
            output.Write(head[..8]);
        }
        else if (e.Vr is "OB" or "OD" or "OF" or "OL" or "OW" or "SQ" or "UC" or "UN" or "UR" or "UT" or "OV" or "SV" or "UV")
        {
            // PS3.5 7.1.2: two reserved bytes and a 32-bit length.
            head[4] = (byte)e.Vr[0];
            head[5] = (byte)e.Vr[1];
            head[6] = head[7] = 0;
            U32(head[8..], (uint)value.Length, bigEndian);
            output.Write(head);
        }
        else
        {
            if (value.Length > ushort.MaxValue) throw new InvalidOperationException($"({e.Group:X4},{e.Number:X4}) {e.Vr} is too long for a 16-bit length");
            head[4] = (byte)e.Vr[0];
            head[5] = (byte)e.Vr[1];
            U16(head[6..], (ushort)value.Length, bigEndian);
            output.Write(head[..8]);
        }
        output.Write(value);
    }

    private static void WriteEncapsulated(Stream output, Element e, IReadOnlyList<byte[]> fragments, bool explicitVr, bool bigEndian)
    {
        if (!explicitVr || bigEndian) throw new InvalidOperationException("encapsulated Pixel Data is written in explicit VR little endian (PS3.5 A.4)");
        Span<byte> head = stackalloc byte[12];
        U16(head, e.Group, false);
        U16(head[2..], e.Number, false);
        head[4] = (byte)'O';
        head[5] = (byte)'B';
        head[6] = head[7] = 0;
        U32(head[8..], 0xFFFFFFFF, false);
        output.Write(head);
        void Item(ushort tag, ReadOnlySpan<byte> value)
        {
            Span<byte> h = stackalloc byte[8];
            U16(h, 0xFFFE, false);
            U16(h[2..], tag, false);
            U32(h[4..], (uint)value.Length, false);
            output.Write(h);
            output.Write(value);
        }
        Item(0xE000, []);   // an empty Basic Offset Table: one fragment per frame, so frames need no offsets
        foreach (var fragment in fragments) Item(0xE000, fragment);
        Item(0xE0DD, []);   // Sequence Delimitation Item
    }

    /// <summary>Items with defined lengths (PS3.5 7.5.1).</summary>
    private static byte[] EncodeItems(IReadOnlyList<DicomDataSet> items, bool explicitVr, bool bigEndian)
    {
        using var output = new MemoryStream();
        Span<byte> head = stackalloc byte[8];
        foreach (var item in items)
        {
            var body = item.Encode(explicitVr, bigEndian);
            U16(head, 0xFFFE, bigEndian);
            U16(head[2..], 0xE000, bigEndian);
            U32(head[4..], (uint)body.Length, bigEndian);
            output.Write(head);
            output.Write(body);
        }
        return output.ToArray();
    }

    private static byte[] Ordered(byte[] littleEndian, int unit, bool bigEndian)
    {
        if (!bigEndian || unit == 1) return littleEndian;
        var bytes = (byte[])littleEndian.Clone();
        for (var n = 0; n + unit <= bytes.Length; n += unit) bytes.AsSpan(n, unit).Reverse();
        return bytes;
    }

    private static void U16(Span<byte> at, ushort value, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(at, value);
        else BinaryPrimitives.WriteUInt16LittleEndian(at, value);
    }

    private static void U32(Span<byte> at, uint value, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(at, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(at, value);
    }

    /// <summary>A Decimal String value: at most 16 characters (PS3.5 6.2).</summary>
    public static string DecimalString(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Length <= 16 ? text : value.ToString("G10", CultureInfo.InvariantCulture);
    }
}

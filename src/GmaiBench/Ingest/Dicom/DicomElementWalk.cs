using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// The element structure of a DICOM file, walked in managed code before GDCM sees the file. The Debian build of GDCM
/// 3.0 keeps its C++ assertions, and a file cut inside an element aborts the whole process from within GDCM (SIGABRT,
/// which no managed handler can catch), while a file cut inside native pixel data is decoded with zeros for the
/// missing part. Walking every element header (PS3.5 section 7) first turns both into rejects. The walk checks
/// lengths, nesting and where the file ends; element values are skipped, not parsed.
/// </summary>
internal sealed class DicomElementWalk
{
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";

    // Sequences deeper than this are refused: real objects nest a few levels, a crafted file could nest until the stack ends.
    private const int MaxDepth = 32;
    private const uint UndefinedLength = 0xFFFFFFFF;

    private DicomElementWalk(string transferSyntaxUid, bool hasPixelData, long pixelDataLength, int fragmentCount, bool hasFloatPixelData,
        long pixelDataOffset, string pixelDataVr)
    {
        PixelDataOffset = pixelDataOffset;
        PixelDataVr = pixelDataVr;
        TransferSyntaxUid = transferSyntaxUid;
        HasPixelData = hasPixelData;
        PixelDataLength = pixelDataLength;
        FragmentCount = fragmentCount;
        HasFloatPixelData = hasFloatPixelData;
    }

    /// <summary>Transfer Syntax UID (0002,0010), or the one inferred for a file without file meta information.</summary>
    public string TransferSyntaxUid { get; }

    /// <summary>Whether the top-level data set holds Pixel Data (7FE0,0010).</summary>
    public bool HasPixelData { get; }

    /// <summary>Whether the top-level data set holds Float or Double Float Pixel Data (7FE0,0008) / (7FE0,0009).</summary>
    public bool HasFloatPixelData { get; }

    /// <summary>Bytes of native Pixel Data; -1 when it is encapsulated (compressed fragments, PS3.5 A.4).</summary>
    public long PixelDataLength { get; }

    /// <summary>Encapsulated Pixel Data: fragments after the Basic Offset Table item.</summary>
    public int FragmentCount { get; }

    /// <summary>
    /// Where the value of native Pixel Data starts in the file; -1 when it is encapsulated or inside a deflated data set
    /// (its bytes are then read through GDCM).
    /// </summary>
    public long PixelDataOffset { get; }

    /// <summary>The explicit VR of Pixel Data (OB or OW); empty for implicit VR or encapsulated data.</summary>
    public string PixelDataVr { get; }

    /// <summary>Big endian data set (the retired Explicit VR Big Endian syntax, PS3.5 A.3).</summary>
    public bool BigEndian => TransferSyntaxUid == ExplicitVrBigEndian;

    public bool Encapsulated => PixelDataLength < 0;

    /// <summary>
    /// Walks <paramref name="path"/>; a deflated data set is inflated into memory first, up to
    /// <paramref name="maxInflatedBytes"/>.
    /// </summary>
    public static DicomElementWalk Read(string path, long maxInflatedBytes)
    {
        var name = Path.GetFileName(path);
        FileStream file;
        try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12, FileOptions.RandomAccess); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ItemRejectedException(DicomRejects.UnreadableFile, $"{name}: {e.Message}");
        }
        using (file)
        {
            try { return Walk(file, name, maxInflatedBytes); }
            catch (EndOfStreamException)
            {
                throw new ItemRejectedException(DicomRejects.TruncatedFile, $"{name} ends inside a data element ({file.Length} bytes)");
            }
            catch (IOException e) when (e is not EndOfStreamException)
            {
                throw new ItemRejectedException(DicomRejects.UnreadableFile, $"{name}: {e.Message}");
            }
        }
    }

    private static DicomElementWalk Walk(FileStream file, string name, long maxInflatedBytes)
    {
        var meta = new Cursor(file, name, bigEndian: false);
        string transferSyntax;
        Span<byte> head = stackalloc byte[132];
        var got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (got == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M')
        {
            // PS3.10 7.1: a 128-byte preamble, "DICM", then the file meta group, always explicit VR little endian.
            file.Position = 132;
            transferSyntax = meta.ReadMetaGroup() ?? throw NoTransferSyntax(name, meta);
        }
        else
        {
            // No preamble: accepted, as GDCM does, when the file starts with a file meta element or a group 0008
            // element (old ACR-NEMA style objects), with explicit VR when a VR's two capital letters follow the tag.
            file.Position = 0;
            if (got < 8) throw NotDicom(name);
            var group = BinaryPrimitives.ReadUInt16LittleEndian(head);
            if (group == 0x0002)
            {
                transferSyntax = meta.ReadMetaGroup() ?? throw NoTransferSyntax(name, meta);
            }
            else if (group == 0x0008)
            {
                transferSyntax = IsVr(head[4], head[5]) ? ExplicitVrLittleEndian : ImplicitVrLittleEndian;
            }
            else
            {
                throw NotDicom(name);
            }
        }

        // PS3.5 A.5: in a deflated file everything after the file meta group is one raw deflate stream (RFC 1951).
        using var inflated = transferSyntax == DeflatedExplicitVrLittleEndian ? Inflate(file, name, maxInflatedBytes) : null;
        var data = inflated is null ? new Cursor(file, name, transferSyntax == ExplicitVrBigEndian) : new Cursor(inflated, name, bigEndian: false);
        // GDCM asserts on a file that ends right after its file meta information.
        if (data.AtEnd) throw new ItemRejectedException(DicomRejects.TruncatedFile, $"{name} ends after its file meta information, before any data element");
        var explicitVr = transferSyntax != ImplicitVrLittleEndian;
        var pixels = new PixelDataInfo();
        data.WalkDataSet(long.MaxValue, explicitVr, 0, pixels);
        return new DicomElementWalk(transferSyntax, pixels.Found, pixels.Length, pixels.Fragments, pixels.FloatFound,
            inflated is null && pixels.Length >= 0 ? pixels.Offset : -1, pixels.Vr);
    }

    private static MemoryStream Inflate(FileStream file, string name, long maxBytes)
    {
        var inflated = new MemoryStream();
        try
        {
            using var deflate = new DeflateStream(file, CompressionMode.Decompress, leaveOpen: true);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = deflate.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (inflated.Length + n > maxBytes)
                    throw new ItemRejectedException(DicomRejects.VolumeTooLarge, $"{name}: the deflated data set inflates to more than {maxBytes} bytes");
                inflated.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException)
        {
            throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{name}: the deflated data set is damaged (not a valid deflate stream)");
        }
        inflated.Position = 0;
        return inflated;
    }

    private static ItemRejectedException NoTransferSyntax(string name, Cursor meta) => meta.AtEnd
        ? new(DicomRejects.TruncatedFile, $"{name} ends inside its file meta information")
        : new(DicomRejects.CorruptHeader, $"{name}: the file meta information has no Transfer Syntax UID (0002,0010)");

    private static ItemRejectedException NotDicom(string name) =>
        new(DicomRejects.NotDicom, $"{name} is not a DICOM file: no \"DICM\" marker after a 128-byte preamble, and it does not start with a DICOM data element");

    private static bool IsVr(byte a, byte b) => a is >= (byte)'A' and <= (byte)'Z' && b is >= (byte)'A' and <= (byte)'Z';

    /// <summary>VRs whose explicit encoding has two reserved bytes and a 32-bit length (PS3.5 7.1.2, table 7.1-1).</summary>
    private static bool HasLongLength(byte a, byte b) => (char)a switch
    {
        'O' => b is (byte)'B' or (byte)'D' or (byte)'F' or (byte)'L' or (byte)'V' or (byte)'W',
        'S' => b is (byte)'Q' or (byte)'V',
        'U' => b is (byte)'C' or (byte)'N' or (byte)'R' or (byte)'T' or (byte)'V',
        _ => false,
    };

    private sealed class PixelDataInfo
    {
        public bool FloatFound;
        public bool Found;
        public long Length;
        public int Fragments;
        public long Offset = -1;
        public string Vr = "";
    }

    /// <summary>Reads element headers from a seekable stream, refusing any length that runs past its container or the file.</summary>
    private sealed class Cursor(Stream stream, string name, bool bigEndian)
    {
        private readonly long _length = stream.Length;

        private long Position => stream.Position;

        public bool AtEnd => stream.Position >= _length;

        private ItemRejectedException Corrupt(string what) =>
            new(DicomRejects.CorruptHeader, $"{name}: {what} at byte {Position}");

        private void Need(long count)
        {
            if (Position + count > _length) throw new EndOfStreamException();
        }

        private ushort U16()
        {
            Need(2);
            Span<byte> b = stackalloc byte[2];
            stream.ReadExactly(b);
            return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
        }

        private uint U32()
        {
            Need(4);
            Span<byte> b = stackalloc byte[4];
            stream.ReadExactly(b);
            return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
        }

        private void Skip(long count, long containerEnd)
        {
            if (Position + count > containerEnd && containerEnd < _length)
                throw Corrupt($"an element of {count} bytes runs past the end of its item");
            Need(count);
            stream.Seek(count, SeekOrigin.Current);
        }

        /// <summary>
        /// The file meta group (0002,xxxx), explicit VR little endian; returns the Transfer Syntax UID. GDCM reads the group
        /// by its File Meta Information Group Length (0002,0000) and asserts when the file ends first, so the group must
        /// span exactly that length (PS3.10 7.1).
        /// </summary>
        public string? ReadMetaGroup()
        {
            string? transferSyntax = null;
            long groupEnd = -1;
            Span<byte> vr = stackalloc byte[2];
            while (!AtEnd)
            {
                var start = Position;
                var group = U16();
                var element = U16();
                if (group != 0x0002)
                {
                    stream.Position = start;
                    break;
                }
                Need(2);
                stream.ReadExactly(vr);
                if (!IsVr(vr[0], vr[1])) throw Corrupt($"element (0002,{element:X4}) of the file meta information has no VR");
                long length;
                if (HasLongLength(vr[0], vr[1]))
                {
                    U16();
                    length = U32();
                    if (length == UndefinedLength) throw Corrupt($"element (0002,{element:X4}) of the file meta information has an undefined length");
                }
                else
                {
                    length = U16();
                }
                if (element == 0x0000 && length == 4)
                {
                    groupEnd = U32();
                    groupEnd += Position;
                }
                else if (element == 0x0010)
                {
                    if (length > 64) throw Corrupt($"the Transfer Syntax UID is {length} bytes long (at most 64)");
                    Need(length);
                    var bytes = new byte[length];
                    stream.ReadExactly(bytes);
                    transferSyntax = Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');
                }
                else
                {
                    Skip(length, long.MaxValue);
                }
            }
            if (groupEnd >= 0 && Position != groupEnd)
            {
                if (groupEnd > _length) throw new EndOfStreamException();
                throw Corrupt($"the file meta information ends {Position - groupEnd} bytes away from its group length");
            }
            return transferSyntax;
        }

        /// <summary>
        /// Elements until <paramref name="end"/> (a defined-length item or the end of the file) or, for an undefined-length
        /// item (<paramref name="end"/> = -1), until its Item Delimitation Item.
        /// </summary>
        public void WalkDataSet(long end, bool explicitVr, int depth, PixelDataInfo? topLevelPixels)
        {
            if (depth > MaxDepth) throw Corrupt($"sequences nest more than {MaxDepth} deep");
            var undefinedItem = end < 0;
            var limit = undefinedItem || end == long.MaxValue ? _length : end;
            Span<byte> vr = stackalloc byte[2];
            while (true)
            {
                if (!undefinedItem && Position >= limit)
                {
                    if (Position > limit) throw Corrupt("an element runs past the end of its item");
                    return;
                }
                var group = U16();
                var element = U16();
                if (group == 0xFFFE)
                {
                    var delimiterLength = U32();
                    if (element == 0xE00D && undefinedItem && delimiterLength == 0) return;
                    throw Corrupt($"unexpected item tag (FFFE,{element:X4})");
                }
                long length;
                bool sequence;
                var elementExplicit = explicitVr;
                if (explicitVr)
                {
                    Need(2);
                    stream.ReadExactly(vr);
                    if (IsVr(vr[0], vr[1]))
                    {
                        if (HasLongLength(vr[0], vr[1]))
                        {
                            U16();
                            length = U32();
                        }
                        else
                        {
                            length = U16();
                        }
                        sequence = vr[0] == 'S' && vr[1] == 'Q';
                        // PS3.5 6.2.2: UN of undefined length holds a sequence encoded implicit VR little endian.
                        if (vr[0] == 'U' && vr[1] == 'N' && length == UndefinedLength)
                        {
                            sequence = true;
                            elementExplicit = false;
                        }
                    }
                    else
                    {
                        // An implicit element inside an explicit data set (written by some scanners, read by GDCM):
                        // the two bytes taken for a VR begin a 32-bit length.
                        stream.Seek(-2, SeekOrigin.Current);
                        length = U32();
                        sequence = length == UndefinedLength;
                        elementExplicit = false;
                    }
                }
                else
                {
                    length = U32();
                    // Implicit VR: a defined-length sequence cannot be told from other values without a dictionary, so it
                    // is only checked to fit; an undefined length is always a sequence.
                    sequence = length == UndefinedLength;
                }

                var isPixelData = group == 0x7FE0 && element == 0x0010;
                if (isPixelData && length == UndefinedLength)
                {
                    var fragments = WalkFragments();
                    if (topLevelPixels is not null)
                    {
                        topLevelPixels.Found = true;
                        topLevelPixels.Length = -1;
                        topLevelPixels.Fragments = fragments;
                    }
                    continue;
                }
                if (sequence)
                {
                    WalkSequence(length == UndefinedLength ? -1 : Position + length, elementExplicit, depth + 1, limit);
                    continue;
                }
                if (length == UndefinedLength) throw Corrupt($"element ({group:X4},{element:X4}) has an undefined length but is not a sequence");
                if (group == 0x7FE0 && element is (0x0008 or 0x0009) && topLevelPixels is not null) topLevelPixels.FloatFound = true;
                if (isPixelData && topLevelPixels is not null)
                {
                    topLevelPixels.Found = true;
                    topLevelPixels.Length = length;
                    topLevelPixels.Offset = Position;
                    topLevelPixels.Vr = elementExplicit ? $"{(char)vr[0]}{(char)vr[1]}" : "";
                }
                Skip(length, limit);
            }
        }

        private void WalkSequence(long end, bool explicitVr, int depth, long containerLimit)
        {
            if (depth > MaxDepth) throw Corrupt($"sequences nest more than {MaxDepth} deep");
            if (end > containerLimit && containerLimit < _length) throw Corrupt("a sequence runs past the end of its item");
            if (end > _length) throw new EndOfStreamException();
            while (true)
            {
                if (end >= 0 && Position >= end)
                {
                    if (Position > end) throw Corrupt("an item runs past the end of its sequence");
                    return;
                }
                var group = U16();
                var element = U16();
                var length = U32();
                if (group != 0xFFFE) throw Corrupt($"element ({group:X4},{element:X4}) where a sequence item was expected");
                if (element == 0xE0DD && end < 0 && length == 0) return;
                if (element != 0xE000) throw Corrupt($"unexpected item tag (FFFE,{element:X4}) in a sequence");
                if (length == UndefinedLength)
                {
                    WalkDataSet(-1, explicitVr, depth, null);
                }
                else
                {
                    var itemEnd = Position + length;
                    if (end >= 0 && itemEnd > end) throw Corrupt("an item runs past the end of its sequence");
                    if (itemEnd > _length) throw new EndOfStreamException();
                    WalkDataSet(itemEnd, explicitVr, depth, null);
                }
            }
        }

        /// <summary>Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table item, fragment items, a Sequence Delimitation Item.</summary>
        private int WalkFragments()
        {
            var items = 0;
            while (true)
            {
                var group = U16();
                var element = U16();
                var length = U32();
                if (group != 0xFFFE) throw Corrupt($"element ({group:X4},{element:X4}) inside encapsulated pixel data");
                if (element == 0xE0DD) return Math.Max(0, items - 1);
                if (element != 0xE000 || length == UndefinedLength) throw Corrupt("a malformed fragment in encapsulated pixel data");
                Skip(length, long.MaxValue);
                items++;
            }
        }
    }
}

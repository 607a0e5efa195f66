using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>A PALETTE COLOR image's lookup tables, 16-bit entries (8-bit tables scaled by 257); index - First gives the entry.</summary>
internal sealed record PaletteLut(int First, ushort[] Red, ushort[] Green, ushort[] Blue);

/// <summary>What one frame's header says about its place and values; null members were absent.</summary>
internal sealed record FrameHeader(PatientVector? Position, PlaneOrientation? Orientation, PixelSpacing? Spacing, VoxelScaling Scaling, VoiLinearWindow? Window);

/// <summary>
/// The attributes of one DICOM file that the reader uses, read through GDCM without its pixel data. Patient ID and
/// Study Instance UID are read only to form a split group key; nothing else here leaves the reader.
/// </summary>
internal sealed class DicomHeader
{
    private DicomHeader(string path, DicomElementWalk layout)
    {
        Path = path;
        Name = System.IO.Path.GetFileName(path);
        Layout = layout;
    }

    public string Path { get; }

    /// <summary>The file name, for messages.</summary>
    public string Name { get; }

    public DicomElementWalk Layout { get; }

    public string? PatientId { get; private set; }
    public string? StudyInstanceUid { get; private set; }
    public string? SeriesInstanceUid { get; private set; }

    /// <summary>Frame of Reference UID (0020,0052): which patient coordinate system the positions are in.</summary>
    public string? FrameOfReferenceUid { get; private set; }

    /// <summary>Modality (0008,0060), upper case; empty when absent.</summary>
    public string Modality { get; private set; } = "";

    /// <summary>SOP Class UID (0008,0016).</summary>
    public string SopClassUid { get; private set; } = "";

    /// <summary>SOP Instance UID (0008,0018): what structure sets and segmentations reference an image by.</summary>
    public string SopInstanceUid { get; private set; } = "";

    /// <summary>Image Type (0008,0008) values, upper case (a Siemens mosaic says MOSAIC here).</summary>
    public IReadOnlyList<string> ImageType { get; private set; } = [];

    /// <summary>Siemens' Number of Images in Mosaic (0019,100A), when the private element is present.</summary>
    public int? MosaicImages { get; private set; }

    /// <summary>Planar Configuration (0028,0006): 0 colour-by-pixel (R G B R G B ...), 1 colour-by-plane (R...R G...G B...B).</summary>
    public int PlanarConfiguration { get; private set; }

    /// <summary>Grid Frame Offset Vector (3004,000C) of RT Dose (PS3.3 C.8.8.3.2): each frame's offset along the normal, mm.</summary>
    public double[]? GridFrameOffsets { get; private set; }

    /// <summary>Representative Frame Number (0028,6010), 1-based, when given.</summary>
    public int? RepresentativeFrame { get; private set; }

    /// <summary>PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5), red, green, blue; null for other images.</summary>
    public PaletteLut? Palette { get; private set; }

    /// <summary>A segmented palette (0028,1221..1223), which is not read.</summary>
    public bool HasSegmentedPalette { get; private set; }

    public int Rows { get; private set; }
    public int Columns { get; private set; }

    /// <summary>Number of Frames (0028,0008); 1 when absent.</summary>
    public int FrameCount { get; private set; } = 1;

    public int SamplesPerPixel { get; private set; } = 1;
    public string Photometric { get; private set; } = "";
    public int BitsAllocated { get; private set; }
    public int BitsStored { get; private set; }
    public int HighBit { get; private set; }
    public int PixelRepresentation { get; private set; }
    public bool HasModalityLutSequence { get; private set; }

    /// <summary>One entry per frame for an enhanced (functional groups) file, else one entry for the whole file.</summary>
    public IReadOnlyList<FrameHeader> Frames { get; private set; } = [];

    /// <summary>Every frame of a multi-frame file has its own Plane Position (PS3.3 C.7.6.16.2.3) to order it by.</summary>
    public bool PerFramePositions { get; private set; }

    public double? SliceThickness { get; private set; }
    public double? SpacingBetweenSlices { get; private set; }

    public bool Monochrome1 => Photometric == "MONOCHROME1";

    /// <summary>Decoded bytes of all frames: Rows x Columns x frames x samples x Bits Allocated / 8.</summary>
    public long PixelBytes => (long)Rows * Columns * FrameCount * SamplesPerPixel * ((BitsAllocated + 7) / 8);

    /// <summary>
    /// Bytes native (uncompressed) Pixel Data holds: as <see cref="PixelBytes"/>, except that YBR_FULL_422 stores two
    /// luminance samples and one pair of chrominance samples per two pixels (PS3.3 C.7.6.3.1.2), four bytes, not six.
    /// </summary>
    public long NativeBytes => Photometric == "YBR_FULL_422" ? PixelBytes / 3 * 2 : PixelBytes;

    /// <summary>Colour pixels: three samples (RGB, YBR_*) or a palette.</summary>
    public bool IsColour => SamplesPerPixel == 3 || Photometric == "PALETTE COLOR";

    /// <summary>Reads the header of <paramref name="path"/> (already walked into <paramref name="layout"/>) up to the pixel data.</summary>
    public static DicomHeader Read(string path, DicomElementWalk layout)
    {
        var header = new DicomHeader(path, layout);
        return ReadObject(path, top =>
        {
            header.Parse(top);
            return header;
        });
    }

    /// <summary>
    /// Reads a data set (an image's header, a structure set, a segmentation) up to its Pixel Data, without loading the
    /// pixels, and hands it to <paramref name="parse"/>; GDCM's failures become corrupt-header rejects. The file must have
    /// been walked by <see cref="DicomElementWalk"/> first.
    /// </summary>
    public static T ReadObject<T>(string path, Func<Attributes, T> parse)
    {
        var name = System.IO.Path.GetFileName(path);
        return GdcmRuntime.Guard(name, DicomRejects.CorruptHeader, () =>
        {
            using var reader = new gdcm.Reader();
            reader.SetFileName(path);
            using var pixelData = new gdcm.Tag(0x7FE0, 0x0010);
            using var skip = new gdcm.TagSetType();
            skip.Add(pixelData);
            // Stop at Pixel Data and do not load its value: headers are read for scanning and checks, pixels later.
            if (!reader.ReadUpToTag(pixelData, skip))
                throw GdcmRuntime.Failed(new ItemRejectedException(DicomRejects.CorruptHeader, $"{name}: GDCM could not parse the data set"));
            using var owned = new Owned();
            var top = new Attributes(reader.GetFile().GetDataSet(), name, owned);
            top.Utf8 = (top.Text(0x0008, 0x0005) ?? "").Contains("ISO_IR 192", StringComparison.Ordinal);
            return parse(top);
        });
    }

    private void Parse(Attributes top)
    {
        PatientId = top.Text(0x0010, 0x0020);
        StudyInstanceUid = top.Text(0x0020, 0x000D);
        SeriesInstanceUid = top.Text(0x0020, 0x000E);
        FrameOfReferenceUid = top.Text(0x0020, 0x0052);
        Modality = (top.Text(0x0008, 0x0060) ?? "").ToUpperInvariant();
        SopClassUid = top.Text(0x0008, 0x0016) ?? "";
        SopInstanceUid = top.Text(0x0008, 0x0018) ?? "";
        ImageType = (top.Text(0x0008, 0x0008) ?? "").ToUpperInvariant().Split('\\', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        MosaicImages = top.UShort(0x0019, 0x100A);
        PlanarConfiguration = top.UShort(0x0028, 0x0006) ?? 0;
        GridFrameOffsets = top.Decimals(0x3004, 0x000C, Name);
        RepresentativeFrame = top.UShort(0x0028, 0x6010);
        HasSegmentedPalette = top.Has(0x0028, 0x1221);

        Rows = top.UShort(0x0028, 0x0010) ?? 0;
        Columns = top.UShort(0x0028, 0x0011) ?? 0;
        SamplesPerPixel = top.UShort(0x0028, 0x0002) ?? 1;
        Photometric = (top.Text(0x0028, 0x0004) ?? "").ToUpperInvariant();
        BitsAllocated = top.UShort(0x0028, 0x0100) ?? 0;
        BitsStored = top.UShort(0x0028, 0x0101) ?? BitsAllocated;
        HighBit = top.UShort(0x0028, 0x0102) ?? BitsStored - 1;
        PixelRepresentation = top.UShort(0x0028, 0x0103) ?? 0;
        HasModalityLutSequence = top.Has(0x0028, 0x3000);
        var frames = top.Integer(0x0028, 0x0008);
        if (frames is { } f)
        {
            if (f < 1) throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{Name}: Number of Frames is {f}");
            FrameCount = f;
        }

        // Enhanced objects keep geometry and rescale in functional groups (PS3.3 C.7.6.16): per frame, else shared,
        // else (legacy multi-frame files) at the top level.
        var shared = top.Items(0x5200, 0x9229).FirstOrDefault();
        var perFrame = top.Items(0x5200, 0x9230);
        if (perFrame.Count > 0 && perFrame.Count != FrameCount)
        {
            throw new ItemRejectedException(DicomRejects.CorruptHeader,
                $"{Name}: the Per-frame Functional Groups Sequence has {perFrame.Count} items for {FrameCount} frames");
        }
        var enhanced = shared is not null || perFrame.Count > 0;
        Attributes? Macro(int frame, ushort group, ushort element) =>
            (perFrame.Count > 0 ? perFrame[frame].Items(group, element).FirstOrDefault() : null)
            ?? shared?.Items(group, element).FirstOrDefault();

        var list = new List<FrameHeader>();
        var positionsInGroups = enhanced;
        for (var frame = 0; frame < (enhanced ? FrameCount : 1); frame++)
        {
            var where = enhanced && FrameCount > 1 ? $"{Name} frame {frame + 1}" : Name;
            var position = Macro(frame, 0x0020, 0x9113)?.Decimals(0x0020, 0x0032, where);
            positionsInGroups &= position is not null;
            position ??= top.Decimals(0x0020, 0x0032, where);
            var cosines = Macro(frame, 0x0020, 0x9116)?.Decimals(0x0020, 0x0037, where) ?? top.Decimals(0x0020, 0x0037, where);
            var measures = Macro(frame, 0x0028, 0x9110);
            var spacing = measures?.Decimals(0x0028, 0x0030, where) ?? top.Decimals(0x0028, 0x0030, where) ?? top.Decimals(0x0018, 0x1164, where);
            var rescale = Macro(frame, 0x0028, 0x9145) ?? top;
            var voi = Macro(frame, 0x0028, 0x9132) ?? top;
            if (frame == 0)
            {
                SliceThickness = FirstValue(measures?.Decimals(0x0018, 0x0050, where) ?? top.Decimals(0x0018, 0x0050, where));
                SpacingBetweenSlices = FirstValue(measures?.Decimals(0x0018, 0x0088, where) ?? top.Decimals(0x0018, 0x0088, where));
            }
            list.Add(new FrameHeader(
                position is null ? null : ToPosition(position, where),
                cosines is null ? null : PlaneOrientation.FromCosines(cosines, where),
                spacing is null ? null : PixelSpacing.FromValues(spacing, where),
                !rescale.Has(0x0028, 0x1053) && FirstValue(top.Decimals(0x3004, 0x000E, where, DicomRejects.CorruptHeader)) is { } dose
                    ? DoseScaling(dose, where) : Scaling(rescale, where),
                Window(voi, where)));
        }
        Frames = list;
        PerFramePositions = enhanced && FrameCount > 1 && positionsInGroups;
        if (Photometric == "PALETTE COLOR" && !HasSegmentedPalette) Palette = ReadPalette(top);
    }

    /// <summary>The three LUTs: descriptor (entries, 0 meaning 65536; first mapped value; bits per entry), then the data.</summary>
    private PaletteLut ReadPalette(Attributes top)
    {
        ushort[] Table(ushort descriptor, ushort data, string colour)
        {
            var d = top.Raw(0x0028, descriptor);
            if (d is null || d.Length < 6) throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{Name}: PALETTE COLOR without a {colour} Palette Color Lookup Table Descriptor");
            int entries = BinaryPrimitives.ReadUInt16LittleEndian(d), bits = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(4));
            if (entries == 0) entries = 65536;
            var bytes = top.Raw(0x0028, data) ?? throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{Name}: PALETTE COLOR without {colour} Palette Color Lookup Table Data");
            if (bits is not (8 or 16)) throw new ItemRejectedException(DicomRejects.UnsupportedPixelFormat, $"{Name}: the {colour} palette has {bits}-bit entries (read: 8 or 16)");
            // 8-bit entries are still stored in 16-bit words (PS3.3 C.7.6.3.1.6), one entry per word.
            if (bytes.Length < entries * 2) throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{Name}: the {colour} palette holds {bytes.Length / 2} of its {entries} entries");
            var table = new ushort[entries];
            for (var n = 0; n < entries; n++)
            {
                var v = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(n * 2));
                table[n] = bits == 8 ? (ushort)((v & 0xFF) * 257) : v;
            }
            return table;
        }
        var red = top.Raw(0x0028, 0x1101);
        var first = red is { Length: >= 6 } ? BinaryPrimitives.ReadUInt16LittleEndian(red.AsSpan(2)) : 0;
        return new PaletteLut(first, Table(0x1101, 0x1201, "red"), Table(0x1102, 0x1202, "green"), Table(0x1103, 0x1203, "blue"));
    }

    private static double? FirstValue(double[]? values) => values is { Length: > 0 } ? values[0] : null;

    private static PatientVector ToPosition(double[] values, string where)
    {
        var p = values.Length == 3 ? new PatientVector(values[0], values[1], values[2]) : default;
        if (values.Length != 3 || !p.IsFinite)
            throw new ItemRejectedException(DicomRejects.InvalidGeometry, $"{where}: Image Position (Patient) must be three numbers, got {values.Length}");
        return p;
    }

    /// <summary>RT Dose: stored values times Dose Grid Scaling (3004,000E) are the dose in Gy (PS3.3 C.8.8.3.1).</summary>
    private static VoxelScaling DoseScaling(double factor, string where) =>
        factor > 0 && double.IsFinite(factor) ? new VoxelScaling(factor, 0)
            : throw new ItemRejectedException(DicomRejects.CorruptHeader, string.Create(CultureInfo.InvariantCulture, $"{where}: Dose Grid Scaling {factor} is not a positive factor"));

    /// <summary>Modality LUT by Rescale Slope (0028,1053) and Intercept (0028,1052), PS3.3 C.11.1.1.2; identity when absent.</summary>
    private static VoxelScaling Scaling(Attributes attributes, string where)
    {
        var slope = FirstValue(attributes.Decimals(0x0028, 0x1053, where, DicomRejects.CorruptHeader)) ?? 1;
        var intercept = FirstValue(attributes.Decimals(0x0028, 0x1052, where, DicomRejects.CorruptHeader)) ?? 0;
        if (slope == 0 || !double.IsFinite(slope) || !double.IsFinite(intercept))
            throw new ItemRejectedException(DicomRejects.CorruptHeader, string.Create(CultureInfo.InvariantCulture, $"{where}: Rescale Slope {slope} and Intercept {intercept} are not a usable linear map"));
        return new VoxelScaling(slope, intercept);
    }

    /// <summary>
    /// The first Window Center (0028,1050) and Width (0028,1051) when the VOI LUT Function (0028,1056) is absent or
    /// LINEAR (PS3.3 C.11.2.1.2.1); a width below 1 is invalid there and is ignored, as is any other function.
    /// </summary>
    private static VoiLinearWindow? Window(Attributes attributes, string where)
    {
        var function = attributes.Text(0x0028, 0x1056);
        if (function is not null && function.Length > 0 && !function.Equals("LINEAR", StringComparison.OrdinalIgnoreCase)) return null;
        double? centre, width;
        try
        {
            centre = FirstValue(attributes.Decimals(0x0028, 0x1050, where, DicomRejects.CorruptHeader));
            width = FirstValue(attributes.Decimals(0x0028, 0x1051, where, DicomRejects.CorruptHeader));
        }
        catch (ItemRejectedException)
        {
            // A malformed window is not a reason to lose the image: the pipeline has its own windows.
            return null;
        }
        if (centre is not { } c || width is not { } w || !(w >= 1) || !double.IsFinite(w) || !double.IsFinite(c)) return null;
        return new VoiLinearWindow(w, c);
    }

    /// <summary>GDCM wrappers that own native memory and are released when the header has been read.</summary>
    internal sealed class Owned : IDisposable
    {
        private readonly List<IDisposable> _items = [];

        public T Add<T>(T item) where T : IDisposable
        {
            _items.Add(item);
            return item;
        }

        public void Dispose()
        {
            for (var n = _items.Count - 1; n >= 0; n--) _items[n].Dispose();
            _items.Clear();
        }
    }

    /// <summary>Typed access to the elements of one GDCM data set (the file's, or an item's nested one).</summary>
    internal sealed class Attributes(gdcm.DataSet dataSet, string name, Owned owned)
    {
        public bool Utf8 { get; set; }

        public bool Has(ushort group, ushort element)
        {
            using var tag = new gdcm.Tag(group, element);
            return dataSet.FindDataElement(tag);
        }

        /// <summary>The value's bytes as GDCM holds them (binary values in little endian order).</summary>
        public byte[]? Raw(ushort group, ushort element) => Bytes(group, element);

        private byte[]? Bytes(ushort group, ushort element)
        {
            using var tag = new gdcm.Tag(group, element);
            if (!dataSet.FindDataElement(tag)) return null;
            var value = dataSet.GetDataElement(tag).GetByteValue();
            if (value is null) return null;
            using var length = value.GetLength();
            var count = length.GetValueLength();
            var bytes = new byte[count];
            if (count > 0 && !value.GetBuffer(bytes, count)) return null;
            return bytes;
        }

        /// <summary>A string value without its padding (PS3.5 6.2: spaces, and NUL for UIDs); Latin-1 unless the character set is UTF-8.</summary>
        public string? Text(ushort group, ushort element)
        {
            var bytes = Bytes(group, element);
            if (bytes is null) return null;
            // Latin-1 maps every byte to one character, so distinct identifiers stay distinct whatever their real encoding.
            var text = Utf8 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
            return text.Trim(' ', '\0');
        }

        /// <summary>An unsigned short (US) value; GDCM hands values of big endian files over already swapped to little endian.</summary>
        public int? UShort(ushort group, ushort element)
        {
            var bytes = Bytes(group, element);
            if (bytes is null || bytes.Length == 0) return null;
            if (bytes.Length < 2) throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{name}: ({group:X4},{element:X4}) holds {bytes.Length} byte, not an unsigned short");
            return BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        }

        /// <summary>An Integer String (IS) value.</summary>
        public int? Integer(ushort group, ushort element)
        {
            var text = Text(group, element);
            if (string.IsNullOrEmpty(text)) return null;
            if (!int.TryParse(text.Split('\\')[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{name}: ({group:X4},{element:X4}) '{text}' is not an integer");
            return value;
        }

        /// <summary>The values of a Decimal String (DS), split at backslashes; null when absent or empty.</summary>
        public double[]? Decimals(ushort group, ushort element, string where, string reason = DicomRejects.InvalidGeometry)
        {
            var text = Text(group, element);
            if (string.IsNullOrEmpty(text)) return null;
            var parts = text.Split('\\');
            var values = new double[parts.Length];
            for (var n = 0; n < parts.Length; n++)
            {
                if (!double.TryParse(parts[n].Trim(' ', '\0'), NumberStyles.Float, CultureInfo.InvariantCulture, out values[n]) || !double.IsFinite(values[n]))
                    throw new ItemRejectedException(reason, $"{where}: ({group:X4},{element:X4}) '{text}' is not a list of numbers");
            }
            return values;
        }

        /// <summary>The nested data sets of the items of a sequence; empty when the sequence is absent or empty.</summary>
        public List<Attributes> Items(ushort group, ushort element)
        {
            var items = new List<Attributes>();
            using var tag = new gdcm.Tag(group, element);
            if (!dataSet.FindDataElement(tag)) return items;
            var sequence = owned.Add(dataSet.GetDataElement(tag).GetValueAsSQ());
            // GDCM hands back an empty smart pointer when the value is not a sequence; using it would dereference null.
            var items0 = sequence.GetPointer();
            if (items0 is null) return items;
            var count = items0.GetNumberOfItems();
            for (uint n = 1; n <= count; n++)
            {
                // SequenceOfItems.GetItem counts from 1.
                items.Add(new Attributes(items0.GetItem(n).GetNestedDataSet(), name, owned) { Utf8 = Utf8 });
            }
            return items;
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

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

    /// <summary>Reads the header of <paramref name="path"/> (already walked into <paramref name="layout"/>) up to the pixel data.</summary>
    public static DicomHeader Read(string path, DicomElementWalk layout)
    {
        var header = new DicomHeader(path, layout);
        GdcmRuntime.Guard(header.Name, DicomRejects.CorruptHeader, () =>
        {
            using var reader = new gdcm.Reader();
            reader.SetFileName(path);
            using var pixelData = new gdcm.Tag(0x7FE0, 0x0010);
            using var skip = new gdcm.TagSetType();
            skip.Add(pixelData);
            // Stop at Pixel Data and do not load its value: the header is read for scanning and checks, pixels later.
            if (!reader.ReadUpToTag(pixelData, skip))
                throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{header.Name}: GDCM could not parse the data set");
            using var owned = new Owned();
            var file = reader.GetFile();
            header.Parse(new Attributes(file.GetDataSet(), header.Name, owned));
            return true;
        });
        return header;
    }

    private void Parse(Attributes top)
    {
        var charset = top.Text(0x0008, 0x0005) ?? "";
        top.Utf8 = charset.Contains("ISO_IR 192", StringComparison.Ordinal);
        PatientId = top.Text(0x0010, 0x0020);
        StudyInstanceUid = top.Text(0x0020, 0x000D);
        SeriesInstanceUid = top.Text(0x0020, 0x000E);

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
                Scaling(rescale, where),
                Window(voi, where)));
        }
        Frames = list;
        PerFramePositions = enhanced && FrameCount > 1 && positionsInGroups;
    }

    private static double? FirstValue(double[]? values) => values is { Length: > 0 } ? values[0] : null;

    private static PatientVector ToPosition(double[] values, string where)
    {
        var p = values.Length == 3 ? new PatientVector(values[0], values[1], values[2]) : default;
        if (values.Length != 3 || !p.IsFinite)
            throw new ItemRejectedException(DicomRejects.InvalidGeometry, $"{where}: Image Position (Patient) must be three numbers, got {values.Length}");
        return p;
    }

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
    private sealed class Owned : IDisposable
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
    private sealed class Attributes(gdcm.DataSet dataSet, string name, Owned owned)
    {
        public bool Utf8 { get; set; }

        public bool Has(ushort group, ushort element)
        {
            using var tag = new gdcm.Tag(group, element);
            return dataSet.FindDataElement(tag);
        }

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

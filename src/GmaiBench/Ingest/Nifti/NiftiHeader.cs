using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Nifti;

public enum NiftiVersion
{
    Nifti1 = 1,
    Nifti2 = 2,
}

/// <summary>
/// The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header this project uses, parsed and validated without
/// touching voxel data, plus what follows from them (shape, type, sizes, scaling, voxel-to-RAS affine).
/// </summary>
public sealed class NiftiHeader
{
    public const int Nifti1Size = 348;
    public const int Nifti2Size = 540;

    private NiftiHeader() { }

    public NiftiVersion Version { get; private init; }

    /// <summary>Whether the multi-byte fields (and voxels) are big-endian.</summary>
    public bool BigEndian { get; private init; }

    /// <summary>Magic n+1 / n+2: header and voxels in one .nii file; ni1 / ni2: a .hdr/.img pair.</summary>
    public bool SingleFile { get; private init; }

    public int HeaderSize => Version == NiftiVersion.Nifti1 ? Nifti1Size : Nifti2Size;

    /// <summary>NIfTI header field dim[0..7]: dim[0] is the number of dimensions, dim[1..] the sizes.</summary>
    public IReadOnlyList<long> Dim { get; private init; } = [];

    public short Datatype { get; private init; }

    public VoxelType VoxelType { get; private init; }

    /// <summary>NIfTI header field pixdim[0..7]; pixdim[0] is qfac, pixdim[1..3] voxel sizes in <see cref="SpatialUnitMm"/> units.</summary>
    public IReadOnlyList<double> Pixdim { get; private init; } = [];

    /// <summary>Byte offset of the voxels in the data file.</summary>
    public long VoxOffset { get; private init; }

    public double SclSlope { get; private init; }

    public double SclInter { get; private init; }

    public int QformCode { get; private init; }

    public int SformCode { get; private init; }

    public int XyztUnits { get; private init; }

    /// <summary>Millimetres per spatial unit from xyzt_units (metre 1000, micron 0.001; unknown taken as millimetre).</summary>
    public double SpatialUnitMm => UnitMm(XyztUnits);

    public GridShape Shape { get; private init; }

    /// <summary>Number of 3D volumes: the product of dim[4..dim[0]].</summary>
    public long VolumeCount { get; private init; }

    public long BytesPerVolume { get; private init; }

    /// <summary>Physical = stored x slope + intercept; identity when scl_slope is 0 or not finite (NIfTI-1 header, scl_slope).</summary>
    public VoxelScaling Scaling => SclSlope == 0 || !double.IsFinite(SclSlope)
        ? VoxelScaling.Identity
        : new VoxelScaling(SclSlope, double.IsFinite(SclInter) ? SclInter : 0);

    /// <summary>Which transform gave <see cref="Affine"/>: "sform", "qform" or "pixdim".</summary>
    public string AffineSource { get; private init; } = "";

    /// <summary>Voxel index to RAS+ world, millimetres.</summary>
    public Affine Affine { get; private init; } = Affine.Identity;

    /// <summary>Version and byte order from the first four bytes (sizeof_hdr, 348 or 540, read in either byte order).</summary>
    public static (NiftiVersion Version, bool BigEndian) Detect(ReadOnlySpan<byte> first4)
    {
        if (first4.Length < 4) throw new ItemRejectedException(NiftiRejects.TruncatedFile, $"the file has {first4.Length} bytes, too short for a NIfTI header");
        var little = BinaryPrimitives.ReadInt32LittleEndian(first4);
        var big = BinaryPrimitives.ReadInt32BigEndian(first4);
        // NIfTI-1 header, field sizeof_hdr: 348; NIfTI-2: 540. Read in the other byte order it means the file is swapped.
        if (little == Nifti1Size) return (NiftiVersion.Nifti1, false);
        if (little == Nifti2Size) return (NiftiVersion.Nifti2, false);
        if (big == Nifti1Size) return (NiftiVersion.Nifti1, true);
        if (big == Nifti2Size) return (NiftiVersion.Nifti2, true);
        throw new ItemRejectedException(NiftiRejects.NotNifti, $"not a NIfTI header: sizeof_hdr is {little} (little-endian) / {big} (big-endian), expected 348 or 540");
    }

    /// <summary>
    /// Parses and validates a whole header (348 or 540 bytes). Checks, in order: sizeof_hdr, magic, dim[0] in
    /// 1..7, positive sizes, datatype, vox_offset, then the geometry. Sizes are only computed, never allocated.
    /// </summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes)
    {
        var (version, bigEndian) = Detect(bytes);
        var size = version == NiftiVersion.Nifti1 ? Nifti1Size : Nifti2Size;
        if (bytes.Length < size) throw new ItemRejectedException(NiftiRejects.TruncatedFile, $"the NIfTI-{(int)version} header needs {size} bytes, the file has {bytes.Length}");
        var r = new FieldReader(bytes[..size], bigEndian);
        return version == NiftiVersion.Nifti1 ? ParseNifti1(r) : ParseNifti2(r);
    }

    private static NiftiHeader ParseNifti1(FieldReader r)
    {
        // NIfTI-1 header, field magic at byte 344: "n+1\0" (single .nii) or "ni1\0" (.hdr/.img pair).
        var single = Magic(r.Bytes.Slice(344, 4), "n+1\0"u8, "ni1\0"u8, NiftiVersion.Nifti1);
        var dim = new long[8];
        for (var n = 0; n < 8; n++) dim[n] = r.Int16(40 + 2 * n);
        var pixdim = new double[8];
        for (var n = 0; n < 8; n++) pixdim[n] = r.Float32(76 + 4 * n);
        var voxOffset = r.Float32(108);
        var srow = new double[12];
        for (var n = 0; n < 12; n++) srow[n] = r.Float32(280 + 4 * n);
        return Build(NiftiVersion.Nifti1, r.BigEndian, single, dim, r.Int16(68), r.Int16(70), pixdim, voxOffset,
            r.Float32(112), r.Float32(116), r.Int16(252), r.Int16(254), r.Bytes[123],
            [r.Float32(256), r.Float32(260), r.Float32(264)], [r.Float32(268), r.Float32(272), r.Float32(276)], srow);
    }

    private static NiftiHeader ParseNifti2(FieldReader r)
    {
        // NIfTI-2 header, field magic at byte 4: "n+2\0\r\n\032\n" or "ni2\0\r\n\032\n"; the last four bytes catch
        // line-ending conversion in transfer.
        var single = Magic(r.Bytes.Slice(4, 8), "n+2\0\r\n\u001a\n"u8, "ni2\0\r\n\u001a\n"u8, NiftiVersion.Nifti2);
        var dim = new long[8];
        for (var n = 0; n < 8; n++) dim[n] = r.Int64(16 + 8 * n);
        var pixdim = new double[8];
        for (var n = 0; n < 8; n++) pixdim[n] = r.Float64(104 + 8 * n);
        var srow = new double[12];
        for (var n = 0; n < 12; n++) srow[n] = r.Float64(400 + 8 * n);
        return Build(NiftiVersion.Nifti2, r.BigEndian, single, dim, r.Int32(504), r.Int16(12), pixdim, r.Int64(168),
            r.Float64(176), r.Float64(184), r.Int32(344), r.Int32(348), r.Int32(500),
            [r.Float64(352), r.Float64(360), r.Float64(368)], [r.Float64(376), r.Float64(384), r.Float64(392)], srow);
    }

    private static bool Magic(ReadOnlySpan<byte> found, ReadOnlySpan<byte> single, ReadOnlySpan<byte> pair, NiftiVersion version)
    {
        if (found.SequenceEqual(single)) return true;
        if (found.SequenceEqual(pair)) return false;
        var shown = new StringBuilder();
        foreach (var b in found) shown.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        var expected = version == NiftiVersion.Nifti1 ? "n+1 or ni1" : "n+2 or ni2";
        throw new ItemRejectedException(NiftiRejects.NotNifti, $"bad NIfTI-{(int)version} magic '{shown}', expected {expected} (ANALYZE 7.5 headers without a magic are not supported)");
    }

    private static NiftiHeader Build(NiftiVersion version, bool bigEndian, bool single, long[] dim, int intent, short datatype, double[] pixdim,
        double voxOffset, double slope, double inter, int qformCode, int sformCode, int xyztUnits,
        double[] quatern, double[] qoffset, double[] srow)
    {
        if (NonImageIntent(intent) is { } what)
            throw new ItemRejectedException(NiftiRejects.NotAnImage, $"intent_code {intent} ({what}): the file holds {(intent >= 3000 ? "a CIFTI matrix" : "data")} that is not an image volume");
        // NIfTI-1 header, field dim: dim[0] is 1..7; any other value means the file is corrupt (or swapped, which Detect ruled out).
        if (dim[0] is < 1 or > 7)
            throw new ItemRejectedException(NiftiRejects.CorruptHeader, $"dim[0] is {dim[0]}, must be 1..7 (number of dimensions)");
        for (var n = 1; n <= dim[0]; n++)
        {
            if (dim[n] < 1) throw new ItemRejectedException(NiftiRejects.CorruptHeader, $"dim[{n}] is {dim[n]}, every used dimension must be at least 1");
        }
        // Unused dimensions count as 1 (a 2D image is a one-slice volume).
        long Size(int n) => n <= dim[0] ? dim[n] : 1;
        // Data only along dimensions 5 to 7 (CIFTI, and surface data stored as NIfTI) is not a picture of anything.
        if (Size(1) * Size(2) * Size(3) * Size(4) == 1 && Size(5) * Size(6) * Size(7) > 1)
            throw new ItemRejectedException(NiftiRejects.NotAnImage,
                $"dimensions {string.Join("x", dim.Skip(1).Take((int)dim[0]))}: the spatial grid is a single voxel and the data lies along dimensions 5-7 (a CIFTI or surface file, not an image volume)");

        var type = NiftiDatatype.ToVoxelType(datatype)
            ?? throw new ItemRejectedException(NiftiRejects.UnsupportedDatatype, $"datatype {NiftiDatatype.Describe(datatype)} is not supported; supported: {NiftiDatatype.SupportedList}");

        // NIfTI-1 header, field vox_offset: a whole byte count; in a single file at least the header plus the 4-byte extension flag.
        var minimum = single ? (version == NiftiVersion.Nifti1 ? Nifti1Size : Nifti2Size) + 4 : 0;
        if (!double.IsFinite(voxOffset) || voxOffset != Math.Floor(voxOffset) || voxOffset < minimum || voxOffset > long.MaxValue / 2)
            throw new ItemRejectedException(NiftiRejects.CorruptHeader, string.Create(CultureInfo.InvariantCulture,
                $"vox_offset is {voxOffset}; it must be a whole number of bytes of at least {minimum}"));

        long voxels, volumes, bytesPerVolume;
        try
        {
            voxels = checked(Size(1) * Size(2) * Size(3));
            volumes = checked(Size(4) * Size(5) * Size(6) * Size(7));
            bytesPerVolume = checked(voxels * type.Size());
            _ = checked(bytesPerVolume * volumes + (long)voxOffset);
        }
        catch (OverflowException)
        {
            throw new ItemRejectedException(NiftiRejects.VolumeTooLarge, $"the declared dimensions {string.Join("x", dim.Skip(1).Take((int)dim[0]))} overflow a 64-bit byte count");
        }

        var unitMm = UnitMm(xyztUnits);
        var (affine, source) = NiftiGeometry.Affine(sformCode, qformCode, pixdim, quatern, qoffset, srow, unitMm);
        return new NiftiHeader
        {
            Version = version,
            BigEndian = bigEndian,
            SingleFile = single,
            Dim = dim,
            Datatype = datatype,
            VoxelType = type,
            Pixdim = pixdim,
            VoxOffset = (long)voxOffset,
            SclSlope = slope,
            SclInter = inter,
            QformCode = qformCode,
            SformCode = sformCode,
            XyztUnits = xyztUnits,
            // Grids beyond int range per axis cannot be held; CheckReadable reports them.
            Shape = Size(1) <= int.MaxValue && Size(2) <= int.MaxValue && Size(3) <= int.MaxValue
                ? new GridShape((int)Size(1), (int)Size(2), (int)Size(3)) : default,
            VolumeCount = volumes,
            BytesPerVolume = bytesPerVolume,
            Affine = affine,
            AffineSource = source,
        };
    }

    /// <summary>
    /// Intents whose data is not an image grid (nifti1.h): matrices, vectors, point sets, triangles, quaternions, GIFTI-style
    /// time series and node data, and CIFTI's connectivity codes 3000-3099. Statistic maps, labels and dimensionless
    /// intents are images and are read.
    /// </summary>
    private static string? NonImageIntent(int intent) => intent switch
    {
        1004 => "general matrix",
        1005 => "symmetric matrix",
        1006 => "displacement vector field",
        1007 => "vector",
        1008 => "point set",
        1009 => "triangles",
        1010 => "quaternion",
        2001 => "time series of surface nodes",
        2002 => "node index",
        2003 => "RGB vector",
        2004 => "RGBA vector",
        2005 => "shape",
        >= 3000 and <= 3099 => "CIFTI connectivity",
        _ => null,
    };

    // NIfTI-1 header, field xyzt_units, bits 0-2: 1 metre, 2 millimetre, 3 micron; 0 (unknown) is taken as millimetre.
    private static double UnitMm(int xyztUnits) => (xyztUnits & 0x07) switch { 1 => 1000.0, 3 => 0.001, _ => 1.0 };

    /// <summary>
    /// Refuses, before any allocation, a volume whose bytes exceed <see cref="NiftiReadOptions.MaxVoxelBytes"/> or an
    /// array's capacity, and a volume index beyond <see cref="VolumeCount"/>.
    /// </summary>
    public void CheckReadable(NiftiReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dims = string.Join("x", Dim.Skip(1).Take((int)Dim[0]));
        if (BytesPerVolume > options.MaxVoxelBytes)
            throw new ItemRejectedException(NiftiRejects.VolumeTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"the header declares a {dims} {VoxelType} volume of {BytesPerVolume} bytes ({BytesPerVolume / 1048576.0:0.#} MiB), over the limit of {options.MaxVoxelBytes} bytes; not read"));
        if (Shape == default || Shape.VoxelCount > Array.MaxLength)
            throw new ItemRejectedException(NiftiRejects.VolumeTooLarge, $"the header declares a {dims} volume with more voxels than one array can hold ({Array.MaxLength})");
        if (options.VolumeIndex >= VolumeCount)
            throw new ItemRejectedException(NiftiRejects.VolumeIndexOutOfRange, $"volume index {options.VolumeIndex} requested, the file has {VolumeCount} volume(s) ({dims})");
    }

    /// <summary>Reads NIfTI header fields at byte offsets in the file's byte order.</summary>
    private readonly ref struct FieldReader(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        public ReadOnlySpan<byte> Bytes { get; } = bytes;
        public bool BigEndian { get; } = bigEndian;

        public short Int16(int at) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(Bytes[at..]) : BinaryPrimitives.ReadInt16LittleEndian(Bytes[at..]);
        public int Int32(int at) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(Bytes[at..]) : BinaryPrimitives.ReadInt32LittleEndian(Bytes[at..]);
        public long Int64(int at) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(Bytes[at..]) : BinaryPrimitives.ReadInt64LittleEndian(Bytes[at..]);
        public double Float32(int at) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(Bytes[at..]) : BinaryPrimitives.ReadSingleLittleEndian(Bytes[at..]);
        public double Float64(int at) => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(Bytes[at..]) : BinaryPrimitives.ReadDoubleLittleEndian(Bytes[at..]);
    }
}

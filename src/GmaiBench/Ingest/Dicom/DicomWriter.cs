using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Writes a <see cref="Volume{T}"/> of int16 as DICOM through GDCM, for tests and the demo corpus: a series of
/// single-frame files or one Enhanced multi-frame file. Geometry (Image Position/Orientation (Patient), Pixel Spacing)
/// comes from the volume's RAS+ affine, the Modality LUT from its scaling; UIDs come from the options' seed and dates
/// are fixed, so the same input gives the same bytes.
/// </summary>
public static class DicomWriter
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    private const string EnhancedCtImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";
    private const string MrImageStorage = "1.2.840.10008.5.1.4.1.1.4";
    private const string EnhancedMrImageStorage = "1.2.840.10008.5.1.4.1.1.4.1";
    private const string PetImageStorage = "1.2.840.10008.5.1.4.1.1.128";
    private const string MultiFrameWordSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7.3";

    /// <summary>
    /// One file per slice (slice-0000.dcm, ...) in <paramref name="folder"/>, slice k at the affine's position of voxel
    /// (0, 0, k); returns the paths in slice order. The slice axis may leave the normal (a tilted gantry).
    /// </summary>
    public static IReadOnlyList<string> WriteSeries(string folder, Volume<short> volume, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(volume);
        options = (options ?? new DicomWriteOptions()).Validate();
        GdcmRuntime.EnsureInitialised();
        Directory.CreateDirectory(folder);
        var geometry = Geometry.Of(volume);
        var sopClass = options.Modality switch { "CT" => CtImageStorage, "MR" => MrImageStorage, _ => PetImageStorage };
        var paths = new List<string>(volume.Shape.Nk);
        for (var k = 0; k < volume.Shape.Nk; k++)
        {
            var path = Path.Combine(folder, $"slice-{k.ToString("D4", CultureInfo.InvariantCulture)}.dcm");
            Write(path, volume, [k], geometry.Origin + geometry.Step * k, geometry, sopClass, k, options);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>
    /// One multi-frame file: Enhanced CT or MR Image Storage, whose per-frame functional groups GDCM fills with each
    /// frame's Image Position (Patient). The slice axis must run along the normal (row x column direction).
    /// </summary>
    public static void WriteMultiFrame(string path, Volume<short> volume, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(volume);
        options = (options ?? new DicomWriteOptions()).Validate();
        if (options.Modality is not ("CT" or "MR")) throw new ArgumentException($"multi-frame files are written as Enhanced CT or MR, not {options.Modality}", nameof(options));
        GdcmRuntime.EnsureInitialised();
        var geometry = Geometry.Of(volume);
        // GDCM places frame k at origin + k x spacing x normal, so the slice axis must be that normal.
        var along = geometry.Step.Dot(geometry.Orientation.Normal);
        if (!(along > 0) || (geometry.Step - geometry.Orientation.Normal * along).Length > 1e-6 * along)
            throw new ArgumentException($"a multi-frame file needs the slice axis along +normal {geometry.Orientation.Normal}, the volume's is {geometry.Step}", nameof(volume));
        var frames = Enumerable.Range(0, volume.Shape.Nk).ToArray();
        var sopClass = options.Modality == "CT" ? EnhancedCtImageStorage : EnhancedMrImageStorage;
        Write(path, volume, frames, geometry.Origin, geometry, sopClass, 0, options);
        if (options.LegacyMultiFrame) MoveGeometryToTopLevel(path, geometry, volume.Scaling);
    }

    /// <summary>
    /// Rewrites an Enhanced file without its functional groups (PS3.3 C.7.6.16), with the geometry and rescale of the
    /// first frame at the top level and the frames' spacing as Spacing Between Slices.
    /// </summary>
    private static void MoveGeometryToTopLevel(string path, Geometry geometry, VoxelScaling scaling)
    {
        using var reader = new gdcm.Reader();
        reader.SetFileName(path);
        if (!reader.Read()) throw new IOException($"GDCM could not read back {path}");
        // The file belongs to the reader; the writer shares it through GDCM's own reference count.
        var file = reader.GetFile();
        var dataSet = file.GetDataSet();
        foreach (var sequence in new ushort[] { 0x9229, 0x9230 })
        {
            using var tag = new gdcm.Tag(0x5200, sequence);
            dataSet.Remove(tag);
        }
        var o = geometry.Orientation;
        Put(dataSet, 0x0008, 0x0016, gdcm.VR.VRType.UI, MultiFrameWordSecondaryCapture);
        Put(dataSet, 0x0020, 0x0032, gdcm.VR.VRType.DS, DecimalStrings(geometry.Origin.X, geometry.Origin.Y, geometry.Origin.Z));
        Put(dataSet, 0x0020, 0x0037, gdcm.VR.VRType.DS, DecimalStrings(o.Row.X, o.Row.Y, o.Row.Z, o.Column.X, o.Column.Y, o.Column.Z));
        Put(dataSet, 0x0028, 0x0030, gdcm.VR.VRType.DS, DecimalStrings(geometry.Spacing.BetweenRows, geometry.Spacing.BetweenColumns));
        Put(dataSet, 0x0018, 0x0088, gdcm.VR.VRType.DS, DecimalString(geometry.Step.Length));
        Put(dataSet, 0x0028, 0x1052, gdcm.VR.VRType.DS, DecimalString(scaling.Intercept));
        Put(dataSet, 0x0028, 0x1053, gdcm.VR.VRType.DS, DecimalString(scaling.Slope));
        // The file meta information names the SOP class too (PS3.10 7.1), and must agree with the data set.
        Put(file.GetHeader(), 0x0002, 0x0002, gdcm.VR.VRType.UI, MultiFrameWordSecondaryCapture);
        using var writer = new gdcm.Writer();
        writer.SetFile(file);
        writer.SetFileName(path);
        if (!writer.Write()) throw new IOException($"GDCM could not write {path}");
    }

    /// <summary>The SOP Instance UID of file <paramref name="instance"/> of a series written with <paramref name="options"/>.</summary>
    public static string InstanceUid(DicomWriteOptions options, int instance)
    {
        ArgumentNullException.ThrowIfNull(options);
        return DicomUid.FromSeed($"{options.Seed}/series/instance/{instance}");
    }

    /// <summary>
    /// Re-encodes <paramref name="input"/> (any image GDCM reads) into <paramref name="syntax"/> at <paramref name="output"/>,
    /// keeping every other element: how the tests and the demo get compressed colour files from ones written byte by byte.
    /// </summary>
    public static void Transcode(string input, string output, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        GdcmRuntime.EnsureInitialised();
        using var reader = new gdcm.ImageReader();
        reader.SetFileName(input);
        if (!reader.Read()) throw new IOException($"GDCM could not read {input}");
        // Disposal order as in Write: the writer lets go of the filter's output before the filter goes.
        using var change = new gdcm.ImageChangeTransferSyntax();
        using var writer = new gdcm.ImageWriter();
        using var target = new gdcm.TransferSyntax(TsType(syntax));
        change.SetTransferSyntax(target);
        change.SetInput(reader.GetImage());
        if (!change.Change()) throw new IOException($"GDCM could not encode {Path.GetFileName(input)} as {syntax}");
        writer.SetFile(reader.GetFile());
        writer.SetImage(change.GetOutput());
        // GDCM stamps today's date and time where Study Date and Time are missing: fixed values keep the bytes reproducible.
        var dataSet = writer.GetFile().GetDataSet();
        foreach (var (element, vr, value) in new[] { ((ushort)0x0020, gdcm.VR.VRType.DA, "20000101"), ((ushort)0x0030, gdcm.VR.VRType.TM, "000000") })
        {
            using var tag = new gdcm.Tag(0x0008, element);
            if (!dataSet.FindDataElement(tag)) Put(dataSet, 0x0008, element, vr, value);
        }
        writer.SetFileName(output);
        if (!writer.Write()) throw new IOException($"GDCM could not write {output}");
    }

    private static gdcm.TransferSyntax.TSType TsType(DicomTransferSyntax syntax) => syntax switch
    {
        DicomTransferSyntax.ExplicitVrLittleEndian => gdcm.TransferSyntax.TSType.ExplicitVRLittleEndian,
        DicomTransferSyntax.ImplicitVrLittleEndian => gdcm.TransferSyntax.TSType.ImplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVrBigEndian => gdcm.TransferSyntax.TSType.ExplicitVRBigEndian,
        DicomTransferSyntax.DeflatedExplicitVrLittleEndian => gdcm.TransferSyntax.TSType.DeflatedExplicitVRLittleEndian,
        DicomTransferSyntax.RleLossless => gdcm.TransferSyntax.TSType.RLELossless,
        DicomTransferSyntax.JpegLossless => gdcm.TransferSyntax.TSType.JPEGLosslessProcess14_1,
        DicomTransferSyntax.JpegLsLossless => gdcm.TransferSyntax.TSType.JPEGLSLossless,
        DicomTransferSyntax.Jpeg2000Lossless => gdcm.TransferSyntax.TSType.JPEG2000Lossless,
        _ => throw new ArgumentOutOfRangeException(nameof(syntax), $"unknown transfer syntax {syntax}"),
    };

    private static string DecimalStrings(params double[] values) => string.Join('\\', values.Select(DecimalString));

    /// <summary>The volume's grid in DICOM terms (LPS): the affine's columns are the row direction x column spacing, etc.</summary>
    private sealed record Geometry(PlaneOrientation Orientation, PixelSpacing Spacing, PatientVector Origin, PatientVector Step)
    {
        public static Geometry Of(Volume volume)
        {
            var a = volume.Affine;
            // RAS to LPS: negate x and y.
            PatientVector Column(int c) => new(-a[0, c], -a[1, c], a[2, c]);
            PatientVector i = Column(0), j = Column(1), k = Column(2);
            var origin = Column(3);
            var ni = i.Length;
            var nj = j.Length;
            if (!(ni > 0 && nj > 0 && k.Length > 0)) throw new ArgumentException($"the volume's affine is degenerate: {a}", nameof(volume));
            var row = i * (1 / ni);
            var column = j * (1 / nj);
            if (Math.Abs(row.Dot(column)) > 1e-9)
                throw new ArgumentException($"DICOM image planes need perpendicular row and column axes, the affine has {row} and {column}", nameof(volume));
            var orientation = PlaneOrientation.FromCosines([row.X, row.Y, row.Z, column.X, column.Y, column.Z], "volume");
            return new Geometry(orientation, new PixelSpacing(betweenRows: nj, betweenColumns: ni), origin, k);
        }
    }

    private static void Write(string path, Volume<short> volume, int[] slices, PatientVector origin, Geometry geometry, string sopClass, int instance, DicomWriteOptions options)
    {
        int columns = volume.Shape.Ni, rows = volume.Shape.Nj;
        if (options.TransferSyntax == DicomTransferSyntax.Jpeg2000Lossless && (columns < 8 || rows < 8))
            throw new ArgumentException($"JPEG 2000 needs at least 8 x 8 pixels (GDCM's encoder crashes on smaller images), the volume's slices are {columns} x {rows}", nameof(volume));
        var pixels = new short[columns * rows * slices.Length];
        for (var f = 0; f < slices.Length; f++)
        {
            for (var j = 0; j < rows; j++) volume.CopyRow(j, slices[f], pixels.AsSpan((f * rows + j) * columns, columns));
        }
        var bytes = MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray();
        // The native pixel buffer is little endian; GDCM swaps it for the big endian syntax.
        if (!BitConverter.IsLittleEndian)
        {
            for (var n = 0; n + 1 < bytes.Length; n += 2) (bytes[n], bytes[n + 1]) = (bytes[n + 1], bytes[n]);
        }

        // Ownership: the C# binding does not take part in GDCM's reference counting. An Image handed to the writer (or to
        // a filter) is held by GDCM smart pointers and deleted when the last of them goes, so it is handed over at once
        // and never disposed or finalised from C#: doing so frees it twice and crashes the process. Disposal order
        // matters too: the writer lets go of its image before the filter that produced it.
        using var change = new gdcm.ImageChangeTransferSyntax();
        using var writer = new gdcm.ImageWriter();
        var image = new gdcm.Image();
        writer.SetImage(image);
        GC.SuppressFinalize(image);
        var multiFrame = slices.Length > 1 || sopClass is EnhancedCtImageStorage or EnhancedMrImageStorage;
        image.SetNumberOfDimensions(multiFrame ? 3u : 2u);
        image.SetDimension(0, (uint)columns);
        image.SetDimension(1, (uint)rows);
        if (multiFrame) image.SetDimension(2, (uint)slices.Length);
        using var format = new gdcm.PixelFormat(gdcm.PixelFormat.ScalarType.INT16);
        image.SetPixelFormat(format);
        using var photometric = new gdcm.PhotometricInterpretation(options.Monochrome1
            ? gdcm.PhotometricInterpretation.PIType.MONOCHROME1
            : gdcm.PhotometricInterpretation.PIType.MONOCHROME2);
        image.SetPhotometricInterpretation(photometric);
        using var native = new gdcm.TransferSyntax(gdcm.TransferSyntax.TSType.ExplicitVRLittleEndian);
        image.SetTransferSyntax(native);

        // GDCM keeps as many origin and spacing values as the image has dimensions, so the third of a 2D image is set
        // on its own; GDCM's spacing is (x, y, z) = (between columns, between rows, between slices) and it writes Pixel
        // Spacing as [y, x] (PS3.3 10.7.1.3).
        image.SetOrigin([origin.X, origin.Y, origin.Z]);
        image.SetOrigin(2, origin.Z);
        var o = geometry.Orientation;
        image.SetDirectionCosines([o.Row.X, o.Row.Y, o.Row.Z, o.Column.X, o.Column.Y, o.Column.Z]);
        var gap = geometry.Step.Length;
        image.SetSpacing([geometry.Spacing.BetweenColumns, geometry.Spacing.BetweenRows, gap]);
        image.SetSpacing(2, gap);
        image.SetSlope(volume.Scaling.Slope);
        image.SetIntercept(volume.Scaling.Intercept);

        using var pixelTag = new gdcm.Tag(0x7FE0, 0x0010);
        using var pixelData = new gdcm.DataElement(pixelTag);
        using var length = new gdcm.VL((uint)bytes.Length);
        pixelData.SetByteValue(bytes, length);
        using var ow = new gdcm.VR(gdcm.VR.VRType.OW);
        pixelData.SetVR(ow);
        image.SetDataElement(pixelData);

        if (options.TransferSyntax != DicomTransferSyntax.ExplicitVrLittleEndian)
        {
            using var target = new gdcm.TransferSyntax(TsType(options.TransferSyntax));
            change.SetTransferSyntax(target);
            change.SetInput(image);
            if (!change.Change()) throw new IOException($"GDCM could not encode {Path.GetFileName(path)} as {options.TransferSyntax}");
            // The output belongs to the filter, which outlives the writer.
            writer.SetImage(change.GetOutput());
        }

        var dataSet = writer.GetFile().GetDataSet();
        var seriesUid = options.ResolvedSeriesInstanceUid;
        Put(dataSet, 0x0008, 0x0016, gdcm.VR.VRType.UI, sopClass);
        Put(dataSet, 0x0008, 0x0018, gdcm.VR.VRType.UI, InstanceUid(options, instance));
        // Set explicitly: GDCM stamps the current date and time when they are missing.
        Put(dataSet, 0x0008, 0x0020, gdcm.VR.VRType.DA, options.StudyDate);
        Put(dataSet, 0x0008, 0x0030, gdcm.VR.VRType.TM, "000000");
        Put(dataSet, 0x0008, 0x0060, gdcm.VR.VRType.CS, options.Modality);
        Put(dataSet, 0x0010, 0x0020, gdcm.VR.VRType.LO, options.PatientId);
        Put(dataSet, 0x0020, 0x000D, gdcm.VR.VRType.UI, options.ResolvedStudyInstanceUid);
        Put(dataSet, 0x0020, 0x000E, gdcm.VR.VRType.UI, seriesUid);
        Put(dataSet, 0x0020, 0x0052, gdcm.VR.VRType.UI, options.ResolvedFrameOfReferenceUid);
        Put(dataSet, 0x0020, 0x0013, gdcm.VR.VRType.IS, (instance + 1).ToString(CultureInfo.InvariantCulture));
        if (!multiFrame) Put(dataSet, 0x0018, 0x0050, gdcm.VR.VRType.DS, DecimalString(options.SliceThickness ?? gap));
        if (options.Window is { } window)
        {
            Put(dataSet, 0x0028, 0x1050, gdcm.VR.VRType.DS, DecimalString(window.Level));
            Put(dataSet, 0x0028, 0x1051, gdcm.VR.VRType.DS, DecimalString(window.Width));
        }
        writer.SetFileName(path);
        if (!writer.Write()) throw new IOException($"GDCM could not write {path}");
    }

    /// <summary>Replaces one element with a string value padded to even length (PS3.5 7.1.1: NUL for UI, space otherwise).</summary>
    private static void Put(gdcm.DataSet dataSet, ushort group, ushort element, gdcm.VR.VRType vr, string value)
    {
        if (value.Length % 2 == 1) value += vr == gdcm.VR.VRType.UI ? "\0" : " ";
        var bytes = Encoding.ASCII.GetBytes(value);
        using var tag = new gdcm.Tag(group, element);
        using var data = new gdcm.DataElement(tag);
        using var type = new gdcm.VR(vr);
        data.SetVR(type);
        using var length = new gdcm.VL((uint)bytes.Length);
        data.SetByteValue(bytes, length);
        dataSet.Replace(data);
    }

    /// <summary>A Decimal String (DS) value: at most 16 characters (PS3.5 6.2).</summary>
    private static string DecimalString(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Length <= 16 ? text : value.ToString("G10", CultureInfo.InvariantCulture);
    }
}

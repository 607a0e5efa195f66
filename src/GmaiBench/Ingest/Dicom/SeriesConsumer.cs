using System.Numerics;
using System.Runtime.InteropServices;
using GmaiBench.Imaging.Volumes;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Receives one decoded series piece by piece, in this order: <see cref="Begin"/> once with the header; <see cref="Slice"/>
/// for k = 0 .. Nk-1, each slice once; for a colour image, <see cref="ColourRows"/> until every row has come (top to
/// bottom); for a structure object, <see cref="MaskSlice"/> for each region in header order, k = 0 .. Nk-1; then
/// <see cref="Complete"/>, whose result the caller gets. The spans are only valid during the call (the reader reuses its
/// buffer for the next frame): a consumer copies what it keeps. A consumer that throws ends the answer (the decoder child
/// is then stopped); when the child rejects the series or fails, the consumer is simply dropped, so it holds nothing
/// that needs disposing. This is the seam where a reader that keeps only some planes plugs in: the decoder child
/// (<see cref="DicomDecoderPool"/>), the in-process fallback (<see cref="SeriesFeed"/>) and the tests all speak to it.
/// </summary>
public interface ISeriesConsumer<out TResult>
{
    /// <summary>The series' grid, voxel type and facts, before any voxel.</summary>
    void Begin(SeriesHeader header);

    /// <summary>Slice <paramref name="k"/> as stored: Ni x Nj voxels of the header's type, column fastest, native byte order.</summary>
    void Slice(int k, ReadOnlySpan<byte> stored);

    /// <summary>Whole rows of the colour frame from <paramref name="firstRow"/> on: 8-bit RGB interleaved, Width x 3 bytes a row.</summary>
    void ColourRows(int firstRow, ReadOnlySpan<byte> rgb);

    /// <summary>
    /// Slice <paramref name="k"/> of region <paramref name="mask"/>'s mask on the series' grid: Ni x Nj bytes (1 inside, 0
    /// outside), or empty when no voxel of that slice is inside the region.
    /// </summary>
    void MaskSlice(int mask, int k, ReadOnlySpan<byte> values);

    /// <summary>Every piece has come; the result the caller asked for.</summary>
    TResult Complete();
}

/// <summary>The shape of a colour image's chosen frame (<see cref="RgbFrame"/> without its bytes).</summary>
public sealed record ColourShape(int Width, int Height, int Frame, int FrameCount, string Photometric)
{
    public int RowBytes => Width * 3;
}

/// <summary>
/// What is known of a decoded series before its voxels: the grid (shape, stored voxel type, affine, scaling), every fact of
/// <see cref="DicomVolume"/> besides its voxels, the colour frame's shape, and for a structure object its summary and the
/// regions whose masks follow (one per region, in this order).
/// </summary>
public sealed record SeriesHeader
{
    public required VoxelType VoxelType { get; init; }
    public required GridShape Shape { get; init; }
    public required Affine Affine { get; init; }
    public VoxelScaling Scaling { get; init; } = VoxelScaling.Identity;
    public bool InvertDisplay { get; init; }
    public VoiLinearWindow? FileWindow { get; init; }
    public string Modality { get; init; } = "";
    public string? FrameOfReferenceUid { get; init; }
    public string? PatientId { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public bool HasPatientGeometry { get; init; }
    public SliceSpacingStats? SliceSpacing { get; init; }
    public required IReadOnlyList<string> SourceFiles { get; init; }
    public ColourShape? Colour { get; init; }
    public StructureSummary? Structures { get; init; }
    public IReadOnlyList<StructureRegion> Masks { get; init; } = [];

    /// <summary>Bytes of one stored slice (Ni x Nj voxels).</summary>
    public int SliceBytes => Shape.Ni * Shape.Nj * VoxelType.Size();

    /// <summary>Bytes of one mask slice that has voxels inside its region (Ni x Nj).</summary>
    public int MaskSliceBytes => Shape.Ni * Shape.Nj;

    /// <summary>The header of <paramref name="series"/>, with <paramref name="structures"/>' summary and regions when it is a pairing.</summary>
    public static SeriesHeader Of(DicomVolume series, StructurePairing? structures = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var v = series.Volume;
        return new SeriesHeader
        {
            VoxelType = v.VoxelType, Shape = v.Shape, Affine = v.Affine, Scaling = v.Scaling,
            InvertDisplay = series.InvertDisplay, FileWindow = series.FileWindow, Modality = series.Modality,
            FrameOfReferenceUid = series.FrameOfReferenceUid, PatientId = series.PatientId, StudyInstanceUid = series.StudyInstanceUid,
            SeriesInstanceUid = series.SeriesInstanceUid, HasPatientGeometry = series.HasPatientGeometry, SliceSpacing = series.SliceSpacing,
            SourceFiles = series.SourceFiles,
            Colour = series.Colour is { } c ? new ColourShape(c.Width, c.Height, c.Frame, c.FrameCount, c.Photometric) : null,
            Structures = structures?.Summary,
            Masks = structures?.Masks.Select(m => m.Region).ToList() ?? [],
        };
    }

    /// <summary>The <see cref="DicomVolume"/> these facts describe, over <paramref name="volume"/>'s voxels.</summary>
    public DicomVolume ToDicomVolume(Volume volume, RgbFrame? colour) => new()
    {
        Volume = volume, Colour = colour, InvertDisplay = InvertDisplay, FileWindow = FileWindow, Modality = Modality,
        FrameOfReferenceUid = FrameOfReferenceUid, PatientId = PatientId, StudyInstanceUid = StudyInstanceUid,
        SeriesInstanceUid = SeriesInstanceUid, HasPatientGeometry = HasPatientGeometry, SliceSpacing = SliceSpacing, SourceFiles = SourceFiles,
    };
}

/// <summary>A decoded series, with the structure object's summary and masks when one was read with it.</summary>
public sealed record DecodedSeries(DicomVolume Series, StructurePairing? Structures);

/// <summary>
/// Hands a series read in this process to a consumer, piece by piece in the order <see cref="ISeriesConsumer{TResult}"/>
/// states: what the decoder child does with its frame writer, and what the in-process fallback does with any consumer.
/// </summary>
public static class SeriesFeed
{
    /// <summary>Colour rows go in bands of about this many bytes (at least one row).</summary>
    public const int ColourBandBytes = 1 << 20;

    public static TResult Feed<TResult>(DicomVolume series, StructurePairing? structures, ISeriesConsumer<TResult> consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        var header = SeriesHeader.Of(series, structures);
        var volume = series.Volume;
        consumer.Begin(header);
        for (var k = 0; k < header.Shape.Nk; k++) consumer.Slice(k, StoredSlice(volume, k));
        if (series.Colour is { } colour)
        {
            var rowBytes = colour.Width * 3;
            var band = Math.Max(1, ColourBandBytes / rowBytes);
            for (var row = 0; row < colour.Height; row += band)
                consumer.ColourRows(row, colour.Rgb.AsSpan(row * rowBytes, Math.Min(band, colour.Height - row) * rowBytes));
        }
        var plane = header.MaskSliceBytes;
        for (var m = 0; m < header.Masks.Count; m++)
        {
            if (structures!.Masks[m].Map.Volume is not Volume<byte> mask || mask.Shape != header.Shape)
                throw new InvalidOperationException($"region {m + 1}'s mask is not a uint8 volume on the series' {header.Shape} grid");
            var voxels = mask.StoredVoxels;
            for (var k = 0; k < header.Shape.Nk; k++)
            {
                var slice = voxels.Slice(k * plane, plane);
                // Most slices of a region hold none of it: those go as an empty frame.
                consumer.MaskSlice(m, k, slice.IndexOfAnyExcept((byte)0) < 0 ? [] : slice);
            }
        }
        return consumer.Complete();
    }

    /// <summary>Slice <paramref name="k"/> of a volume in storage order (as the readers make them; never a reoriented view).</summary>
    public static ReadOnlySpan<byte> StoredSlice(Volume volume, int k) => volume switch
    {
        Volume<byte> v => SliceOf(v, k),
        Volume<sbyte> v => SliceOf(v, k),
        Volume<short> v => SliceOf(v, k),
        Volume<ushort> v => SliceOf(v, k),
        Volume<int> v => SliceOf(v, k),
        Volume<uint> v => SliceOf(v, k),
        Volume<long> v => SliceOf(v, k),
        Volume<float> v => SliceOf(v, k),
        Volume<double> v => SliceOf(v, k),
        _ => throw new ArgumentException($"cannot hand a {volume.VoxelType} volume over", nameof(volume)),
    };

    private static ReadOnlySpan<byte> SliceOf<T>(Volume<T> volume, int k) where T : unmanaged, INumber<T>
    {
        var plane = volume.Shape.Ni * volume.Shape.Nj;
        return MemoryMarshal.AsBytes(volume.StoredVoxels.Slice(k * plane, plane));
    }
}

/// <summary>
/// The consumer a build uses today: assembles the whole volume, colour frame and masks, giving what the in-process reader
/// gives, byte for byte. Slices must come in order, each once.
/// </summary>
public sealed class WholeSeriesAssembler : ISeriesConsumer<DecodedSeries>
{
    private SeriesHeader? _header;
    private VoxelArray? _voxels;
    private byte[]? _rgb;
    private byte[][] _masks = [];
    private int _nextSlice;
    private int _nextColourRow;
    private (int Mask, int K) _nextMaskSlice;

    public void Begin(SeriesHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (_header is not null) throw new InvalidOperationException("a second header for one series");
        _header = header;
        _voxels = VoxelArray.For(header.VoxelType, header.Shape);
        _rgb = header.Colour is { } c ? GC.AllocateUninitializedArray<byte>(c.RowBytes * c.Height) : null;
        _masks = header.Masks.Select(_ => new byte[header.Shape.VoxelCount]).ToArray();
    }

    public void Slice(int k, ReadOnlySpan<byte> stored)
    {
        var header = Started();
        if (k != _nextSlice || k >= header.Shape.Nk || stored.Length != header.SliceBytes)
            throw new InvalidOperationException($"slice {k} ({stored.Length} bytes) where slice {_nextSlice} of {header.Shape.Nk} ({header.SliceBytes} bytes) was due");
        stored.CopyTo(_voxels!.Slice(k));
        _nextSlice++;
    }

    public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb)
    {
        var colour = Started().Colour ?? throw new InvalidOperationException("colour rows for a greyscale series");
        if (firstRow != _nextColourRow || rgb.Length % colour.RowBytes != 0 || firstRow + rgb.Length / colour.RowBytes > colour.Height)
            throw new InvalidOperationException($"colour rows from {firstRow} ({rgb.Length} bytes) where row {_nextColourRow} was due");
        rgb.CopyTo(_rgb.AsSpan(firstRow * colour.RowBytes));
        _nextColourRow += rgb.Length / colour.RowBytes;
    }

    public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values)
    {
        var header = Started();
        if ((mask, k) != _nextMaskSlice || mask >= _masks.Length || (values.Length != 0 && values.Length != header.MaskSliceBytes))
            throw new InvalidOperationException($"mask {mask} slice {k} where mask {_nextMaskSlice.Mask} slice {_nextMaskSlice.K} was due");
        values.CopyTo(_masks[mask].AsSpan(k * header.MaskSliceBytes));   // an empty slice stays zero
        _nextMaskSlice = k + 1 < header.Shape.Nk ? (mask, k + 1) : (mask + 1, 0);
    }

    public DecodedSeries Complete()
    {
        var header = Started();
        if (_nextSlice != header.Shape.Nk || _nextColourRow != (header.Colour?.Height ?? 0) || _nextMaskSlice.Mask != _masks.Length)
            throw new InvalidOperationException("the series ended before all of its pieces came");
        var colour = header.Colour is { } c ? new RgbFrame(c.Width, c.Height, _rgb!, c.Frame, c.FrameCount, c.Photometric) : null;
        var series = header.ToDicomVolume(_voxels!.ToVolume(header), colour);
        if (header.Structures is not { } summary) return new DecodedSeries(series, null);
        var masks = header.Masks.Select((region, m) => new StructureMask(region, LabelMap.From(new Volume<byte>(_masks[m], header.Shape, header.Affine)))).ToList();
        return new DecodedSeries(series, new StructurePairing(series, summary, masks));
    }

    private SeriesHeader Started() => _header ?? throw new InvalidOperationException("a piece of a series before its header");

    /// <summary>A typed voxel array written slice by slice as bytes.</summary>
    private abstract class VoxelArray
    {
        public abstract Span<byte> Slice(int k);

        public abstract Volume ToVolume(SeriesHeader header);

        public static VoxelArray For(VoxelType type, GridShape shape) => type switch
        {
            VoxelType.UInt8 => new Of<byte>(shape),
            VoxelType.Int8 => new Of<sbyte>(shape),
            VoxelType.Int16 => new Of<short>(shape),
            VoxelType.UInt16 => new Of<ushort>(shape),
            VoxelType.Int32 => new Of<int>(shape),
            VoxelType.UInt32 => new Of<uint>(shape),
            VoxelType.Int64 => new Of<long>(shape),
            VoxelType.Float32 => new Of<float>(shape),
            VoxelType.Float64 => new Of<double>(shape),
            _ => throw new ArgumentOutOfRangeException(nameof(type), $"no voxel type {type}"),
        };

        private sealed class Of<T>(GridShape shape) : VoxelArray where T : unmanaged, INumber<T>
        {
            // Every slice is written before the volume is built: no need to zero the array first.
            private readonly T[] _voxels = GC.AllocateUninitializedArray<T>((int)shape.VoxelCount);
            private readonly int _plane = shape.Ni * shape.Nj;

            public override Span<byte> Slice(int k) => MemoryMarshal.AsBytes(_voxels.AsSpan(k * _plane, _plane));

            public override Volume ToVolume(SeriesHeader header) => new Volume<T>(_voxels, header.Shape, header.Affine, header.Scaling);
        }
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;

namespace GmaiBench.Ingest.Volumes;

/// <summary>
/// A DICOM series as it arrives from the decoder (<see cref="ISeriesConsumer{TResult}"/>), handed slice by slice to the
/// <see cref="IVoxelStream"/> that <paramref name="open"/> gives once the header is known (a <see cref="PlaneCollector"/>
/// keeping the slices' planes, or a visitor re-reading the values for a percentile window): the parent never holds the
/// series. A colour image's RGB frame is kept whole (one picture). Structure masks are not asked for on this path.
/// </summary>
public sealed class SeriesStream(Func<SeriesHeader, IVoxelStream> open) : ISeriesConsumer<(SeriesHeader Header, RgbFrame? Colour)>
{
    private SeriesHeader? _header;
    private SliceFeeder? _feeder;
    private byte[]? _rgb;

    public void Begin(SeriesHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _header = header;
        _feeder = SliceFeeder.For(header, open(header));
        _rgb = header.Colour is { } c ? GC.AllocateUninitializedArray<byte>(c.RowBytes * c.Height) : null;
    }

    public void Slice(int k, ReadOnlySpan<byte> stored)
    {
        if (_feeder is null) throw new InvalidOperationException("a slice before the series' header");
        _feeder.Feed(k, stored);
    }

    public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb)
    {
        var shape = _header?.Colour ?? throw new InvalidOperationException("colour rows for a series that is not colour");
        rgb.CopyTo(_rgb.AsSpan(firstRow * shape.RowBytes));
    }

    public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values) =>
        throw new InvalidOperationException("a structure mask on a path that reads the series alone");

    public (SeriesHeader Header, RgbFrame? Colour) Complete()
    {
        var header = _header ?? throw new InvalidOperationException("the series ended before its header");
        var colour = header.Colour is { } c ? new RgbFrame(c.Width, c.Height, _rgb!, c.Frame, c.FrameCount, c.Photometric) : null;
        return (header, colour);
    }

    /// <summary>Hands stored slice bytes on as rows of the header's voxel type.</summary>
    private abstract class SliceFeeder
    {
        public abstract void Feed(int k, ReadOnlySpan<byte> stored);

        public static SliceFeeder For(SeriesHeader header, IVoxelStream stream) => header.VoxelType switch
        {
            VoxelType.UInt8 => new Typed<byte>(header, stream),
            VoxelType.Int8 => new Typed<sbyte>(header, stream),
            VoxelType.Int16 => new Typed<short>(header, stream),
            VoxelType.UInt16 => new Typed<ushort>(header, stream),
            VoxelType.Int32 => new Typed<int>(header, stream),
            VoxelType.UInt32 => new Typed<uint>(header, stream),
            VoxelType.Int64 => new Typed<long>(header, stream),
            VoxelType.Float32 => new Typed<float>(header, stream),
            VoxelType.Float64 => new Typed<double>(header, stream),
            _ => throw new InvalidOperationException($"a series of {header.VoxelType} voxels"),
        };

        private sealed class Typed<T>(SeriesHeader header, IVoxelStream stream) : SliceFeeder where T : unmanaged, INumber<T>
        {
            private readonly IVoxelRows<T> _rows = stream.Open<T>(header.Shape, header.Scaling);

            public override void Feed(int k, ReadOnlySpan<byte> stored)
            {
                if (stored.Length != header.SliceBytes) throw new InvalidOperationException($"slice {k} has {stored.Length} bytes, not {header.SliceBytes}");
                _rows.Rows((long)k * header.Shape.Nj, MemoryMarshal.Cast<byte, T>(stored));
            }
        }
    }
}

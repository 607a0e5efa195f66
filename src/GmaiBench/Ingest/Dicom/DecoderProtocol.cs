using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// The byte that opens every frame. The values lie below 0x20, so text that lands on a decoder's standard output by
/// mistake (a library's warning) is never taken for a frame.
/// </summary>
public enum FrameKind : byte
{
    Request = 0x01,
    Header = 0x02,
    Slice = 0x03,
    ColourRows = 0x04,
    MaskSlice = 0x05,
    End = 0x06,
    Reject = 0x07,
}

/// <summary>What the build asks a decoder child for: a series' files, the structure object drawn on it if any, the voxel-byte cap.</summary>
public sealed record DecodeRequest(IReadOnlyList<string> Files, string? StructurePath = null, long MaxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
{
    public int Protocol { get; init; } = DecoderProtocol.Version;

    /// <summary>Throws <see cref="ArgumentException"/> for a request no reader accepts (as the in-process reader would).</summary>
    public DecodeRequest Validate()
    {
        if (Files is null || Files.Count == 0) throw new ArgumentException("a series needs at least one file", nameof(Files));
        if (MaxVoxelBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxVoxelBytes), $"the voxel byte cap must be positive, got {MaxVoxelBytes}");
        return this;
    }
}

/// <summary>The decoder's output is not the protocol (text, a frame out of order or of the wrong size, malformed JSON).</summary>
public sealed class DecoderProtocolException(string message) : Exception(message);

/// <summary>
/// One answer of a decoder child: the consumer's result when <see cref="Decoded"/>, else the child's reject (the consumer
/// then saw nothing); <see cref="Retire"/> when the child asks not to be sent another series (native code failed while
/// it worked on this one, so its memory is not to be trusted).
/// </summary>
public sealed record DecoderAnswer<TResult>(bool Decoded, TResult Result, ItemRejectedException? Reject, bool Retire);

/// <summary>
/// The framed protocol between the build and a DICOM decoder child, over the child's standard input and output. A frame is
/// one <see cref="FrameKind"/> byte, the payload length (uint32, little-endian) and the payload. The parent sends one
/// Request frame (JSON <see cref="DecodeRequest"/>) and reads the whole answer before the next. The child answers with one
/// Reject frame (JSON: reason, message, retire), or with: a Header frame (JSON: <see cref="SeriesHeader"/>), one Slice
/// frame per slice k = 0 .. Nk-1 (its stored bytes), ColourRows frames (whole RGB rows, top to bottom) for a colour
/// image, one MaskSlice frame per region and slice (Ni x Nj bytes, or empty for a slice without the region), and an End
/// frame (empty, or one byte 1 when the child retires). A child retires after an answer during which GDCM failed,
/// however the answer went: the next series goes to a fresh child. Every size is known from the header, so anything else
/// on the stream is caught at the frame where it appears. Both ends are one machine: voxels travel in native byte order.
/// </summary>
public static partial class DecoderProtocol
{
    public const int Version = 1;

    /// <summary>Kind byte + uint32 length.</summary>
    public const int FrameHeaderBytes = 5;

    /// <summary>Largest JSON frame accepted (a header lists the series' file paths; a structure set its region names).</summary>
    public const int MaxJsonBytes = 64 << 20;

    /// <summary>
    /// The frames' JSON, generated at build time: a child's first request then costs no reflection and no emitted code
    /// (reflection-based serialisation took about a third of a child's start-up). NaN and infinities are allowed so a
    /// number the readers produce can always travel.
    /// </summary>
    [JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(DecodeRequest))]
    [JsonSerializable(typeof(RejectNote))]
    [JsonSerializable(typeof(HeaderWire))]
    private sealed partial class WireJson : JsonSerializerContext;

    private sealed record RejectNote(string Reason, string Message, bool Retire = false);

    private sealed record StructuresWire(string Kind, string? FrameOfReferenceUid, IReadOnlyList<string> ReferencedSeriesUids,
        IReadOnlyList<StructureRegion> Regions, IReadOnlyList<int> ReferencedFrames);

    /// <summary>The header as it travels: plain numbers and strings, checked when read.</summary>
    private sealed record HeaderWire(int Protocol, VoxelType VoxelType, int Ni, int Nj, int Nk, double[] Affine, double Slope, double Intercept,
        bool InvertDisplay, double? WindowWidth, double? WindowLevel, string? Modality, string? FrameOfReferenceUid, string? PatientId,
        string? StudyInstanceUid, string? SeriesInstanceUid, bool HasPatientGeometry, SliceSpacingStats? SliceSpacing,
        IReadOnlyList<string> SourceFiles, ColourShape? Colour, StructuresWire? Structures, IReadOnlyList<StructureRegion>? Masks);

    public static void WriteFrame(Stream output, FrameKind kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> head = stackalloc byte[FrameHeaderBytes];
        head[0] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(head[1..], (uint)payload.Length);
        output.Write(head);
        output.Write(payload);
    }

    /// <summary>A request as one write (one frame, header and payload together): a pipe delivers it whole when it is small.</summary>
    public static void WriteRequest(Stream output, DecodeRequest request)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(request.Validate(), WireJson.Default.DecodeRequest);
        var frame = new byte[FrameHeaderBytes + json.Length];
        frame[0] = (byte)FrameKind.Request;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(1), (uint)json.Length);
        json.CopyTo(frame, FrameHeaderBytes);
        output.Write(frame);
        output.Flush();
    }

    public static void WriteReject(Stream output, string reason, string message, bool retire = false)
    {
        WriteFrame(output, FrameKind.Reject, JsonSerializer.SerializeToUtf8Bytes(new RejectNote(reason, message, retire), WireJson.Default.RejectNote));
        output.Flush();
    }

    /// <summary>The End frame's one byte when the child retires.</summary>
    public const byte Retiring = 1;

    /// <summary>The next request; null when the input ends between frames (the parent closed it: the child's cue to exit).</summary>
    public static DecodeRequest? ReadRequest(Stream input)
    {
        Span<byte> head = stackalloc byte[FrameHeaderBytes];
        var got = input.ReadAtLeast(head, FrameHeaderBytes, throwOnEndOfStream: false);
        if (got == 0) return null;
        if (got < FrameHeaderBytes) throw new DecoderProtocolException("the request stream ended inside a frame header");
        var (kind, length) = ((FrameKind)head[0], BinaryPrimitives.ReadUInt32LittleEndian(head[1..]));
        if (kind != FrameKind.Request) throw new DecoderProtocolException($"{Describe(head[0])} where a request frame was due");
        if (length > MaxJsonBytes) throw new DecoderProtocolException($"a request of {length} bytes (at most {MaxJsonBytes})");
        var payload = new byte[length];
        input.ReadExactly(payload);
        var request = Parse(payload, WireJson.Default.DecodeRequest, "request");
        if (request.Protocol != Version) throw new DecoderProtocolException($"a request in protocol {request.Protocol}; this decoder speaks {Version}");
        try { return request.Validate(); }
        catch (ArgumentException e) { throw new DecoderProtocolException($"an invalid request: {e.Message}"); }
    }

    /// <summary>
    /// Reads one answer from <paramref name="answers"/>, handing the series to <paramref name="consumer"/> frame by frame
    /// (or, when the child rejected the series, nothing). Throws <see cref="EndOfStreamException"/> when the stream ends
    /// early (the child died) and <see cref="DecoderProtocolException"/> when it holds something else than the protocol;
    /// after either, or after the consumer throws, the stream is no longer at an answer's boundary. <paramref name="buffer"/>
    /// is reused across calls.
    /// </summary>
    public static DecoderAnswer<TResult> ReadAnswer<TResult>(Stream answers, ISeriesConsumer<TResult> consumer, ref byte[]? buffer)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(consumer);
        var (kind, length) = ReadFrameHeader(answers);
        if (kind == (byte)FrameKind.Reject)
        {
            var note = Parse(ReadPayload(answers, length, MaxJsonBytes, ref buffer), WireJson.Default.RejectNote, "reject");
            if (string.IsNullOrEmpty(note.Reason) || note.Message is null) throw new DecoderProtocolException("the decoder's reject frame names no reason");
            return new DecoderAnswer<TResult>(false, default!, new ItemRejectedException(note.Reason, note.Message), note.Retire);
        }
        if (kind != (byte)FrameKind.Header) throw new DecoderProtocolException($"{Describe(kind)} where an answer (a header or a reject frame) was due");
        var header = ToHeader(Parse(ReadPayload(answers, length, MaxJsonBytes, ref buffer), WireJson.Default.HeaderWire, "header"));
        consumer.Begin(header);
        var shape = header.Shape;
        for (var k = 0; k < shape.Nk; k++)
            consumer.Slice(k, Expect(answers, FrameKind.Slice, header.SliceBytes, exact: true, ref buffer, $"slice {k} of {shape.Nk}"));
        if (header.Colour is { } colour)
        {
            for (var row = 0; row < colour.Height;)
            {
                var rows = Expect(answers, FrameKind.ColourRows, (colour.Height - row) * colour.RowBytes, exact: false, ref buffer, $"colour row {row} of {colour.Height}");
                if (rows.Length == 0 || rows.Length % colour.RowBytes != 0)
                    throw new DecoderProtocolException($"a colour frame of {rows.Length} bytes, not whole rows of {colour.RowBytes}");
                consumer.ColourRows(row, rows);
                row += rows.Length / colour.RowBytes;
            }
        }
        for (var m = 0; m < header.Masks.Count; m++)
        {
            for (var k = 0; k < shape.Nk; k++)
            {
                var values = Expect(answers, FrameKind.MaskSlice, header.MaskSliceBytes, exact: false, ref buffer, $"region {m + 1}'s mask slice {k}");
                if (values.Length != 0 && values.Length != header.MaskSliceBytes)
                    throw new DecoderProtocolException($"region {m + 1}'s mask slice {k} has {values.Length} bytes, not {header.MaskSliceBytes} or none");
                consumer.MaskSlice(m, k, values);
            }
        }
        var end = Expect(answers, FrameKind.End, 1, exact: false, ref buffer, "the end of the answer");
        if (end.Length == 1 && end[0] != Retiring) throw new DecoderProtocolException($"an end frame saying {end[0]}");
        var retire = end.Length == 1;
        return new DecoderAnswer<TResult>(true, consumer.Complete(), null, retire);
    }

    private static (byte Kind, uint Length) ReadFrameHeader(Stream input)
    {
        Span<byte> head = stackalloc byte[FrameHeaderBytes];
        input.ReadExactly(head);
        return (head[0], BinaryPrimitives.ReadUInt32LittleEndian(head[1..]));
    }

    /// <summary>The payload of the next frame, which must be <paramref name="kind"/> with <paramref name="length"/> bytes (at most, unless exact).</summary>
    private static ReadOnlySpan<byte> Expect(Stream input, FrameKind kind, int length, bool exact, ref byte[]? buffer, string what)
    {
        var (got, size) = ReadFrameHeader(input);
        if (got != (byte)kind) throw new DecoderProtocolException($"{Describe(got)} where {what} was due");
        if (exact ? size != length : size > length) throw new DecoderProtocolException($"{what} has {size} bytes, not {(exact ? "" : "at most ")}{length}");
        return ReadPayload(input, size, length, ref buffer);
    }

    private static ReadOnlySpan<byte> ReadPayload(Stream input, uint length, int limit, ref byte[]? buffer)
    {
        if (length > limit) throw new DecoderProtocolException($"a frame of {length} bytes where at most {limit} may come");
        if (buffer is null || buffer.Length < length) buffer = new byte[Math.Max(length, 1u << 16)];
        var payload = buffer.AsSpan(0, (int)length);
        input.ReadExactly(payload);
        return payload;
    }

    /// <summary>A kind byte that is not the one expected, in words: printable text points at a stray writer.</summary>
    private static string Describe(byte kind) =>
        Enum.IsDefined((FrameKind)kind) ? $"a {(FrameKind)kind} frame"
        : kind is >= 0x20 and < 0x7f ? $"text ('{(char)kind}', 0x{kind:x2}): something other than the decoder protocol was written on its standard output"
        : $"byte 0x{kind:x2}, which opens no frame: the decoder's output is not the protocol";

    private static T Parse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new DecoderProtocolException($"the decoder's {what} frame is empty");
        }
        catch (JsonException e)
        {
            throw new DecoderProtocolException($"the decoder's {what} frame is not valid JSON ({e.Message})");
        }
    }

    public static byte[] HeaderJson(SeriesHeader h)
    {
        var s = h.Structures;
        return JsonSerializer.SerializeToUtf8Bytes(new HeaderWire(Version, h.VoxelType, h.Shape.Ni, h.Shape.Nj, h.Shape.Nk, h.Affine.ToRows(),
            h.Scaling.Slope, h.Scaling.Intercept, h.InvertDisplay, h.FileWindow?.Width, h.FileWindow?.Level, h.Modality, h.FrameOfReferenceUid,
            h.PatientId, h.StudyInstanceUid, h.SeriesInstanceUid, h.HasPatientGeometry, h.SliceSpacing, h.SourceFiles, h.Colour,
            s is null ? null : new StructuresWire(s.Kind, s.FrameOfReferenceUid, s.ReferencedSeriesUids, s.Regions, s.ReferencedFrames), h.Masks),
            WireJson.Default.HeaderWire);
    }

    /// <summary>The header from its wire form, every size and number checked before anything is allocated from it.</summary>
    private static SeriesHeader ToHeader(HeaderWire w)
    {
        string? problem = w.Protocol != Version ? $"protocol {w.Protocol}, this build speaks {Version}"
            : !Enum.IsDefined(w.VoxelType) ? $"voxel type {w.VoxelType}"
            : w.Ni <= 0 || w.Nj <= 0 || w.Nk <= 0 ? $"a {w.Ni}x{w.Nj}x{w.Nk} grid"
            : (long)w.Ni * w.Nj * w.Nk > Array.MaxLength || (long)w.Ni * w.Nj * w.VoxelType.Size() > Array.MaxLength ? $"a {w.Ni}x{w.Nj}x{w.Nk} grid (too large for one array)"
            : w.Affine is not { Length: 12 } || w.Affine.Any(v => !double.IsFinite(v)) ? "an affine that is not 12 finite numbers"
            : !double.IsFinite(w.Slope) || w.Slope == 0 || !double.IsFinite(w.Intercept) ? $"scaling {w.Slope} x + {w.Intercept}"
            : w.WindowWidth is { } ww && (!double.IsFinite(ww) || ww < 1) || w.WindowLevel is { } wl && !double.IsFinite(wl) ? "a window that is not a VOI window"
            : w.SourceFiles is null ? "no source files"
            : w.Colour is { } c && (c.Width <= 0 || c.Height <= 0 || (long)c.Width * c.Height * 3 > Array.MaxLength || c.Photometric is null) ? "a colour frame of no size"
            : (w.Structures is null && w.Masks is { Count: > 0 }) || w.Masks?.Any(m => m is null) == true ? "masks without a structure summary"
            : w.Structures is { } s && (s.Kind is null || s.ReferencedSeriesUids is null || s.Regions is null || s.ReferencedFrames is null) ? "an incomplete structure summary"
            : null;
        if (problem is not null) throw new DecoderProtocolException($"the decoder's header states {problem}");
        return new SeriesHeader
        {
            VoxelType = w.VoxelType, Shape = new GridShape(w.Ni, w.Nj, w.Nk), Affine = Affine.FromRows(w.Affine),
            Scaling = new VoxelScaling(w.Slope, w.Intercept), InvertDisplay = w.InvertDisplay,
            FileWindow = w.WindowWidth is { } width && w.WindowLevel is { } level ? new VoiLinearWindow(width, level) : null,
            Modality = w.Modality ?? "", FrameOfReferenceUid = w.FrameOfReferenceUid, PatientId = w.PatientId, StudyInstanceUid = w.StudyInstanceUid,
            SeriesInstanceUid = w.SeriesInstanceUid, HasPatientGeometry = w.HasPatientGeometry, SliceSpacing = w.SliceSpacing,
            SourceFiles = w.SourceFiles!, Colour = w.Colour,
            Structures = w.Structures is { } st ? new StructureSummary(st.Kind, st.FrameOfReferenceUid, st.ReferencedSeriesUids, st.Regions) { ReferencedFrames = st.ReferencedFrames } : null,
            Masks = w.Masks ?? [],
        };
    }
}

/// <summary>
/// The decoder child's side of the protocol: each piece of a series becomes one frame on the child's output.
/// <paramref name="retire"/>, asked when the answer ends, says whether the End frame announces the child's retirement.
/// </summary>
public sealed class FrameWriter(Stream output, Func<bool>? retire = null) : ISeriesConsumer<long>
{
    private long _bytes;

    /// <summary>Whether any frame of this answer has been written (after that, a reject can no longer be sent instead).</summary>
    public bool Started => _bytes > 0;

    public void Begin(SeriesHeader header) => Write(FrameKind.Header, DecoderProtocol.HeaderJson(header));

    public void Slice(int k, ReadOnlySpan<byte> stored) => Write(FrameKind.Slice, stored);

    public void ColourRows(int firstRow, ReadOnlySpan<byte> rgb) => Write(FrameKind.ColourRows, rgb);

    public void MaskSlice(int mask, int k, ReadOnlySpan<byte> values) => Write(FrameKind.MaskSlice, values);

    /// <summary>Writes the End frame and flushes; the answer's size in bytes.</summary>
    public long Complete()
    {
        Write(FrameKind.End, retire?.Invoke() == true ? [DecoderProtocol.Retiring] : []);
        output.Flush();
        return _bytes;
    }

    private void Write(FrameKind kind, ReadOnlySpan<byte> payload)
    {
        DecoderProtocol.WriteFrame(output, kind, payload);
        _bytes += DecoderProtocol.FrameHeaderBytes + payload.Length;
    }
}

using System.Globalization;
using System.Numerics;
using GmaiBench.Imaging.Colour;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Reads DICOM images into a <see cref="Volume"/> through GDCM: a single-frame or multi-frame file, or a series of
/// single-frame files ordered along the slice normal. Untrusted input: every element header is walked before GDCM sees
/// the file, the decoded size is checked against a cap before any pixel is decoded, and failures are
/// <see cref="ItemRejectedException"/>s with a reason from <see cref="DicomRejects"/>.
/// </summary>
public static class DicomReader
{
    // Headers beyond the pixels (functional groups of thousands of frames) fit well within this, even when deflated.
    private const long HeaderAllowance = 64L * 1024 * 1024;

    /// <summary>Groups image files by Series Instance UID without decoding pixels; every file ends in a series or a reject.</summary>
    public static DicomScan Scan(IEnumerable<string> files, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        options = (options ?? new DicomReadOptions()).Validate();
        GdcmRuntime.EnsureInitialised();
        var series = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var rejected = new List<DicomFileReject>();
        foreach (var path in files.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            try
            {
                var header = ReadHeader(path, options);
                if (string.IsNullOrEmpty(header.SeriesInstanceUid))
                    throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{header.Name} has no Series Instance UID (0020,000E) to group it by");
                if (!series.TryGetValue(header.SeriesInstanceUid, out var list)) series[header.SeriesInstanceUid] = list = [];
                list.Add(path);
            }
            catch (ItemRejectedException e)
            {
                rejected.Add(new DicomFileReject(path, e.Reason, e.Message));
            }
        }
        var grouped = series.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new DicomSeriesFiles(s.Key, s.Value)).ToList();
        return new DicomScan(grouped, rejected);
    }

    /// <summary><see cref="Scan(IEnumerable{string}, DicomReadOptions?)"/> over every file below <paramref name="folder"/>, whatever its extension.</summary>
    public static DicomScan ScanFolder(string folder, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var files = Sources.SourceTree.Files(folder, folder).Files;   // regular files only: links out, loops and FIFOs are never opened
        return Scan(files, options);
    }

    /// <summary>One file: a single frame, or every frame of a multi-frame file placed by its functional groups or by spacing.</summary>
    public static DicomVolume ReadFile(string path, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options = (options ?? new DicomReadOptions()).Validate();
        GdcmRuntime.EnsureInitialised();
        var header = ReadHeader(path, options);
        CheckReadable(header, options);
        var frames = header.Frames;
        var spacing = CommonPixelSpacing(frames.Select(f => (header.Name, f.Spacing)));
        if (header.IsColour) return ReadColour(header, spacing, path, options.ColourFrames);

        if (header.FrameCount > 1 && header.PerFramePositions)
        {
            var planes = new List<DicomPlane>(frames.Count);
            for (var f = 0; f < frames.Count; f++)
            {
                var orientation = frames[f].Orientation
                    ?? throw new ItemRejectedException(DicomRejects.MissingSlicePosition, $"{header.Name} frame {f + 1} has a position but no Image Orientation (Patient)");
                planes.Add(new DicomPlane($"{header.Name} frame {(f + 1).ToString("D6", CultureInfo.InvariantCulture)}", frames[f].Position!.Value, orientation));
            }
            var stack = SliceOrdering.Order(planes, options);
            var slices = stack.Order.Select(f => new SliceSource(header, f, frames[f].Scaling)).ToList();
            return Build(slices, DicomAffine.ToRas(stack.Orientation, spacing ?? new PixelSpacing(1, 1), stack.Origin, stack.Step),
                header, frames[stack.Order[0]].Window, hasGeometry: true, stack.Spacing, [path], options);
        }

        // One frame, or frames evenly spaced from the first one's position (legacy multi-frame objects without per-frame
        // positions): Spacing Between Slices (0018,0088), else Slice Thickness (0018,0050), else 1 mm.
        var first = frames[0];
        var orientationOrDefault = first.Orientation ?? DefaultOrientation;
        // RT Dose places its frames by Grid Frame Offset Vector (PS3.3 C.8.8.3.2) instead.
        var gap = header.FrameCount > 1 && header.GridFrameOffsets is { } offsets ? GridFrameGap(header, offsets)
            : header.SpacingBetweenSlices is { } between && between != 0 && double.IsFinite(between) ? between
            : header.SliceThickness is { } thickness && thickness > 0 && double.IsFinite(thickness) ? thickness
            : 1.0;
        var step = orientationOrDefault.Normal * (header.FrameCount > 1 ? gap : Math.Abs(gap));
        var single = Enumerable.Range(0, header.FrameCount)
            .Select(f => new SliceSource(header, f, frames[Math.Min(f, frames.Count - 1)].Scaling)).ToList();
        var affine = DicomAffine.ToRas(orientationOrDefault, spacing ?? new PixelSpacing(1, 1), first.Position ?? default, step);
        var hasGeometry = first.Position is not null && first.Orientation is not null;
        return Build(single, affine, header, first.Window, hasGeometry, null, [path], options);
    }

    /// <summary>
    /// The even gap between the frames of an RT Dose grid, signed along the normal, from Grid Frame Offset Vector: relative
    /// offsets (first 0) or, for axial grids, absolute z; either way the differences between neighbours. Uneven or repeated
    /// offsets are refused like uneven or duplicate slice positions.
    /// </summary>
    private static double GridFrameGap(DicomHeader header, double[] offsets)
    {
        if (offsets.Length != header.FrameCount)
            throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{header.Name}: Grid Frame Offset Vector (3004,000C) has {offsets.Length} values for {header.FrameCount} frames");
        var gap = offsets[1] - offsets[0];
        if (gap == 0) throw new ItemRejectedException(DicomRejects.DuplicateSlicePosition, $"{header.Name}: frames 1 and 2 have the same Grid Frame Offset {offsets[0]} mm");
        for (var f = 2; f < offsets.Length; f++)
        {
            var d = offsets[f] - offsets[f - 1];
            // The same tolerance as slice positions: 1 % of the gap, written as decimal text.
            if (Math.Abs(d - gap) > 0.01 * Math.Abs(gap))
            {
                throw new ItemRejectedException(DicomRejects.UnevenSliceSpacing, string.Create(CultureInfo.InvariantCulture,
                    $"{header.Name}: Grid Frame Offset Vector steps {gap} mm between frames 1 and 2 but {d} mm between frames {f} and {f + 1}"));
            }
        }
        return gap;
    }

    /// <summary>
    /// A colour file: one frame as 8-bit RGB, the representative frame (0028,6010) when the file names one, else the
    /// middle frame (frame n/2 + 1 of n: a cine loop's middle is more typical than its first frame, often blank or
    /// still moving in). With <paramref name="among"/> (the frames a segmentation annotates) the choice is made among
    /// those frames the same way: the representative frame if it is one of them, else their middle one. The volume is
    /// that frame's BT.601 luma on the frame's patient geometry, for geometry checks and grey previews.
    /// </summary>
    private static DicomVolume ReadColour(DicomHeader header, PixelSpacing? spacing, string path, IReadOnlyList<int>? among)
    {
        var candidates = (among ?? Enumerable.Range(1, header.FrameCount).ToList()).Where(f => f >= 1 && f <= header.FrameCount).Distinct().Order().ToList();
        if (candidates.Count == 0)
            throw new ItemRejectedException(StructureObjects.MissingImage, $"{header.Name} has {header.FrameCount} frames, not frame {string.Join(", ", among!)} the segmentation is drawn on");
        var frame = (header.RepresentativeFrame is { } r && candidates.Contains(r) ? r : candidates[candidates.Count / 2]) - 1;
        var rgb = DicomColour.Frame(header, frame);
        var luma = new byte[header.Rows * header.Columns];
        for (var n = 0; n < luma.Length; n++) luma[n] = ColourSamples.Luma(rgb[n * 3], rgb[n * 3 + 1], rgb[n * 3 + 2]);
        var place = header.Frames[Math.Min(frame, header.Frames.Count - 1)];
        var orientation = place.Orientation ?? DefaultOrientation;
        var affine = DicomAffine.ToRas(orientation, spacing ?? new PixelSpacing(1, 1), place.Position ?? default, orientation.Normal);
        return new DicomVolume
        {
            Volume = new Volume<byte>(luma, new GridShape(header.Columns, header.Rows, 1), affine),
            Colour = new RgbFrame(header.Columns, header.Rows, rgb, frame, header.FrameCount, header.Photometric),
            PatientId = header.PatientId, StudyInstanceUid = header.StudyInstanceUid, SeriesInstanceUid = header.SeriesInstanceUid,
            FrameOfReferenceUid = header.FrameOfReferenceUid, Modality = header.Modality,
            HasPatientGeometry = place.Position is not null && place.Orientation is not null, SourceFiles = [path],
        };
    }

    /// <summary>
    /// The single-frame files of one series, ordered along the slice normal and checked for duplicates, orientation,
    /// tilt and uneven gaps. One file is read as <see cref="ReadFile"/>.
    /// </summary>
    public static DicomVolume ReadSeries(IReadOnlyList<string> files, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("a series needs at least one file", nameof(files));
        var paths = files.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (paths.Count == 1) return ReadFile(paths[0], options);
        options = (options ?? new DicomReadOptions()).Validate();
        GdcmRuntime.EnsureInitialised();

        var headers = paths.Select(p => ReadHeader(p, options)).ToList();
        var reference = headers[0];
        foreach (var header in headers)
        {
            if (!string.Equals(header.SeriesInstanceUid, reference.SeriesInstanceUid, StringComparison.Ordinal))
            {
                throw new ItemRejectedException(DicomRejects.MixedSeries,
                    $"{header.Name} is in series {header.SeriesInstanceUid ?? "(none)"}, {reference.Name} in series {reference.SeriesInstanceUid ?? "(none)"}");
            }
            CheckReadable(header, options);
            CheckSameAcquisition(header, reference);
            if (header.IsColour)
                throw new ItemRejectedException(DicomRejects.ColourSeries, $"{header.Name} is a {header.Photometric} colour image in a series of {headers.Count} files: colour images are read one file at a time (name each file in the table)");
            if (header.FrameCount != 1)
                throw new ItemRejectedException(DicomRejects.MultiFrameInSeries, $"{header.Name} holds {header.FrameCount} frames; a series is read from single-frame files");
            if (header.Rows != reference.Rows || header.Columns != reference.Columns || header.BitsAllocated != reference.BitsAllocated
                || header.BitsStored != reference.BitsStored || header.PixelRepresentation != reference.PixelRepresentation || header.Photometric != reference.Photometric)
            {
                throw new ItemRejectedException(DicomRejects.InconsistentSliceFormat,
                    $"{header.Name} is {Format(header)}, {reference.Name} is {Format(reference)}");
            }
        }
        CheckSeriesSize(headers, options);
        var spacing = CommonPixelSpacing(headers.Select(h => (h.Name, h.Frames[0].Spacing)));

        var planes = new List<DicomPlane>(headers.Count);
        foreach (var header in headers)
        {
            var frame = header.Frames[0];
            if (frame.Position is not { } position || frame.Orientation is not { } orientation)
            {
                throw new ItemRejectedException(DicomRejects.MissingSlicePosition,
                    $"{header.Name} has no Image {(frame.Position is null ? "Position" : "Orientation")} (Patient), so the {headers.Count} files of the series cannot be ordered");
            }
            planes.Add(new DicomPlane(header.Path, position, orientation));
        }
        var stack = SliceOrdering.Order(planes, options);
        var slices = stack.Order.Select(n => new SliceSource(headers[n], 0, headers[n].Frames[0].Scaling)).ToList();
        var firstSlice = headers[stack.Order[0]];
        var affine = DicomAffine.ToRas(stack.Orientation, spacing ?? new PixelSpacing(1, 1), stack.Origin, stack.Step);
        return Build(slices, affine, firstSlice, firstSlice.Frames[0].Window, hasGeometry: true, stack.Spacing,
            stack.Order.Select(n => headers[n].Path).ToList(), options);
    }

    /// <summary>
    /// Files of one series must be one patient, one study and one patient coordinate system: a series UID reused across
    /// patients (an anonymiser that resets UIDs, a merge gone wrong) would otherwise be stacked into one volume under the
    /// first patient's split group. The values are not quoted: Patient IDs identify people.
    /// </summary>
    private static void CheckSameAcquisition(DicomHeader header, DicomHeader reference)
    {
        foreach (var (name, a, b) in new[]
        {
            ("Patient ID (0010,0020)", header.PatientId, reference.PatientId),
            ("Study Instance UID (0020,000D)", header.StudyInstanceUid, reference.StudyInstanceUid),
            ("Frame of Reference UID (0020,0052)", header.FrameOfReferenceUid, reference.FrameOfReferenceUid),
        })
        {
            if (!string.Equals(a ?? "", b ?? "", StringComparison.Ordinal))
            {
                throw new ItemRejectedException(DicomRejects.InconsistentSeries,
                    $"{header.Name} and {reference.Name} are in one series but carry different {name} values (not shown: they identify the patient or study); a series must be one patient, one study and one coordinate system");
            }
        }
    }

    private static readonly PlaneOrientation DefaultOrientation = PlaneOrientation.FromCosines([1, 0, 0, 0, 1, 0], "default");

    /// <summary>Frame <see cref="Frame"/> of a file, with the Modality LUT that applies to it.</summary>
    private sealed record SliceSource(DicomHeader Header, int Frame, VoxelScaling Scaling);

    /// <summary>
    /// The element walk, then GDCM's header read. Objects without Pixel Data are refused before GDCM parses them: they
    /// are not images, and every file GDCM sees is then structurally whole up to and including its pixels.
    /// </summary>
    private static DicomHeader ReadHeader(string path, DicomReadOptions options)
    {
        var layout = DicomElementWalk.Read(path, options.MaxVoxelBytes + HeaderAllowance);
        if (!layout.HasPixelData)
        {
            var name = Path.GetFileName(path);
            throw layout.HasFloatPixelData
                ? new ItemRejectedException(DicomRejects.UnsupportedPixelFormat, $"{name} holds Float Pixel Data, which is not read")
                : new ItemRejectedException(DicomRejects.NoPixelData, $"{name} is a DICOM object without Pixel Data (7FE0,0010)");
        }
        return DicomHeader.Read(path, layout);
    }

    private static string Format(DicomHeader h) =>
        $"{h.Columns}x{h.Rows} {h.Photometric}, {h.BitsAllocated} bits allocated, {h.BitsStored} stored, {(h.PixelRepresentation == 1 ? "signed" : "unsigned")}";

    /// <summary>Everything about one file that can be refused from its header alone, before pixels are decoded.</summary>
    private static void CheckReadable(DicomHeader h, DicomReadOptions options)
    {
        if (h.Rows < 1 || h.Columns < 1) throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{h.Name}: Rows {h.Rows} and Columns {h.Columns} must both be at least 1");
        if (h.ImageType.Contains("MOSAIC") || h.MosaicImages is > 1)
        {
            // A Siemens mosaic tiles the slices of one acquisition into one image; placing each tile needs the private CSA
            // header's slice normal, which is not read, and stacking the mosaic as it stands would be a wrong volume.
            throw new ItemRejectedException(DicomRejects.Mosaic,
                $"{h.Name} is a Siemens MOSAIC ({(h.MosaicImages is { } n ? $"{n} slices" : "slices")} tiled in one {h.Columns}x{h.Rows} image); mosaics are not unpacked: convert the series first (e.g. with dcm2niix) and use the NIfTI");
        }
        if (!DicomPixels.CanDecode(h.Layout.TransferSyntaxUid))
            throw new ItemRejectedException(DicomRejects.UnsupportedTransferSyntax, $"{h.Name}: transfer syntax {h.Layout.TransferSyntaxUid} is not an image codec GDCM decodes");
        var readable = h.SamplesPerPixel switch
        {
            1 => h.Photometric is "MONOCHROME1" or "MONOCHROME2" or "PALETTE COLOR",
            3 => h.Photometric is "RGB" or "YBR_FULL" or "YBR_FULL_422" or "YBR_ICT" or "YBR_RCT",
            _ => false,
        };
        if (!readable)
        {
            throw new ItemRejectedException(DicomRejects.UnsupportedPhotometric,
                $"{h.Name} is {(h.Photometric.Length == 0 ? "(no photometric interpretation)" : h.Photometric)} with {h.SamplesPerPixel} samples per pixel; read are MONOCHROME1, MONOCHROME2 and PALETTE COLOR (1 sample) and RGB, YBR_FULL, YBR_FULL_422, YBR_ICT, YBR_RCT (3 samples)");
        }
        if (h.Photometric == "PALETTE COLOR" && h.HasSegmentedPalette)
            throw new ItemRejectedException(DicomRejects.UnsupportedPhotometric, $"{h.Name} uses a segmented palette (0028,1221), which is not read");
        if (h.Photometric is "YBR_ICT" or "YBR_RCT" && !h.Layout.Encapsulated)
            throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{h.Name} says {h.Photometric}, which only JPEG 2000 data may carry (PS3.3 C.7.6.3.1.2), but its pixels are uncompressed");
        if (h.Photometric == "YBR_FULL_422" && !h.Layout.Encapsulated && h.Columns % 2 != 0)
            throw new ItemRejectedException(DicomRejects.CorruptHeader, $"{h.Name} is YBR_FULL_422 with {h.Columns} columns; its chroma pairs need an even number");
        if (h.SamplesPerPixel == 3 && h.BitsAllocated == 32)
            throw new ItemRejectedException(DicomRejects.UnsupportedPixelFormat, $"{h.Name}: colour samples of 32 bits are not read (8 or 16)");
        if (h.BitsAllocated is not (8 or 16 or 32) || h.BitsStored < 1 || h.BitsStored > h.BitsAllocated || h.HighBit != h.BitsStored - 1 || h.PixelRepresentation is not (0 or 1))
        {
            throw new ItemRejectedException(DicomRejects.UnsupportedPixelFormat,
                $"{h.Name}: {h.BitsAllocated} bits allocated, {h.BitsStored} stored, high bit {h.HighBit}, pixel representation {h.PixelRepresentation} (read: 8, 16 or 32 bits allocated, high bit = bits stored - 1)");
        }
        if (h.HasModalityLutSequence)
            throw new ItemRejectedException(DicomRejects.UnsupportedModalityLut, $"{h.Name} maps stored values through a Modality LUT Sequence (0028,3000), not Rescale Slope/Intercept");
        // The size the header declares is judged before the pixel data is held against it: a huge header is too large,
        // not short of pixels. GDCM hands a file's frames over as one buffer, so one file must fit one byte array.
        var limit = Math.Min(options.MaxVoxelBytes, Array.MaxLength);
        if (h.PixelBytes > limit)
            throw new ItemRejectedException(DicomRejects.VolumeTooLarge, $"{h.Name}: {h.PixelBytes} bytes of pixels is over the limit of {limit} bytes");
        if (h.Layout.Encapsulated)
        {
            // PS3.5 A.4: each frame is at least one fragment.
            if (h.Layout.FragmentCount < h.FrameCount)
                throw new ItemRejectedException(DicomRejects.CorruptPixelData, $"{h.Name}: {h.Layout.FragmentCount} compressed fragments for {h.FrameCount} frames");
        }
        else if (h.Layout.PixelDataLength < h.NativeBytes)
        {
            throw new ItemRejectedException(DicomRejects.CorruptPixelData,
                $"{h.Name}: Pixel Data holds {h.Layout.PixelDataLength} bytes, the header declares {h.NativeBytes} ({h.Columns}x{h.Rows}x{h.FrameCount} of {h.BitsAllocated} bits)");
        }
    }

    /// <summary>A series' decoded size from its headers, before any allocation: within the cap and within one array.</summary>
    private static void CheckSeriesSize(IReadOnlyList<DicomHeader> headers, DicomReadOptions options)
    {
        long bytes = 0, voxels = 0;
        foreach (var h in headers)
        {
            bytes += h.PixelBytes;
            voxels += (long)h.Rows * h.Columns * h.FrameCount;
        }
        if (bytes > options.MaxVoxelBytes)
            throw new ItemRejectedException(DicomRejects.VolumeTooLarge, $"the series of {headers.Count} files: {bytes} bytes of pixels is over the limit of {options.MaxVoxelBytes} bytes");
        if (voxels > Array.MaxLength)
            throw new ItemRejectedException(DicomRejects.VolumeTooLarge, $"the series of {headers.Count} files: {voxels} voxels is over the limit of {Array.MaxLength} for one volume");
    }

    /// <summary>The one Pixel Spacing all frames or slices share; null when none has one.</summary>
    private static PixelSpacing? CommonPixelSpacing(IEnumerable<(string Name, PixelSpacing? Spacing)> spacings)
    {
        PixelSpacing? common = null;
        string? commonName = null;
        var first = true;
        foreach (var (name, spacing) in spacings)
        {
            if (first)
            {
                common = spacing;
                commonName = name;
                first = false;
                continue;
            }
            // Equal to 1e-4 relative: the same value written with different decimal rounding.
            var same = (common, spacing) switch
            {
                (null, null) => true,
                ({ } a, { } b) => Math.Abs(a.BetweenRows - b.BetweenRows) <= 1e-4 * a.BetweenRows && Math.Abs(a.BetweenColumns - b.BetweenColumns) <= 1e-4 * a.BetweenColumns,
                _ => false,
            };
            if (!same)
            {
                throw new ItemRejectedException(DicomRejects.InconsistentPixelSpacing,
                    $"{name} has Pixel Spacing {spacing?.ToString() ?? "(none)"}, {commonName} has {common?.ToString() ?? "(none)"}");
            }
        }
        return common;
    }

    private static DicomVolume Build(IReadOnlyList<SliceSource> slices, Affine affine, DicomHeader first, VoiLinearWindow? window,
        bool hasGeometry, SliceSpacingStats? spacing, IReadOnlyList<string> sources, DicomReadOptions options)
    {
        var volume = (first.BitsAllocated, first.PixelRepresentation) switch
        {
            (8, 0) => Assemble<byte>(slices, affine, options),
            (8, _) => Assemble<sbyte>(slices, affine, options),
            (16, 0) => Assemble<ushort>(slices, affine, options),
            (16, _) => Assemble<short>(slices, affine, options),
            (32, 0) => Assemble<uint>(slices, affine, options),
            _ => Assemble<int>(slices, affine, options),
        };
        return new DicomVolume
        {
            Volume = volume,
            InvertDisplay = first.Monochrome1,
            FileWindow = window,
            PatientId = first.PatientId,
            Modality = first.Modality,
            FrameOfReferenceUid = first.FrameOfReferenceUid,
            StudyInstanceUid = first.StudyInstanceUid,
            SeriesInstanceUid = first.SeriesInstanceUid,
            HasPatientGeometry = hasGeometry,
            SliceSpacing = spacing,
            SourceFiles = sources,
        };
    }

    /// <summary>
    /// Decodes the slices into one array in slice order. A single file is decoded straight into the volume's array when
    /// its frames are already in slice order; otherwise each file (or the whole file) goes through a scratch array.
    /// </summary>
    private static Volume Assemble<T>(IReadOnlyList<SliceSource> slices, Affine affine, DicomReadOptions options) where T : unmanaged, INumber<T>, IBinaryInteger<T>
    {
        var header = slices[0].Header;
        var frameVoxels = header.Rows * header.Columns;
        var shape = new GridShape(header.Columns, header.Rows, slices.Count);
        var total = shape.VoxelCount;
        var scaling = slices[0].Scaling;
        var uniform = slices.All(s => s.Scaling == scaling);
        var singleFile = slices.All(s => ReferenceEquals(s.Header, header));
        var inFileOrder = singleFile && slices.Select((s, k) => s.Frame == k).All(b => b);

        if (uniform && inFileOrder)
        {
            var voxels = options.Buffers?.Rent<T>(total) ?? GC.AllocateUninitializedArray<T>((int)total);
            DicomPixels.Decode(header, voxels);
            return new Volume<T>(voxels, shape, affine, scaling);
        }

        // Slices to reorder, or to convert: a file's frames are decoded once; a series decodes file by file.
        T[] typed = uniform ? options.Buffers?.Rent<T>(total) ?? GC.AllocateUninitializedArray<T>((int)total) : [];
        float[] physical = uniform ? [] : options.Buffers?.Rent<float>(total) ?? GC.AllocateUninitializedArray<float>((int)total);
        var scratch = GC.AllocateUninitializedArray<T>(singleFile ? frameVoxels * header.FrameCount : frameVoxels);
        if (singleFile) DicomPixels.Decode(header, scratch);
        for (var k = 0; k < slices.Count; k++)
        {
            var slice = slices[k];
            ReadOnlySpan<T> source;
            if (singleFile)
            {
                source = scratch.AsSpan(slice.Frame * frameVoxels, frameVoxels);
            }
            else
            {
                DicomPixels.Decode(slice.Header, scratch);
                source = scratch.AsSpan(0, frameVoxels);
            }
            if (uniform)
            {
                source.CopyTo(typed.AsSpan(k * frameVoxels, frameVoxels));
            }
            else
            {
                // Different Modality LUTs per slice cannot share one scaling: store physical values (PS3.3 C.11.1.1.2).
                var target = physical.AsSpan(k * frameVoxels, frameVoxels);
                for (var n = 0; n < frameVoxels; n++) target[n] = (float)slice.Scaling.Apply(double.CreateTruncating(source[n]));
            }
        }
        return uniform ? new Volume<T>(typed, shape, affine, scaling) : new Volume<float>(physical, shape, affine);
    }
}

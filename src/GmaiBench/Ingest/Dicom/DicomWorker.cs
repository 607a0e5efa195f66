using System.Diagnostics;
using System.Text.Json;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// Decodes a DICOM series in a child process (<c>gmai decode-dicom</c>), because GDCM's codecs can abort, corrupt the
/// heap or hang on damaged compressed data, which no in-process handler survives. The child writes the volume as
/// NIfTI-2 (double-precision affine) plus a small JSON of the display facts; a crash or a time-out costs this item
/// only. An RT Structure Set or Segmentation is read in the same child with the series it is drawn on (GDCM parses
/// it too): its summary goes back in structures.json, each region's mask as deflated bytes on the series' grid.
/// Where no <c>gmai.dll</c> sits beside the running program, the series is read in-process.
/// </summary>
public static class DicomWorker
{
    public const string Verb = "decode-dicom";
    public const int RejectedExitCode = 3;

    private sealed record Meta(bool InvertDisplay, double? WindowWidth, double? WindowLevel, string? PatientId, string? StudyInstanceUid,
        string? SeriesInstanceUid, bool HasPatientGeometry, SliceSpacingStats? SliceSpacing, IReadOnlyList<string> SourceFiles,
        string Modality = "", string? FrameOfReferenceUid = null, ColourMeta? Colour = null);

    /// <summary>A colour frame's shape; its RGB bytes travel in colour.rgb.</summary>
    private sealed record ColourMeta(int Width, int Height, int Frame, int FrameCount, string Photometric);

    private sealed record RejectNote(string Reason, string Message);

    /// <summary>A structure object's answer: its summary, and one mask file per region (mask-N.bin, deflated 0/1 bytes).</summary>
    private sealed record StructuresMeta(string Kind, string? FrameOfReferenceUid, IReadOnlyList<string> ReferencedSeriesUids,
        IReadOnlyList<StructureRegion> Regions, IReadOnlyList<int> ReferencedFrames, IReadOnlyList<StructureRegion> Masks);

    /// <summary>The CLI beside the running program, if there is one.</summary>
    public static string? WorkerAssembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "gmai.dll");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>A request line that carries the voxel-byte cap (a file path never starts with '#').</summary>
    private const string MaxBytesLine = "#max-voxel-bytes ";

    /// <summary>A request line naming a structure object to read with the series.</summary>
    private const string StructureLine = "#structure ";

    public static DicomVolume ReadSeries(IReadOnlyList<string> files, TimeSpan timeout, long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes) =>
        WorkerAssembly is { } worker
            ? ReadSeries(files, timeout, DotnetHost(), [worker, Verb], maxVoxelBytes)
            : DicomReader.ReadSeries(files, new DicomReadOptions { MaxVoxelBytes = maxVoxelBytes });

    /// <summary>
    /// Runs <c>program arguments... request-file output-folder</c> as the decoder: the request file lists the series'
    /// files, one per line; the program writes the volume (exit 0) or a reject note (exit 3) into the folder. Any other
    /// ending (a signal, another exit code, no answer within <paramref name="timeout"/>) rejects this item only.
    /// </summary>
    public static DicomVolume ReadSeries(IReadOnlyList<string> files, TimeSpan timeout, string program, IReadOnlyList<string> arguments,
        long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes) =>
        Decode(files, null, timeout, program, arguments, maxVoxelBytes).Series;

    /// <summary>
    /// An RT Structure Set or Segmentation with the image files beside it, read in the child process as
    /// <see cref="StructureObjects.Pair"/> does (in-process where there is no <c>gmai.dll</c>).
    /// </summary>
    public static StructurePairing ReadStructures(string objectPath, IReadOnlyList<string> files, TimeSpan timeout, long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes) =>
        WorkerAssembly is { } worker
            ? ReadStructures(objectPath, files, timeout, DotnetHost(), [worker, Verb], maxVoxelBytes)
            : StructureObjects.Pair(objectPath, files, new DicomReadOptions { MaxVoxelBytes = maxVoxelBytes });

    /// <summary><see cref="ReadStructures(string, IReadOnlyList{string}, TimeSpan, long)"/> with the decoder program given.</summary>
    public static StructurePairing ReadStructures(string objectPath, IReadOnlyList<string> files, TimeSpan timeout, string program, IReadOnlyList<string> arguments,
        long maxVoxelBytes = DicomReadOptions.DefaultMaxVoxelBytes)
    {
        ArgumentNullException.ThrowIfNull(objectPath);
        var (series, pairing) = Decode(files, objectPath, timeout, program, arguments, maxVoxelBytes);
        return pairing ?? throw new ItemRejectedException("decoder-failed", "the DICOM decoder exited without the structure object's regions");
    }

    private static (DicomVolume Series, StructurePairing? Pairing) Decode(IReadOnlyList<string> files, string? structure, TimeSpan timeout, string program,
        IReadOnlyList<string> arguments, long maxVoxelBytes)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(arguments);
        var dir = Path.Combine(Path.GetTempPath(), $"gmai-dicom-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var request = Path.Combine(dir, "request.txt");
            File.WriteAllLines(request, [$"{MaxBytesLine}{maxVoxelBytes}", .. structure is null ? [] : new[] { StructureLine + structure }, .. files]);
            var start = new ProcessStartInfo(program, [.. arguments, request, dir])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            Process? started;
            try { started = Process.Start(start); }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new ItemRejectedException("decoder-failed", $"the DICOM decoder {program} could not be started: {e.Message}");
            }
            using var process = started ?? throw new ItemRejectedException("decoder-failed", $"the DICOM decoder {program} could not be started");
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new ItemRejectedException("decoder-timeout", $"decoding the series took longer than {timeout.TotalSeconds:0} s; the decoder was stopped");
            }
            if (process.ExitCode == RejectedExitCode)
            {
                var note = Answer<RejectNote>(dir, "reject.json");
                throw new ItemRejectedException(note.Reason, note.Message);
            }
            if (process.ExitCode != 0)
            {
                // What the dying decoder printed is a C++ assertion or a runtime stack: for developers, not for the report.
                _ = stderr.Result;
                throw new ItemRejectedException("decoder-crashed", Crashed(process.ExitCode, files));
            }
            var meta = Answer<Meta>(dir, "meta.json");
            RgbFrame? colour = null;
            if (meta.Colour is { } c)
            {
                byte[] rgb;
                try { rgb = File.ReadAllBytes(Path.Combine(dir, "colour.rgb")); }
                catch (IOException) { throw new ItemRejectedException("decoder-failed", "the DICOM decoder exited without the colour image it announced"); }
                if (rgb.Length != (long)c.Width * c.Height * 3) throw new ItemRejectedException("decoder-failed", "the DICOM decoder handed back a colour image of the wrong size");
                colour = new RgbFrame(c.Width, c.Height, rgb, c.Frame, c.FrameCount, c.Photometric);
            }
            Volume volume;
            try { volume = NiftiReader.Read(Path.Combine(dir, "volume.nii")); }
            catch (Exception e) when (e is ItemRejectedException or IOException)
            {
                throw new ItemRejectedException("decoder-failed", $"the DICOM decoder handed back a volume that cannot be read ({(e is ItemRejectedException r ? r.Reason : "unreadable file")})");
            }
            var series = new DicomVolume
            {
                Volume = volume,
                InvertDisplay = meta.InvertDisplay,
                FileWindow = meta.WindowWidth is { } w && meta.WindowLevel is { } l ? new VoiLinearWindow(w, l) : null,
                PatientId = meta.PatientId, StudyInstanceUid = meta.StudyInstanceUid, SeriesInstanceUid = meta.SeriesInstanceUid,
                HasPatientGeometry = meta.HasPatientGeometry, SliceSpacing = meta.SliceSpacing, SourceFiles = meta.SourceFiles,
                Modality = meta.Modality, FrameOfReferenceUid = meta.FrameOfReferenceUid, Colour = colour,
            };
            return (series, structure is null ? null : Structures(dir, series));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>The structure object's summary and masks the decoder left in <paramref name="dir"/>, on <paramref name="series"/>' grid.</summary>
    private static StructurePairing Structures(string dir, DicomVolume series)
    {
        var meta = Answer<StructuresMeta>(dir, "structures.json");
        var voxels = series.Volume.Shape.VoxelCount;
        var masks = new List<StructureMask>();
        for (var n = 0; n < (meta.Masks?.Count ?? 0); n++)
        {
            var bytes = new byte[voxels];
            try
            {
                using var file = File.OpenRead(Path.Combine(dir, $"mask-{n}.bin"));
                using var inflate = new System.IO.Compression.DeflateStream(file, System.IO.Compression.CompressionMode.Decompress);
                inflate.ReadExactly(bytes);
                if (inflate.ReadByte() != -1) throw new InvalidDataException();
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new ItemRejectedException("decoder-failed", $"the DICOM decoder handed back region {n + 1} without a mask of the series' {voxels} voxels");
            }
            masks.Add(new StructureMask(meta.Masks![n], LabelMap.From(new Volume<byte>(bytes, series.Volume.Shape, series.Volume.Affine))));
        }
        var summary = new StructureSummary(meta.Kind, meta.FrameOfReferenceUid, meta.ReferencedSeriesUids ?? [], meta.Regions ?? []) { ReferencedFrames = meta.ReferencedFrames ?? [] };
        return new StructurePairing(series, summary, masks);
    }

    /// <summary>
    /// The message for a decoder that died: a signal's name and meaning in words (exit codes above 128 are 128 + signal,
    /// as the shell reports them; .NET reports a native abort as 134), the first file of the series, never its stderr.
    /// </summary>
    public static string Crashed(int exitCode, IReadOnlyList<string> files)
    {
        var what = exitCode switch
        {
            134 or -6 => "GDCM stopped on an internal assertion (SIGABRT) while decoding",
            139 or -11 => "GDCM crashed (segmentation fault, SIGSEGV) while decoding",
            137 or -9 => "the decoder was killed (SIGKILL, often the system running out of memory) while decoding",
            136 or -8 => "GDCM hit an arithmetic fault (SIGFPE) while decoding",
            135 or -7 => "GDCM hit a bus error (SIGBUS, often a file cut short under a memory map) while decoding",
            _ => $"the decoder stopped with exit code {exitCode} while decoding",
        };
        var first = files.Count > 0 ? Path.GetFileName(files[0]) : "(no file)";
        var which = files.Count > 1 ? $"the series of {files.Count} files starting with {first}" : first;
        return $"{what} {which} (exit code {exitCode}): the file is damaged, or uses an encoding or an object GDCM cannot decode";
    }

    /// <summary>A JSON answer the decoder left in <paramref name="dir"/>; missing or malformed is the decoder's failure.</summary>
    private static T Answer<T>(string dir, string name) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(dir, name)))
                   ?? throw new ItemRejectedException("decoder-failed", $"the DICOM decoder's {name} is empty");
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new ItemRejectedException("decoder-failed", $"the DICOM decoder exited without a readable {name} ({(e is JsonException ? "not valid JSON" : "missing or unreadable")})");
        }
    }

    /// <summary>The child's side: read the series listed in <paramref name="request"/>, write the result into <paramref name="outDir"/>.</summary>
    public static int Run(string request, string outDir)
    {
        try
        {
            var lines = File.ReadAllLines(request).Where(l => l.Length > 0).ToList();
            var cap = lines.Where(l => l.StartsWith(MaxBytesLine, StringComparison.Ordinal))
                .Select(l => long.TryParse(l[MaxBytesLine.Length..], out var v) ? v : DicomReadOptions.DefaultMaxVoxelBytes)
                .DefaultIfEmpty(DicomReadOptions.DefaultMaxVoxelBytes).First();
            var files = lines.Where(l => !l.StartsWith('#')).ToList();
            var options = new DicomReadOptions { MaxVoxelBytes = cap };
            var structure = lines.Where(l => l.StartsWith(StructureLine, StringComparison.Ordinal)).Select(l => l[StructureLine.Length..]).FirstOrDefault();
            var pairing = structure is null ? null : StructureObjects.Pair(structure, files, options);
            var d = pairing?.Series ?? DicomReader.ReadSeries(files, options);
            if (pairing is not null) WriteStructures(outDir, pairing);
            WriteVolume(Path.Combine(outDir, "volume.nii"), d.Volume);
            if (d.Colour is { } c) File.WriteAllBytes(Path.Combine(outDir, "colour.rgb"), c.Rgb);
            var meta = new Meta(d.InvertDisplay, d.FileWindow?.Width, d.FileWindow?.Level, d.PatientId, d.StudyInstanceUid, d.SeriesInstanceUid,
                d.HasPatientGeometry, d.SliceSpacing, d.SourceFiles, d.Modality, d.FrameOfReferenceUid,
                d.Colour is { } k ? new ColourMeta(k.Width, k.Height, k.Frame, k.FrameCount, k.Photometric) : null);
            File.WriteAllText(Path.Combine(outDir, "meta.json"), JsonSerializer.Serialize(meta));
            return 0;
        }
        catch (ItemRejectedException e)
        {
            File.WriteAllText(Path.Combine(outDir, "reject.json"), JsonSerializer.Serialize(new RejectNote(e.Reason, e.Message)));
            return RejectedExitCode;
        }
    }

    private static void WriteStructures(string outDir, StructurePairing pairing)
    {
        for (var n = 0; n < pairing.Masks.Count; n++)
        {
            var volume = (Volume<byte>)pairing.Masks[n].Map.Volume;
            using var file = File.Create(Path.Combine(outDir, $"mask-{n}.bin"));
            using var deflate = new System.IO.Compression.DeflateStream(file, System.IO.Compression.CompressionLevel.Fastest);
            deflate.Write(volume.StoredVoxels);
        }
        var s = pairing.Summary;
        File.WriteAllText(Path.Combine(outDir, "structures.json"), JsonSerializer.Serialize(new StructuresMeta(s.Kind, s.FrameOfReferenceUid, s.ReferencedSeriesUids,
            s.Regions, s.ReferencedFrames, pairing.Masks.Select(m => m.Region).ToList())));
    }

    private static void WriteVolume(string path, Volume volume)
    {
        var options = new NiftiWriteOptions { Version = NiftiVersion.Nifti2, Compression = System.IO.Compression.CompressionLevel.NoCompression };
        switch (volume)
        {
            case Volume<short> v: NiftiWriter.Write(path, v, options); break;
            case Volume<ushort> v: NiftiWriter.Write(path, v, options); break;
            case Volume<byte> v: NiftiWriter.Write(path, v, options); break;
            case Volume<sbyte> v: NiftiWriter.Write(path, v, options); break;
            case Volume<int> v: NiftiWriter.Write(path, v, options); break;
            case Volume<uint> v: NiftiWriter.Write(path, v, options); break;
            case Volume<float> v: NiftiWriter.Write(path, v, options); break;
            case Volume<double> v: NiftiWriter.Write(path, v, options); break;
            default: throw new ItemRejectedException("unsupported-pixel-format", $"cannot hand a {volume.VoxelType} volume to the pipeline");
        }
    }

    /// <summary>The dotnet host running this program (so the child uses the same runtime).</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}

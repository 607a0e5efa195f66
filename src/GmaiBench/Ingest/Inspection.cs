using System.Globalization;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Sources.Layouts;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;
using GmaiBench.Model;
using GmaiBench.Sources;

namespace GmaiBench.Ingest;

/// <summary>What the pipeline sees in one file, and the preview PNGs written for it.</summary>
public sealed record Inspection(string Path, string Format, IReadOnlyList<(string Field, string Value)> Facts, IReadOnlyList<string> Previews, string? Problem);

/// <summary>
/// <c>gmai inspect</c>: reads a file (or every supported file of a folder) exactly as the pipeline would and reports
/// format, dimensions, spacing, orientation, intensity range and label values, with preview PNGs of the slices it
/// would cut (label map outlined in red). Bad files are reported with the reject reason a build would give.
/// </summary>
public static class Inspector
{
    public static List<Inspection> Inspect(string path, string? labelsPath, string previewDir, ImageSettings image, string? window, string axis = "axial")
    {
        // Links leaving the folder, loops and non-regular files (a FIFO would block the read forever) are listed, never opened.
        var walk = Directory.Exists(path) ? SourceTree.Files(path, path) : null;
        var refused = walk?.Refused.Select(r => new Inspection(r.Path, "?", [], [], $"{r.Reason}: {r.Message}")).ToList() ?? [];
        Directory.CreateDirectory(previewDir);
        var sliceAxis = VolumeLayoutOptions.Axis(axis);
        if (walk is null)
        {
            // One file: what it is comes from its bytes, not its name (a DICOM file is often named without .dcm).
            return FileContent.Of(path) == ContentKind.Dicom
                ? InspectDicom([path], labelsPath, previewDir, image, window, sliceAxis)
                : [InspectFile(path, labelsPath, previewDir, image, window, axis)];
        }
        // A folder: each file by its content. DICOM files are grouped into series; NIfTI and raster images are read one by
        // one; anything else (JSON sidecars, notes, .bval/.bvec) is listed as ignored, so nothing disappears unexplained.
        var kinds = walk.Files.ToDictionary(f => f, FileContent.Of);
        var dicom = walk.Files.Where(f => kinds[f] == ContentKind.Dicom).ToList();
        var images = walk.Files.Where(f => kinds[f] is ContentKind.Nifti or ContentKind.Raster
            || (kinds[f] == ContentKind.Other && (NiftiReader.IsNiftiPath(f) || RasterDecoder.SupportedExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))))
            .Where(f => !FileContent.IsAnalyzeVoxels(f)).ToList();
        var ignored = walk.Files.Except(dicom).Except(images).Select(f => new Inspection(f, "ignored", [("content", FileContent.Describe(f))], [], null));
        var results = new List<Inspection>(refused);
        if (dicom.Count > 0) results.AddRange(InspectDicom(dicom, labelsPath, previewDir, image, window, sliceAxis));
        results.AddRange(images.Select(f => InspectFile(f, images.Count == 1 && dicom.Count == 0 ? labelsPath : null, previewDir, image, window, axis)));
        results.AddRange(ignored);
        return results;
    }

    private static Inspection InspectFile(string file, string? labelsPath, string previewDir, ImageSettings settings, string? window, string axisName)
    {
        var name = VolumeLayoutOptions.Stem(System.IO.Path.GetFileName(file));
        try
        {
            if (!File.Exists(file)) throw new ItemRejectedException("missing-file", "no such file");
            var kind = FileKinds.Of(SourcePaths.RealPath(file) ?? file);
            if (kind != FileKind.Regular) throw new ItemRejectedException("not-a-regular-file", $"{FileKinds.Describe(kind)}, not a regular file: never opened");
            return NiftiReader.IsNiftiPath(file) || FileContent.Of(file) == ContentKind.Nifti
                ? InspectVolume(file, labelsPath, previewDir, name, settings, window, VolumeLayoutOptions.Axis(axisName))
                : InspectRaster(file, previewDir, name, settings);
        }
        catch (ItemRejectedException e)
        {
            return new Inspection(file, "?", [], [], $"{e.Reason}: {e.Message}");
        }
    }

    /// <summary>DICOM files: the series they form (grouped by Series Instance UID), each read and previewed as the volume stage would.</summary>
    private static List<Inspection> InspectDicom(IReadOnlyList<string> files, string? labelsPath, string previewDir, ImageSettings settings, string? windowName, SliceAxis axis)
    {
        // Structure sets and segmentations are told apart from images by SOP Class, then listed against the series found.
        var structures = new List<(string Path, Dicom.StructureSummary Summary)>();
        var images = new List<string>();
        var results = new List<Inspection>();
        foreach (var f in files)
        {
            try { structures.Add((f, Dicom.StructureObjects.Summarise(f))); }
            catch (ItemRejectedException e) when (e.Reason == Dicom.StructureObjects.NotStructure) { images.Add(f); }
            catch (ItemRejectedException e) { results.Add(new Inspection(f, "DICOM?", [], [], $"{e.Reason}: {e.Message}")); }
        }
        var scan = Dicom.DicomReader.Scan(images);
        results.AddRange(scan.Rejected.Select(r => new Inspection(r.Path, "DICOM?", [], [], $"{r.Reason}: {r.Message}")));
        var n = 0;
        foreach (var series in scan.Series)
        {
            var name = $"series{n++:00}";
            var what = series.Files.Count == 1 ? "1 file" : $"{series.Files.Count} files";
            try
            {
                var dicom = Dicom.DicomWorker.ReadSeries(series.Files, Volumes.VolumeStage.DecodeTimeout);
                var facts = VolumeFacts(dicom.Volume);
                facts.Insert(0, ("series", $"{what}, Series Instance UID {series.SeriesInstanceUid}"));
                facts.Insert(1, ("modality", dicom.Modality.Length > 0 ? dicom.Modality : "(not stated)"));
                if (dicom.SliceSpacing is { } spacing) facts.Add(("slice order", $"along the slice normal; {spacing}"));
                if (dicom.InvertDisplay) facts.Add(("photometric", "MONOCHROME1 (inverted after windowing)"));
                if (dicom.FileWindow is { } own) facts.Add(("file window", own.ToString()));
                if (dicom.Colour is { } colour)
                {
                    facts.RemoveAll(f => f.Item1 is "intensity" or "orientation");
                    facts.Add(("colour", $"{colour.Photometric} shown as RGB {colour.Width} x {colour.Height}; frame {colour.Frame + 1} of {colour.FrameCount}" +
                        (colour.FrameCount > 1 ? " (the representative frame, else the middle one)" : "")));
                    facts.Add(("window", "none: colour is shown as stored"));
                    using var picture = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(colour.Rgb, colour.Width, colour.Height);
                    RasterDecoder.Cap(picture, settings.MaxSide);
                    results.Add(new Inspection(series.Files[0], "DICOM", facts, [Save(picture, previewDir, $"{name}_colour.png")], null));
                    continue;
                }
                results.Add(Previews(series.Files[0], "DICOM", dicom.Volume, dicom, facts, labelsPath, previewDir, name, settings, windowName, axis));
            }
            catch (ItemRejectedException e)
            {
                results.Add(new Inspection(series.Files[0], "DICOM", [("series", $"{what}, Series Instance UID {series.SeriesInstanceUid}")], [], $"{e.Reason}: {e.Message}"));
            }
        }
        results.AddRange(structures.Select(o => StructureListing(o.Path, o.Summary, scan.Series)));
        return results;
    }

    /// <summary>Prefix of the facts naming a structure set's ROIs or a segmentation's segments (normalised by the caller, who has the taxonomy).</summary>
    public const string RegionFact = "region ";

    /// <summary>An RTSTRUCT or SEG: its regions, and whether the series it references is among the files inspected.</summary>
    private static Inspection StructureListing(string path, Dicom.StructureSummary summary, IReadOnlyList<Dicom.DicomSeriesFiles> series)
    {
        var found = series.FirstOrDefault(s => summary.ReferencedSeriesUids.Contains(s.SeriesInstanceUid));
        var references = summary.ReferencedSeriesUids.Count == 0 ? "(none named)" : string.Join(", ", summary.ReferencedSeriesUids);
        var facts = new List<(string Field, string Value)>
        {
            ("object", $"{(summary.Kind == "RTSTRUCT" ? "RT Structure Set" : "Segmentation")} with {summary.Regions.Count} {(summary.Kind == "RTSTRUCT" ? "ROI(s)" : "segment(s)")}"),
            ("referenced series", found is not null ? $"found: {found.Files.Count} file(s), Series Instance UID {found.SeriesInstanceUid}" : $"not found among the files inspected (references {references})"),
        };
        facts.AddRange(summary.Regions.Select(r => ($"{RegionFact}{r.Number.ToString(CultureInfo.InvariantCulture)}", r.Name)));
        return new Inspection(path, summary.Kind, facts, [], found is null ? $"referenced-series-missing: the series {references} is not among the files inspected" : null);
    }

    private static Inspection InspectRaster(string file, string previewDir, string name, ImageSettings settings)
    {
        var bytes = File.ReadAllBytes(file);
        var (info, format) = RasterDecoder.Inspect(bytes, settings);
        using var decoded = RasterDecoder.DecodeImage(bytes, settings);
        var preview = Save(decoded.Image, previewDir, name + ".png");
        return new Inspection(file, format.Name,
        [
            ("dimensions", $"{info.Width} x {info.Height}"),
            ("bits per pixel", info.PixelType.BitsPerPixel.ToString(CultureInfo.InvariantCulture)),
            ("output", $"{decoded.Image.Width} x {decoded.Image.Height} RGB PNG"),
        ], [preview], null);
    }

    private static Inspection InspectVolume(string file, string? labelsPath, string previewDir, string name, ImageSettings settings, string? windowName, SliceAxis axis)
    {
        var header = NiftiReader.ReadHeader(file);
        var volume = NiftiReader.Read(file);
        var facts = VolumeFacts(volume);
        facts.Insert(0, ("format", $"NIfTI-{(header.Version == NiftiVersion.Nifti1 ? 1 : 2)}, {(header.BigEndian ? "big" : "little")} endian, {header.VoxelType}; affine from {header.AffineSource}"));
        facts.Insert(1, ("dimensions", string.Join(" x ", header.Dim.Skip(1).Take((int)header.Dim[0]))));
        return Previews(file, "NIfTI", volume, null, facts, labelsPath, previewDir, name, settings, windowName, axis);
    }

    private static List<(string, string)> VolumeFacts(Volume volume)
    {
        double min = double.MaxValue, max = double.MinValue;
        var shape = volume.Shape;
        for (var k = 0; k < shape[2]; k++)
        for (var j = 0; j < shape[1]; j++)
        for (var i = 0; i < shape[0]; i++)
        {
            var v = volume[i, j, k];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return
        [
            ("grid", $"{shape[0]} x {shape[1]} x {shape[2]} voxels of {volume.VoxelType}"),
            ("spacing (mm)", string.Join(" x ", Enumerable.Range(0, 3).Select(a => volume.Spacing(a).ToString("0.###", CultureInfo.InvariantCulture)))),
            ("orientation", $"{volume.OrientationCodes} as stored; RAS after reorientation"),
            ("intensity", $"{min.ToString("0.###", CultureInfo.InvariantCulture)} .. {max.ToString("0.###", CultureInfo.InvariantCulture)} (after rescaling)"),
        ];
    }

    private static Inspection Previews(string file, string format, Volume volume, Dicom.DicomVolume? dicom, List<(string, string)> facts, string? labelsPath,
        string previewDir, string name, ImageSettings settings, string? windowName, SliceAxis axis)
    {
        var canonical = volume.ToCanonical();
        // The build's rule, never a guess from intensities: --window, else the DICOM Modality's default (a NIfTI file
        // states no modality: percentiles, unless --window names a CT window).
        var window = Volumes.VolumeStage.WindowFor(windowName, dicom, null, canonical);
        facts.Add(("window", $"{window} (from {window.Origin})"));
        try
        {
            return labelsPath is null
                ? Preview(file, format, canonical, window, facts, previewDir, name, settings, axis)
                : LabelPreviews(file, format, volume, canonical, window, facts, labelsPath, previewDir, name, settings, axis);
        }
        catch (ConstantSliceException e)
        {
            return new Inspection(file, format, facts, [], $"constant-slice: {e.Message}");
        }
    }

    private static Inspection Preview(string file, string format, Volume canonical, DisplayWindow window, List<(string, string)> facts, string previewDir, string name,
        ImageSettings settings, SliceAxis axis)
    {
        var plane = new SlicePlane(axis, canonical.Shape[(int)axis] / 2);
        using var img = SliceRenderer.RenderImage(canonical, plane, window, SliceRenderer.Sampling(canonical.Grid, plane, settings.MaxSide));
        return new Inspection(file, format, facts, [Save(img, previewDir, $"{name}_{axis.ToString().ToLowerInvariant()}_{plane.Index:0000}.png")], null);
    }

    private static Inspection LabelPreviews(string file, string format, Volume volume, Volume canonical, DisplayWindow window, List<(string, string)> facts,
        string labelsPath, string previewDir, string name, ImageSettings settings, SliceAxis axis)
    {
        var previews = new List<string>();
        var style = new PromptStyle { Alpha = 1 };
        var labels = NiftiReader.ReadLabels(labelsPath);
        var grid = VolumeGrid.ComparePhysical(volume.Grid, labels.Grid, Volumes.VolumeStage.GridToleranceMm, "image", "label map");
        facts.Add(("label map grid", grid.Matches ? "matches the image" : grid.Description));
        if (!grid.Matches) return new Inspection(file, format, facts, previews, "geometry-mismatch: " + grid.Description);
        var canonicalLabels = labels.ToCanonical();
        var areas = canonicalLabels.SliceAreas(axis);
        facts.Add(("label values", string.Join(", ", areas.Labels.Select(l => l.ToString(CultureInfo.InvariantCulture)))));
        foreach (var choice in SliceSelection.ChooseAll(areas, new SliceSelectionOptions { Axis = axis }).GroupBy(c => c.Index))
        {
            using var rendered = SliceRenderer.Render(canonical, canonicalLabels, new SlicePlane(axis, choice.Key), window, settings.MaxSide);
            foreach (var label in choice.Select(c => c.Label))
                VisualPrompt.Contour(rendered.Image, Region.OfLabel(rendered.Labels.Labels, rendered.Image.Width, rendered.Image.Height, label), style with { MinLineWidth = 1 });
            previews.Add(Save(rendered.Image, previewDir, $"{name}_{axis.ToString().ToLowerInvariant()}_{choice.Key:0000}_labels_{string.Join("-", choice.Select(c => c.Label))}.png"));
        }
        return new Inspection(file, format, facts, previews, null);
    }

    /// <summary>Previews people can read: scaled up by a whole factor (nearest neighbour, so voxels stay crisp) to a longer side of at least this.</summary>
    public const int PreviewMinSide = 512;

    private static string Save(Image<SixLabors.ImageSharp.PixelFormats.Rgb24> image, string dir, string name)
    {
        var path = System.IO.Path.Combine(dir, name);
        var longer = Math.Max(image.Width, image.Height);
        var factor = longer >= PreviewMinSide ? 1 : (PreviewMinSide + longer - 1) / longer;
        if (factor == 1)
        {
            File.WriteAllBytes(path, RasterDecoder.EncodePng(image));
            return path;
        }
        using var large = image.Clone(x => x.Resize(new ResizeOptions
        {
            Size = new Size(image.Width * factor, image.Height * factor), Sampler = KnownResamplers.NearestNeighbor, Mode = ResizeMode.Stretch,
        }));
        File.WriteAllBytes(path, RasterDecoder.EncodePng(large));
        return path;
    }
}

using System.Globalization;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Regions;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Layouts;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using GmaiBench.Pipeline;
using SixLabors.ImageSharp;

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
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Where(f => NiftiReader.IsNiftiPath(f) || RasterDecoder.SupportedExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant())).ToList()
            : [path];
        Directory.CreateDirectory(previewDir);
        return files.Select(f => InspectFile(f, files.Count == 1 ? labelsPath : null, previewDir, image, window, axis)).ToList();
    }

    private static Inspection InspectFile(string file, string? labelsPath, string previewDir, ImageSettings settings, string? window, string axisName)
    {
        var name = VolumeLayoutOptions.Stem(System.IO.Path.GetFileName(file));
        try
        {
            if (!File.Exists(file)) throw new ItemRejectedException("missing-file", "no such file");
            return NiftiReader.IsNiftiPath(file)
                ? InspectVolume(file, labelsPath, previewDir, name, settings, window, VolumeLayoutOptions.Axis(axisName))
                : InspectRaster(file, previewDir, name, settings);
        }
        catch (ItemRejectedException e)
        {
            return new Inspection(file, "?", [], [], $"{e.Reason}: {e.Message}");
        }
    }

    private static Inspection InspectRaster(string file, string previewDir, string name, ImageSettings settings)
    {
        var bytes = File.ReadAllBytes(file);
        var (info, format) = RasterDecoder.Inspect(bytes, settings);
        using var decoded = RasterDecoder.DecodeImage(bytes, settings);
        var preview = System.IO.Path.Combine(previewDir, name + ".png");
        File.WriteAllBytes(preview, RasterDecoder.EncodePng(decoded.Image));
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
        var canonical = volume.ToCanonical();
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
        var facts = new List<(string, string)>
        {
            ("format", $"NIfTI-{(header.Version == NiftiVersion.Nifti1 ? 1 : 2)}, {(header.BigEndian ? "big" : "little")} endian, {header.VoxelType}"),
            ("dimensions", string.Join(" x ", header.Dim.Skip(1).Take((int)header.Dim[0]))),
            ("spacing (mm)", string.Join(" x ", Enumerable.Range(0, 3).Select(a => volume.Spacing(a).ToString("0.###", CultureInfo.InvariantCulture)))),
            ("orientation", $"{volume.OrientationCodes} as stored ({header.AffineSource}); RAS after reorientation"),
            ("intensity", $"{min.ToString("0.###", CultureInfo.InvariantCulture)} .. {max.ToString("0.###", CultureInfo.InvariantCulture)} (after scl_slope/scl_inter)"),
        };
        var window = VolumeLayoutOptions.WindowFor(windowName, windowName is null && min < -500 ? "CT" : "MR")!.Resolve(canonical);
        facts.Add(("window", window.ToString()));
        var previews = new List<string>();
        var style = new PromptStyle { Alpha = 1 };
        if (labelsPath is null)
        {
            var plane = new SlicePlane(axis, canonical.Shape[(int)axis] / 2);
            using var img = SliceRenderer.RenderImage(canonical, plane, window, SliceRenderer.Sampling(canonical.Grid, plane, settings.MaxSide));
            previews.Add(Save(img, previewDir, $"{name}_{axis.ToString().ToLowerInvariant()}_{plane.Index:0000}.png"));
            return new Inspection(file, "NIfTI", facts, previews, null);
        }
        var labels = NiftiReader.ReadLabels(labelsPath);
        var grid = VolumeGrid.Compare(volume.Grid, labels.Grid, Volumes.VolumeStage.GridToleranceMm, "image", "label map");
        facts.Add(("label map grid", grid.Matches ? "matches the image" : grid.Description));
        if (!grid.Matches) return new Inspection(file, "NIfTI", facts, previews, "geometry-mismatch: " + grid.Description);
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
        return new Inspection(file, "NIfTI", facts, previews, null);
    }

    private static string Save(Image<SixLabors.ImageSharp.PixelFormats.Rgb24> image, string dir, string name)
    {
        var path = System.IO.Path.Combine(dir, name);
        File.WriteAllBytes(path, RasterDecoder.EncodePng(image));
        return path;
    }
}

using System.Globalization;
using System.Text.Json;
using GmaiBench.Configuration;
using GmaiBench.Sources.Annotations;
using GmaiBench.Model;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

/// <summary>Options every volumetric layout shares: window, axes, extra slices, the 4D volume index.</summary>
public static class VolumeLayoutOptions
{
    public static readonly string[] Keys = ["window", "axes", "extra_slices", "volume_index"];
    public static readonly string[] AxisNames = ["axial", "coronal", "sagittal"];

    public static VolumeOptions Parse(YamlConfigReader r, YamlMappingNode? options, string path)
    {
        if (options is null) return new VolumeOptions(null, ["axial"], 0, 0);
        var window = r.String(options, "window", path);
        if (window is not null && WindowFor(window, "CT") is null)
            r.Error(r.Get(options, "window"), $"{path}.window",
                $"unknown window '{window}'; expected percentiles, width/level (e.g. 400/40) or a preset: {string.Join(", ", VoiLinearWindow.Presets.Select(p => p.Name))}");
        var axes = r.StringList(options, "axes", path) ?? ["axial"];
        foreach (var a in axes.Where(a => !AxisNames.Contains(a)))
            r.Error(r.Get(options, "axes"), $"{path}.axes", $"unknown axis '{a}'; expected {string.Join(", ", AxisNames)}");
        return new VolumeOptions(window, axes.Distinct().ToList(), r.Int(options, "extra_slices", path, 0, 64) ?? 0, r.Int(options, "volume_index", path, 0, 100_000) ?? 0);
    }

    /// <summary>The window a source asks for, or the default for its modality (CT soft tissue; percentiles otherwise).</summary>
    public static WindowSpec? WindowFor(string? window, string modality)
    {
        if (window is null) return modality is "CT" or "CTA" ? WindowSpec.Default : WindowSpec.Percentiles();
        if (window == "percentiles") return WindowSpec.Percentiles();
        var parts = window.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var w)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) && w >= 1)
            return WindowSpec.Ct(w, l);
        return VoiLinearWindow.Presets.Any(p => p.Name == window) ? WindowSpec.CtPreset(window) : null;
    }

    public static SliceAxis Axis(string name) => name switch
    {
        "coronal" => SliceAxis.Coronal,
        "sagittal" => SliceAxis.Sagittal,
        _ => SliceAxis.Axial,
    };

    /// <summary>"case_001_0000.nii.gz" -> "case_001_0000": the name without its NIfTI extension.</summary>
    public static string Stem(string fileName)
    {
        foreach (var ext in new[] { ".nii.gz", ".nii", ".hdr.gz", ".hdr" })
            if (fileName.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return fileName[..^ext.Length];
        return Path.GetFileNameWithoutExtension(fileName);
    }

    public static void AddItem(SourceDefinition source, string imageRel, string labelRel, IReadOnlyDictionary<int, string> values, VolumeOptions options,
        List<SourceItem> items, List<Reject> rejects)
    {
        var key = $"{source.Id}/{imageRel}";
        var image = SourcePaths.ResolveInside(source.Root, imageRel, out var problem);
        var label = problem is null ? SourcePaths.ResolveInside(source.Root, labelRel, out problem) : null;
        if (image is null || label is null) { rejects.Add(new Reject(key, source.Id, imageRel, "discover", "path-escapes-root", problem!)); return; }
        if (!File.Exists(image)) { rejects.Add(new Reject(key, source.Id, imageRel, "discover", "missing-file", $"the image volume {imageRel} does not exist")); return; }
        if (!File.Exists(label)) { rejects.Add(new Reject(key, source.Id, imageRel, "discover", "missing-label-map", $"no label map at {labelRel}")); return; }
        var rel = SourcePaths.Relative(source.Root, image);
        items.Add(new SourceItem($"{source.Id}/{rel}", source.Id, rel, image, values.Values.Distinct().Order(StringComparer.Ordinal).ToList(),
            GroupKeys.From(source.Id, rel, GroupKeys.Compile(source.GroupPattern), null))
        {
            Annotation = new VolumeAnnotation(label, SourcePaths.Relative(source.Root, label), values, options),
        });
    }
}

public sealed record MsdOptions(VolumeOptions Volume) : LayoutOptions;

/// <summary>
/// <c>msd</c>: Medical Segmentation Decathlon / nnU-Net: <c>dataset.json</c> with <c>labels</c> (value -> name, or
/// nnU-Net v2's name -> value) and <c>training</c> pairs, or else <c>imagesTr/&lt;case&gt;_0000.nii.gz</c> paired with
/// <c>labelsTr/&lt;case&gt;.nii.gz</c>.
/// </summary>
public sealed class MsdLayout : ISourceLayout
{
    public string Name => "msd";
    public Granularity Granularity => Granularity.Mask;
    public string OriginalTask => "SEG_3D";
    public StageKind Stage => StageKind.Volume;
    public string Describe => "dataset.json + imagesTr/ + labelsTr/; options: window, axes, extra_slices, volume_index";

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        if (options is not null) r.CheckKeys(options, path, VolumeLayoutOptions.Keys);
        if (Directory.Exists(root) && !File.Exists(Path.Combine(root, "dataset.json")))
            r.Error(options, YamlConfigReader.Join(path, "dataset.json"), $"an msd source needs dataset.json in its root ({root})");
        return new MsdOptions(VolumeLayoutOptions.Parse(r, options, path));
    }

    /// <summary>dataset.json writes paths as "./imagesTr/x.nii.gz"; only that leading "./" goes (a "../" must stay, to be refused).</summary>
    private static string WithoutDotSlash(string path)
    {
        while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
        return path;
    }

    public Discovery Discover(SourceDefinition source)
    {
        var o = (MsdOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        Reject Bad(string reason, string message) => new($"{source.Id}/dataset.json", source.Id, "dataset.json", "discover", reason, message);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(source.Root, "dataset.json"))); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return new Discovery([], [Bad("bad-annotation-file", $"dataset.json: {ParseErrors.Json(e)}")], []); }
        using (doc)
        {
            var values = new SortedDictionary<int, string>();
            if (doc.RootElement.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in labels.EnumerateObject())
                {
                    // MSD: {"1": "liver"}; nnU-Net v2: {"liver": 1}.
                    if (int.TryParse(p.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && p.Value.ValueKind == JsonValueKind.String) values[v] = p.Value.GetString()!;
                    else if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out v)) values[v] = p.Name;
                }
            }
            values.Remove(0);
            if (values.Count == 0) return new Discovery([], [Bad("bad-annotation-file", "dataset.json names no labels other than background")], []);
            var pairs = new List<(string Image, string Label)>();
            if (doc.RootElement.TryGetProperty("training", out var training) && training.ValueKind == JsonValueKind.Array)
            {
                foreach (var t in training.EnumerateArray())
                    if (t.TryGetProperty("image", out var im) && t.TryGetProperty("label", out var lb) && im.ValueKind == JsonValueKind.String && lb.ValueKind == JsonValueKind.String)
                        pairs.Add((WithoutDotSlash(im.GetString()!), WithoutDotSlash(lb.GetString()!)));
            }
            else if (Directory.Exists(Path.Combine(source.Root, "imagesTr")))
            {
                var walk = SourceTree.Files(source.Root, Path.Combine(source.Root, "imagesTr"), recursive: false);
                rejects.AddRange(SourceTree.Rejects(source, walk));
                foreach (var f in walk.Files.Where(NiftiFileNames.IsNiftiPath))
                {
                    var stem = VolumeLayoutOptions.Stem(Path.GetFileName(f));
                    var caseName = stem.Length > 5 && stem[^5] == '_' && stem[^4..].All(char.IsDigit) ? stem[..^5] : stem;
                    pairs.Add(($"imagesTr/{Path.GetFileName(f)}", $"labelsTr/{caseName}{Path.GetFileName(f)[stem.Length..]}"));
                }
            }
            foreach (var (image, label) in pairs.OrderBy(p => p.Image, StringComparer.Ordinal))
                VolumeLayoutOptions.AddItem(source, image, label, values, o.Volume, items, rejects);
        }
        return new Discovery(items, rejects, []);
    }
}

public sealed record NiftiPairsOptions(string Images, string Labels, IReadOnlyDictionary<int, string> Values, VolumeOptions Volume) : LayoutOptions;

/// <summary>
/// <c>nifti-pairs</c>: image volumes matched by <c>images</c>, a path pattern whose <c>*</c> and <c>?</c> may stand in
/// folders too (<c>images/*.nii.gz</c>, KiTS' <c>data/*/imaging.nii.gz</c>, BraTS' <c>*/BraTS2021_*_flair.nii.gz</c>),
/// with label maps at <c>labels</c>, a path in which <c>{stem}</c> is the image's name without extension, <c>{dir}</c>
/// its folder and <c>{1}</c>, <c>{2}</c>, ... the text each <c>*</c> of <c>images</c> matched (BTCV:
/// <c>img/img*.nii.gz</c> -> <c>label/label{1}.nii.gz</c>).
/// </summary>
public sealed class NiftiPairsLayout : ISourceLayout
{
    public string Name => "nifti-pairs";
    public Granularity Granularity => Granularity.Mask;
    public string OriginalTask => "SEG_3D";
    public StageKind Stage => StageKind.Volume;
    public string Describe => "image + label-map NIfTI pairs; options: images (path pattern, * and ? also in folders), labels (with {stem}, {dir} or {1}.. for the pattern's *), values, window, axes, extra_slices, volume_index";

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        var values = new Dictionary<int, string>();
        if (options is null)
        {
            r.Error(null, YamlConfigReader.Join(path, "images"), "nifti-pairs needs options.images, options.labels and options.values");
            return new NiftiPairsOptions("", "", values, VolumeLayoutOptions.Parse(r, null, path));
        }
        r.CheckKeys(options, path, [.. VolumeLayoutOptions.Keys, "images", "labels", "values"]);
        var images = r.String(options, "images", path, required: true) ?? "";
        var labels = r.String(options, "labels", path, required: true) ?? "";
        var stars = images.Count(c => c == '*');
        if (labels.Length > 0 && !labels.Contains("{stem}") && !labels.Contains("{dir}") && !Enumerable.Range(1, stars).Any(n => labels.Contains($"{{{n}}}")))
            r.Error(r.Get(options, "labels"), $"{path}.labels", "the label path must contain {stem}, {dir} or {1}.. (what each * of images matched)");
        foreach (var n in PathPattern.Placeholders(labels).Where(n => n > stars))
            r.Error(r.Get(options, "labels"), $"{path}.labels", $"{{{n}}} names the {n}th * of images, which has {stars}");
        values = Layouts.LabelValues(r, options, path);
        if (values.Count == 0) r.Error(options, $"{path}.values", "give the label values: {1: liver, 2: spleen}");
        return new NiftiPairsOptions(images, labels, values, VolumeLayoutOptions.Parse(r, options, path));
    }

    public Discovery Discover(SourceDefinition source)
    {
        var o = (NiftiPairsOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var pattern = new PathPattern(o.Images);
        // A pattern without a fixed leading folder (BraTS' "*/BraTS2021_*_flair.nii.gz") walks from the root itself.
        string? problem = null;
        var dir = pattern.Folder.Length == 0 ? source.Root : SourcePaths.ResolveInside(source.Root, pattern.Folder, out problem) ?? source.Root;
        if (problem is not null || !Directory.Exists(dir))
            return new Discovery([], [new Reject($"{source.Id}/{o.Images}", source.Id, o.Images, "discover", "missing-folder", problem ?? $"no folder for {o.Images}")], []);
        var walk = SourceTree.Files(source.Root, dir, recursive: pattern.HasFolderWildcards);
        rejects.AddRange(SourceTree.Rejects(source, walk));
        foreach (var f in walk.Files.Where(NiftiFileNames.IsNiftiPath))
        {
            var rel = SourcePaths.Relative(source.Root, f);
            if (pattern.Match(rel) is not { } captures) continue;
            var label = o.Labels.Replace("{stem}", VolumeLayoutOptions.Stem(Path.GetFileName(f)), StringComparison.Ordinal)
                .Replace("{dir}", Path.GetDirectoryName(rel)?.Replace('\\', '/') ?? "", StringComparison.Ordinal);
            for (var n = captures.Count; n >= 1; n--) label = label.Replace($"{{{n}}}", captures[n - 1], StringComparison.Ordinal);
            VolumeLayoutOptions.AddItem(source, rel, label.TrimStart('/'), o.Values, o.Volume, items, rejects);
        }
        return new Discovery(items, rejects, []);
    }
}

/// <summary>
/// A path pattern over source-relative paths: <c>*</c> matches any text within one path segment (captured in order),
/// <c>?</c> one character; everything else literally. <see cref="Folder"/> is its longest wildcard-free leading folder.
/// </summary>
public sealed partial class PathPattern
{
    private readonly System.Text.RegularExpressions.Regex _regex;

    public string Folder { get; }
    public bool HasFolderWildcards { get; }

    public PathPattern(string pattern)
    {
        // "vols/" means every file of vols/, as before patterns reached into folders.
        if (pattern.Length == 0 || pattern.EndsWith('/')) pattern += "*";
        var segments = pattern.Split('/');
        var fixedCount = 0;
        while (fixedCount < segments.Length - 1 && segments[fixedCount].IndexOfAny(['*', '?']) < 0) fixedCount++;
        Folder = string.Join('/', segments[..fixedCount]);
        HasFolderWildcards = fixedCount < segments.Length - 1;
        var re = new System.Text.StringBuilder("^");
        foreach (var c in pattern)
            re.Append(c switch { '*' => "([^/]*)", '?' => "[^/]", _ => System.Text.RegularExpressions.Regex.Escape(c.ToString()) });
        _regex = new System.Text.RegularExpressions.Regex(re.Append('$').ToString(), System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    /// <summary>The text each <c>*</c> matched, or null when <paramref name="relativePath"/> does not match.</summary>
    public IReadOnlyList<string>? Match(string relativePath)
    {
        var m = _regex.Match(relativePath);
        return m.Success ? m.Groups.Values.Skip(1).Select(g => g.Value).ToList() : null;
    }

    /// <summary>The numbers of the <c>{n}</c> placeholders in a label path.</summary>
    public static IEnumerable<int> Placeholders(string template) =>
        Placeholder().Matches(template).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [System.Text.RegularExpressions.GeneratedRegex(@"\{(\d+)\}")]
    private static partial System.Text.RegularExpressions.Regex Placeholder();
}

public sealed record DicomOptions(string Series, string Labels, IReadOnlyDictionary<int, string> Values, VolumeOptions Volume) : LayoutOptions
{
    /// <summary>The series -> label table, when labels come from a table rather than NIfTI label maps.</summary>
    public LabelTableOptions? Table { get; init; }

    /// <summary>
    /// A file-name pattern (e.g. <c>RS*.dcm</c>) picking the RT Structure Set or Segmentation objects in each series folder;
    /// the folder's other files are the image series they are drawn on. Null when labels come from label maps or a table.
    /// </summary>
    public string? Structures { get; init; }
}

/// <summary>
/// <c>dicom</c>: DICOM series (one folder each, single-frame files ordered along the slice normal, or one multi-frame
/// file) under <c>series</c>, labelled in one of two ways:
/// <list type="bullet">
/// <item><c>labels</c> + <c>values</c>: a NIfTI label map per series in the same patient geometry (<c>{series}</c> is the
/// series folder's name); each label's largest slice becomes mask, contour and box cases.</item>
/// <item><c>table</c>: a CSV of path -> label(s), where a path under <c>series</c> is a series folder or one DICOM file; the
/// middle slice along each axis (plus <c>extra_slices</c> spread through the volume) becomes a whole-image case with the
/// row's labels. A table naming files gives slice-level labels; naming folders, series-level ones.</item>
/// <item><c>structures</c>: a file-name pattern picking RT Structure Set or Segmentation objects in each series folder;
/// each object is an item whose ROIs or segments (named by the object) are rasterised onto the folder's other files,
/// the image series, then cut like a label map.</item>
/// </list>
/// The split group is the series' Patient ID (hashed), read for that purpose only, or a table's <c>group_column</c> when
/// it has one. <c>window: file</c> uses the file's own VOI window.
/// </summary>
public sealed class DicomLayout : ISourceLayout
{
    public string Name => "dicom";
    public Granularity Granularity => Granularity.Mask;
    public string OriginalTask => "SEG_3D";
    public StageKind Stage => StageKind.Volume;
    public string Describe =>
        "DICOM series per folder, labelled by NIfTI label maps (options: series, labels with {series}, values), by a table of series folder or file -> label(s) (options: series, table, path_column, label_column, label_separator, group_column) or by RT Structure Set / Segmentation objects in the folder (options: series, structures: a file pattern such as RS*.dcm); all: window (or file), axes, extra_slices";
    /// <summary>Its items name their patient themselves (DICOM Patient ID, or the table's group column).</summary>
    public bool NamesPatientGroups(SourceDefinition source) => true;

    private static readonly string[] TableKeys = ["table", "path_column", "label_column", "label_separator", "group_column"];

    public LayoutOptions ParseOptions(YamlConfigReader r, YamlMappingNode? options, string path, string root)
    {
        var values = new Dictionary<int, string>();
        if (options is null)
        {
            r.Error(null, YamlConfigReader.Join(path, "labels"), "dicom needs options.labels and options.values (NIfTI label maps) or options.table (a table of series -> label)");
            return new DicomOptions("series", "", values, VolumeLayoutOptions.Parse(r, null, path));
        }
        r.CheckKeys(options, path, [.. VolumeLayoutOptions.Keys, "series", "labels", "values", "structures", .. TableKeys]);
        var series = r.String(options, "series", path) ?? "series";
        Layouts.RequireFolder(r, options, "series", path, root, series);
        // "file" is accepted here on top of the volume windows: the DICOM's own Window Center/Width.
        var window = r.String(options, "window", path);
        var volume = VolumeLayoutOptions.Parse(r, window == "file" ? Without(options, "window") : options, path) with { Window = window };

        var structures = r.String(options, "structures", path);
        if (structures is not null)
        {
            string[] foreign = ["labels", "values", .. TableKeys];
            foreach (var key in foreign.Where(k => r.Get(options, k) is not null))
                r.Error(r.Get(options, key), $"{path}.{key}", $"options.{key} does not apply: this source takes its regions from the structure objects options.structures picks");
            if (structures.Length == 0 || structures.Contains('/') || structures.Contains('\\'))
                r.Error(r.Get(options, "structures"), $"{path}.structures", "give a file-name pattern without folders, e.g. RS*.dcm or *seg*.dcm");
            return new DicomOptions(series, "", values, volume) { Structures = structures };
        }
        var table = r.String(options, "table", path);
        if (table is not null)
        {
            foreach (var key in new[] { "labels", "values" }.Where(k => r.Get(options, k) is not null))
                r.Error(r.Get(options, key), $"{path}.{key}", $"options.{key} belongs to label maps; this source takes its labels from options.table");
            var o = new LabelTableOptions(table,
                r.String(options, "path_column", path) ?? "path",
                r.String(options, "label_column", path) ?? "label",
                r.String(options, "label_separator", path) ?? ";",
                r.String(options, "group_column", path), series);
            LabelTable.Validate(r, options, path, root, o, ("path_column", o.PathColumn), ("label_column", o.LabelColumn), ("group_column", o.GroupColumn));
            return new DicomOptions(series, "", values, volume) { Table = o };
        }
        foreach (var key in TableKeys.Skip(1).Where(k => r.Get(options, k) is not null))
            r.Error(r.Get(options, key), $"{path}.{key}", $"options.{key} only applies with options.table");
        var labels = r.String(options, "labels", path, required: true) ?? "";
        if (labels.Length > 0 && !labels.Contains("{series}")) r.Error(r.Get(options, "labels"), $"{path}.labels", "the label path must contain {series}");
        values = Layouts.LabelValues(r, options, path);
        if (values.Count == 0) r.Error(options, $"{path}.values", "give the label values: {1: liver, 2: spleen}");
        return new DicomOptions(series, labels, values, volume);
    }

    private static YamlMappingNode Without(YamlMappingNode map, string key)
    {
        var copy = new YamlMappingNode();
        foreach (var (k, v) in map.Children)
            if (k is not YamlScalarNode s || s.Value != key) copy.Add(k, v);
        return copy;
    }

    public Discovery Discover(SourceDefinition source)
    {
        var o = (DicomOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var dir = SourcePaths.ResolveInside(source.Root, o.Series, out var problem);
        if (dir is null || !Directory.Exists(dir))
            return new Discovery([], [new Reject($"{source.Id}/{o.Series}", source.Id, o.Series, "discover", "missing-folder", problem ?? $"series folder '{o.Series}' not found")], []);
        if (o.Table is { } table) return DiscoverTable(source, o, table);
        if (o.Structures is { } pattern) return DiscoverStructures(source, o, dir, pattern);
        var seriesFolders = SourceTree.Folders(source.Root, dir);
        rejects.AddRange(SourceTree.Rejects(source, seriesFolders.Walk));
        foreach (var folder in seriesFolders.Folders)
        {
            var rel = SourcePaths.Relative(source.Root, folder);
            var walk = SourceTree.Files(source.Root, folder);
            rejects.AddRange(SourceTree.Rejects(source, walk));
            var files = walk.Files.ToList();
            var key = $"{source.Id}/{rel}";
            if (files.Count == 0) { rejects.Add(new Reject(key, source.Id, rel, "discover", "empty-series", "the series folder holds no file")); continue; }
            var labelRel = o.Labels.Replace("{series}", Path.GetFileName(folder), StringComparison.Ordinal);
            var label = SourcePaths.ResolveInside(source.Root, labelRel, out problem);
            if (label is null) { rejects.Add(new Reject(key, source.Id, rel, "discover", "path-escapes-root", problem!)); continue; }
            if (!File.Exists(label)) { rejects.Add(new Reject(key, source.Id, rel, "discover", "missing-label-map", $"no label map at {labelRel}")); continue; }
            items.Add(new SourceItem(key, source.Id, rel, folder, o.Values.Values.Distinct().Order(StringComparer.Ordinal).ToList(),
                GroupKeys.From(source.Id, rel, GroupKeys.Compile(source.GroupPattern), null))
            {
                Annotation = new VolumeAnnotation(label, SourcePaths.Relative(source.Root, label), o.Values, o.Volume) { SeriesFiles = files },
            });
        }
        return new Discovery(items, rejects, []);
    }

    /// <summary>Each structure object in a series folder is an item, drawn on the folder's other files.</summary>
    private static Discovery DiscoverStructures(SourceDefinition source, DicomOptions o, string dir, string pattern)
    {
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var seriesFolders = SourceTree.Folders(source.Root, dir);
        rejects.AddRange(SourceTree.Rejects(source, seriesFolders.Walk));
        foreach (var folder in seriesFolders.Folders)
        {
            var rel = SourcePaths.Relative(source.Root, folder);
            var files = FilesOf(source, folder, rejects);
            if (files.Count == 0) continue;
            bool IsObject(string f) => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, Path.GetFileName(f), ignoreCase: true);
            var objects = files.Where(IsObject).ToList();
            var images = files.Where(f => !IsObject(f)).ToList();
            if (objects.Count == 0)
            {
                rejects.Add(new Reject($"{source.Id}/{rel}", source.Id, rel, "discover", "no-structure-object", $"no file in the series folder matches options.structures '{pattern}'"));
                continue;
            }
            foreach (var obj in objects)
            {
                var objRel = SourcePaths.Relative(source.Root, obj);
                var key = $"{source.Id}/{objRel}";
                if (images.Count == 0)
                {
                    rejects.Add(new Reject(key, source.Id, objRel, "discover", "referenced-series-missing", $"the folder {rel} holds no image files beside the structure object"));
                    continue;
                }
                items.Add(new SourceItem(key, source.Id, objRel, obj, [], GroupKeys.From(source.Id, rel, GroupKeys.Compile(source.GroupPattern), null))
                {
                    Annotation = new StructureAnnotation(obj, objRel, images, o.Volume),
                });
            }
        }
        return new Discovery(items, rejects, []);
    }

    private static List<string> FilesOf(SourceDefinition source, string folder, List<Reject> rejects)
    {
        var walk = SourceTree.Files(source.Root, folder);
        rejects.AddRange(SourceTree.Rejects(source, walk));
        return [.. walk.Files];
    }

    private static Discovery DiscoverTable(SourceDefinition source, DicomOptions o, LabelTableOptions table)
    {
        var rejects = new List<Reject>();
        var items = new List<SourceItem>();
        var pattern = GroupKeys.Compile(source.GroupPattern);
        foreach (var row in LabelTable.Read(source, table, p => File.Exists(p) || Directory.Exists(p), "series folder or DICOM file", rejects))
        {
            var key = $"{source.Id}/{row.RelativePath}";
            var single = File.Exists(row.FullPath);
            var files = single ? [row.FullPath] : FilesOf(source, row.FullPath, rejects);
            if (files.Count == 0) { rejects.Add(new Reject(key, source.Id, row.RelativePath, "discover", "empty-series", $"{row.Where}: the series folder holds no file")); continue; }
            // A patient column in the table (e.g. when anonymisation left one Patient ID for everyone) wins over Patient ID.
            var fromTable = row.Group is { Length: > 0 };
            items.Add(new SourceItem(key, source.Id, row.RelativePath, row.FullPath, row.Labels, GroupKeys.From(source.Id, row.RelativePath, pattern, fromTable ? row.Group : null))
            {
                Annotation = new SeriesAnnotation(files, o.Volume) { SingleFile = single, GroupFromTable = fromTable },
            });
        }
        return new Discovery(items.OrderBy(i => i.Key, StringComparer.Ordinal).ToList(), rejects, []);
    }
}

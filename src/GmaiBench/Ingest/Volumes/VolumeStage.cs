using System.Text.Json;
using GmaiBench.Imaging;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Sources.Layouts;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Ingest.Raster;
using GmaiBench.Ingest.Regions;
using GmaiBench.Sources;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Volumes;

/// <summary>
/// The per-item pixel stage for 3D sources: read the image volume and its label map, refuse them unless they share
/// one grid (an overlay is never drawn misaligned), put both in RAS+ by permutation and flips, and for each label
/// cut the slice with its largest area (plus any extra slices) along each configured axis. Image and labels of a
/// slice are resampled onto one square-pixel grid (linear and nearest), then marked like any 2D region.
/// With <paramref name="parallelism"/> above 1 the label planes are cut beside the image's read and the slices of an item are
/// rendered and encoded in parallel; the output is the same whatever the degree (slices keep their order).
/// No image volume is held: label maps and NIfTI images stream past and DICOM series arrive slice by slice from the
/// decoder child, keeping only the planes of the chosen slices (<see cref="PlanesVolume{T}"/>). Structure objects
/// (RTSTRUCT, SEG) still come whole, with their masks.
/// </summary>
public sealed class VolumeStage(ImageSettings image, RegionSettings regions, PromptStyle style, IObjectStore store, IReadOnlyDictionary<string, string> modalityOf,
    int parallelism = 1, PatientKeys? patientKeys = null) : IItemStage
{
    public const string CodeVersion = "volume/10";

    /// <summary>
    /// Slices rendered at once across all items: <paramref name="parallelism"/>, the build's jobs. Items run in parallel and
    /// so do an item's slices, and without a common bound two items would render four slices at once on two cores, each
    /// holding its planes, pixels and PNG buffers, for no speed; the last item of a build still gets every slot.
    /// </summary>
    private readonly SemaphoreSlim _renderSlots = new(Math.Max(1, parallelism));

    private T Rendering<T>(Func<T> render)
    {
        _renderSlots.Wait();
        try { return render(); }
        finally { _renderSlots.Release(); }
    }
    /// <summary>How far apart (millimetres) the image's and the label map's grid corners may be.</summary>
    public const double GridToleranceMm = 0.01;
    /// <summary>How long one DICOM series may take to decode in its child process.</summary>
    public static readonly TimeSpan DecodeTimeout = TimeSpan.FromMinutes(2);

    public StageKind Kind => StageKind.Volume;

    /// <summary>
    /// The voxel bytes one volume may have, as stored: a quarter of <c>image.memory_limit_mb</c>, because reading it as
    /// floats, reorienting it and its label map take about four times its stored size (a 16-bit CT: 2 + 4 + 4 bytes a voxel).
    /// </summary>
    private long MaxVoxelBytes => (long)image.MemoryLimitMegabytes * 1024 * 1024 / 4;

    private string Name => Kind.Text();

    /// <summary>Without a project secret (unit tests of the stage), a fixed one: never used by a build.</summary>
    private readonly PatientKeys _keys = patientKeys ?? new PatientKeys("gmai-stage-test-secret"u8.ToArray());

    /// <summary>The settings' part of every fingerprint, serialised once (at the first item) rather than per item.</summary>
    private readonly Lazy<string[]> _settingsText = new(() => [Fingerprints.Canonical(image), Fingerprints.Canonical(regions), Fingerprints.Canonical(style)]);

    public string Fingerprint(string contentHash) => Fingerprints.Of([CodeVersion, contentHash, .. _settingsText.Value, _keys.Fingerprint]);

    public ItemOutcome Run(SourceItem item, ISourceLayout layout, string fingerprint) => ItemOutcome.Guard(item, fingerprint, () =>
    {
        if (item.Annotation is SeriesAnnotation series) return WholeSlices(item, fingerprint, series);
        if (item.Annotation is StructureAnnotation structures) return Structures(item, layout, fingerprint, structures);
        var annotation = item.Annotation as VolumeAnnotation ?? throw new ItemRejectedException("no-annotation", "a volume item carries no label map");
        return annotation.SeriesFiles is { } files ? StreamedSeries(item, layout, fingerprint, annotation, files) : Streamed(item, layout, fingerprint, annotation);
    });

    /// <summary>
    /// A DICOM series with a NIfTI label map: the label map is scanned first (areas, runs) and the slices chosen, then the
    /// series comes from the decoder child slice by slice keeping only the planes of those slices (<see cref="SeriesStream"/>).
    /// Rejects keep the precedence of whole reads: the series' own failures first, then the label map's, then the grid.
    /// </summary>
    private ItemOutcome StreamedSeries(SourceItem item, ISourceLayout layout, string fingerprint, VolumeAnnotation annotation, IReadOnlyList<string> files)
    {
        var labelRead = new NiftiReadOptions { MaxVoxelBytes = MaxVoxelBytes };
        var axes = annotation.Options.Axes.Select(VolumeLayoutOptions.Axis).ToList();
        NiftiHeader labelHeader;
        Reorientation labelView;
        LabelAreaScan scan;
        try
        {
            (labelHeader, labelView, scan) = ScanLabels(annotation.LabelPath, annotation.LabelRelative, labelRead, axes);
        }
        catch (ItemRejectedException)
        {
            // Read whole, the series' own failure would have been found first.
            DicomWorker.Decode(new DecodeRequest(files, null, MaxVoxelBytes), new SeriesStream(_ => DiscardVoxels.Instance), DecodeTimeout);
            throw;
        }
        var planes = axes.SelectMany(axis => PlanesOf(scan.Areas(labelView, axis), annotation)).ToList();
        var labelGrid = new VolumeGrid(labelHeader.Shape, labelHeader.Affine);
        var dicom = StreamSeries(files, annotation.Options.Window, item.SourceId, h =>
        {
            // Off the label map's grid nothing is kept: the grid check rejects the item once the series has come.
            if (!VolumeGrid.ComparePhysical(new VolumeGrid(h.Shape, h.Affine), labelGrid, GridToleranceMm).Matches) return [];
            var view = Orientation.ToCanonical(h.Shape, h.Affine);
            return planes.Select(p => StoredPlaneOf(view, p.Axis, p.Choices.Key)).ToList();
        });
        var labels = LabelPlanes(scan, labelView, labelHeader, planes, annotation.LabelPath, labelRead);
        return Slice(item, layout, fingerprint, annotation, dicom.Volume, dicom, labels, planes);
    }

    /// <summary>
    /// A label map's header, canonical view and its scan (areas along <paramref name="axes"/>, runs kept), checked to hold
    /// integer labels. Its rejects name the label map (<paramref name="relative"/>): the item is named by its image.
    /// </summary>
    private static (NiftiHeader Header, Reorientation View, LabelAreaScan Scan) ScanLabels(string path, string relative, NiftiReadOptions read, IReadOnlyList<SliceAxis> axes)
    {
        try
        {
            var header = NiftiReader.ReadHeader(path, read);
            var view = Orientation.ToCanonical(header.Shape, header.Affine);
            var scan = new LabelAreaScan(axes.Select(a => view.SourceAxis((int)a)), keepRuns: true);
            NiftiReader.Stream(path, read, scan);
            if (scan.NonIntegerLabel is { } problem) throw new ItemRejectedException(NiftiRejects.NonIntegerLabels, problem);
            return (header, view, scan);
        }
        catch (ItemRejectedException e)
        {
            throw new ItemRejectedException(e.Reason, $"the label map {relative}: {e.Message}");
        }
    }

    /// <summary>The label map's chosen planes, cut from the scan's runs; only a map too fragmented to keep as runs is read again.</summary>
    private static LabelMap LabelPlanes(LabelAreaScan scan, Reorientation view, NiftiHeader header, List<(SliceAxis Axis, IGrouping<int, SliceChoice> Choices)> planes,
        string path, NiftiReadOptions read)
    {
        var wanted = planes.Select(p => StoredPlaneOf(view, p.Axis, p.Choices.Key)).ToList();
        var kept = scan.KeptPlanes(wanted, header.Affine);
        if (kept is null)
        {
            var collector = new PlaneCollector(wanted);
            NiftiReader.Stream(path, read, collector);
            kept = collector.Volume(header.Affine);
        }
        return LabelMap.TryFrom(kept, out var problem) ?? throw new ItemRejectedException(NiftiRejects.NonIntegerLabels, problem!);
    }

    /// <summary>
    /// A series from the decoder, slice by slice, keeping the stored planes <paramref name="planesOf"/> picks once the header
    /// is known (and the histogram when its window is a percentile one; wider types are decoded again for it).
    /// </summary>
    private DicomVolume StreamSeries(IReadOnlyList<string> files, string? window, string sourceId, Func<SeriesHeader, IReadOnlyList<StoredPlane>> planesOf)
    {
        var request = new DecodeRequest(files, null, MaxVoxelBytes);
        PlaneCollector? collector = null;
        var (header, colour) = DicomWorker.Decode(request, new SeriesStream(h =>
        {
            collector = new PlaneCollector(planesOf(h), histogram: PicksPercentiles(window, h.FileWindow, h.Modality, sourceId));
            return collector;
        }), DecodeTimeout);
        var volume = collector!.Volume(header.Affine, replay: again => DicomWorker.Decode(request, new SeriesStream(_ => again), DecodeTimeout));
        return header.ToDicomVolume(volume, colour);
    }

    /// <summary>
    /// A NIfTI image and label map, streamed: the label map is read once to count every label's area per slice (the slice
    /// choice) and keep its non-zero runs, then the image is read keeping only the chosen planes (and, for a percentile
    /// window, its histogram) while the label planes are cut from the runs (a map too fragmented for that is read again).
    /// Neither volume is ever held whole, so memory is a few planes per
    /// job whatever the volume's size. Rejects are those of reading both whole: the image's own failures first (a damaged
    /// image is reported as such even when its label map is also bad or on another grid), then the label map's, then
    /// the grid check.
    /// </summary>
    private ItemOutcome Streamed(SourceItem item, ISourceLayout layout, string fingerprint, VolumeAnnotation annotation)
    {
        var imageRead = new NiftiReadOptions { VolumeIndex = annotation.Options.VolumeIndex, MaxVoxelBytes = MaxVoxelBytes };
        var labelRead = new NiftiReadOptions { MaxVoxelBytes = MaxVoxelBytes };
        var imageHeader = NiftiReader.ReadHeader(item.FullPath, imageRead);
        var axes = annotation.Options.Axes.Select(VolumeLayoutOptions.Axis).ToList();
        NiftiHeader labelHeader;
        Reorientation labelView;
        LabelAreaScan scan;
        try
        {
            (labelHeader, labelView, scan) = ScanLabels(annotation.LabelPath, annotation.LabelRelative, labelRead, axes);
            var grid = VolumeGrid.ComparePhysical(new VolumeGrid(imageHeader.Shape, imageHeader.Affine), new VolumeGrid(labelHeader.Shape, labelHeader.Affine),
                GridToleranceMm, "image", "label map");
            if (!grid.Matches)
                throw new ItemRejectedException("geometry-mismatch", $"the label map {annotation.LabelRelative} is not on the image's grid: {grid.Description}");
        }
        catch (ItemRejectedException)
        {
            // Read whole, the image's own damage would have been found first.
            NiftiReader.Stream(item.FullPath, imageRead, DiscardVoxels.Instance);
            throw;
        }
        var planes = axes.SelectMany(axis => PlanesOf(scan.Areas(labelView, axis), annotation)).ToList();
        var imageView = Orientation.ToCanonical(imageHeader.Shape, imageHeader.Affine);
        var percentiles = PicksPercentiles(annotation.Options.Window, null, null, item.SourceId);
        var (volume, labels) = Concurrency.Both(
            () =>
            {
                var collector = new PlaneCollector(planes.Select(p => StoredPlaneOf(imageView, p.Axis, p.Choices.Key)), histogram: percentiles);
                NiftiReader.Stream(item.FullPath, imageRead, collector);
                return collector.Volume(imageHeader.Affine, replay: again => NiftiReader.Stream(item.FullPath, imageRead, again));
            },
            () => LabelPlanes(scan, labelView, labelHeader, planes, annotation.LabelPath, labelRead),
            parallelism > 1);
        return Slice(item, layout, fingerprint, annotation, volume, null, labels, planes);
    }

    /// <summary>The stored plane behind canonical slice <paramref name="index"/> along <paramref name="axis"/>.</summary>
    private static StoredPlane StoredPlaneOf(Reorientation view, SliceAxis axis, int index)
    {
        var stored = view.SourceAxis((int)axis);
        return new StoredPlane(stored, view.Flipped((int)axis) ? view.StoredShape[stored] - 1 - index : index);
    }

    /// <summary>
    /// An RT Structure Set or Segmentation: the object and its series read together in the decoder child (GDCM parses
    /// both; <see cref="DicomWorker.ReadStructures"/>), each ROI or segment rasterised onto the series
    /// (<see cref="StructureObjects"/>), then every region cut and marked exactly like a label map's value. Regions
    /// overlap freely (a body outline holds the organs), so each is sliced from its own map. On a colour image the
    /// regions are marked on its RGB frame instead (<see cref="ColourRegions"/>).
    /// </summary>
    private ItemOutcome Structures(SourceItem item, ISourceLayout layout, string fingerprint, StructureAnnotation annotation)
    {
        var pairing = DicomWorker.ReadStructures(annotation.ObjectPath, annotation.SeriesFiles, DecodeTimeout, MaxVoxelBytes);
        var dicom = pairing.Series;
        var masks = pairing.Masks;
        if (dicom.Colour is { } colour) return ColourRegions(item, fingerprint, annotation, dicom, colour, masks);
        var cases = new List<Case>();
        var rejects = new List<Reject>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mask in masks)
        {
            var name = mask.Region.Name;
            var regionKey = $"{item.Key}/{name}";
            if (!seen.Add(name))
            {
                rejects.Add(Reject.OfCase(regionKey, item.SourceId, item.Key, Name, "duplicate-region-name", $"a second region is named '{name}' (number {mask.Region.Number}); only the first is used"));
                continue;
            }
            var roi = new VolumeAnnotation(annotation.ObjectPath, annotation.ObjectRelative, new Dictionary<int, string> { [1] = name }, annotation.Options);
            var canonical = mask.Map.ToCanonical();
            var planes = annotation.Options.Axes.Select(VolumeLayoutOptions.Axis).SelectMany(axis => PlanesOf(canonical.SliceAreas(axis), roi)).ToList();
            if (planes.Count == 0)
            {
                rejects.Add(Reject.OfCase(regionKey, item.SourceId, item.Key, Name, "empty-region", $"'{name}' (number {mask.Region.Number}) in {annotation.ObjectRelative} encloses no voxel of the series"));
                continue;
            }
            var outcome = Slice(item, layout, fingerprint, roi, dicom.Volume, dicom, mask.Map, planes);
            cases.AddRange(outcome.Cases);
            rejects.AddRange(outcome.CaseRejects);
        }
        if (cases.Count == 0 && rejects.Count == 0)
            throw new ItemRejectedException("empty-label-map", $"{annotation.ObjectRelative} defines no region with a name");
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), cases, rejects);
    }

    /// <summary>The planes to cut along one axis: for each label its best slice and extras, one plane per slice index.</summary>
    private static IEnumerable<(SliceAxis Axis, IGrouping<int, SliceChoice> Choices)> PlanesOf(LabelSliceAreas areas, VolumeAnnotation annotation) =>
        annotation.Values.Keys.Order()
            .SelectMany(value => SliceSelection.Choose(areas, value, new SliceSelectionOptions { Axis = areas.Axis, ExtraSlices = annotation.Options.ExtraSlices }))
            .GroupBy(c => c.Index).OrderBy(g => g.Key).Select(g => (areas.Axis, g));

    private ItemOutcome Slice(SourceItem item, ISourceLayout layout, string fingerprint, VolumeAnnotation annotation, Volume volume, DicomVolume? dicom,
        GmaiBench.Imaging.Volumes.LabelMap labels, List<(SliceAxis Axis, IGrouping<int, SliceChoice> Choices)> planes)
    {
        var grid = VolumeGrid.ComparePhysical(volume.Grid, labels.Grid, GridToleranceMm, "image", "label map");
        if (!grid.Matches)
            throw new ItemRejectedException("geometry-mismatch", $"the label map {annotation.LabelRelative} is not on the image's grid: {grid.Description}");
        var canonical = volume.ToCanonical();
        var canonicalLabels = labels.ToCanonical();
        var window = WindowOf(annotation.Options, dicom, item.SourceId, canonical);
        var group = GroupOf(item, dicom);
        // Each slice is independent: render, mark and store them in parallel, then keep them in plane order.
        var perSlice = Concurrency.Map(planes.Count, parallelism, n => Rendering(() =>
        {
            var (axis, slice) = planes[n];
            var cases = new List<Case>();
            var rejects = new List<Reject>();
            RenderedSlice rendered;
            try { rendered = SliceRenderer.Render(canonical, canonicalLabels, new SlicePlane(axis, slice.Key), window, image.MaxSide, GridToleranceMm); }
            catch (ConstantSliceException e)
            {
                rejects.Add(ConstantSlice(item, $"{item.Key}/{axis.ToString().ToLowerInvariant()}/{slice.Key:0000}", e));
                return (cases, rejects);
            }
            using var _ = rendered;
            if (dicom?.InvertDisplay == true) Invert(rendered.Image);   // MONOCHROME1: the minimum is white, after windowing
            int w = rendered.Image.Width, h = rendered.Image.Height;
            var targets = slice.Select(c => RegionCases.FromLabels(rendered.Labels.Labels, w, h, c.Label, annotation.Values[c.Label], regions,
                    $"on {axis.ToString().ToLowerInvariant()} slice {slice.Key} at {w}x{h}"))
                .Where(t => t is not null).Select(t => t!).ToList();
            var prefix = $"{item.Key}/{axis.ToString().ToLowerInvariant()}/{slice.Key:0000}";
            RegionCases.Emit(item with { GroupKey = group }, layout.OriginalTask, prefix, rendered.Image, targets, style, regions, store, Name, cases, rejects,
                $"{axis.ToString().ToLowerInvariant()}/{slice.Key:0000}");
            return (cases, rejects);
        }));
        var allCases = perSlice.SelectMany(s => s.cases).ToList();
        var allRejects = perSlice.SelectMany(s => s.rejects).ToList();
        if (allCases.Count == 0 && allRejects.Count == 0)
            throw new ItemRejectedException("empty-label-map", $"the label map {annotation.LabelRelative} holds none of the labels {string.Join(", ", annotation.Values.Keys)}");
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), allCases, allRejects);
    }

    /// <summary>
    /// The source's window, or with <c>window: file</c> the DICOM's own VOI window; else the default of the modality,
    /// never guessed from intensities: the DICOM file's Modality (0008,0060) when it states one, else the source's.
    /// </summary>
    private DisplayWindow WindowOf(VolumeOptions options, DicomVolume? dicom, string sourceId, Volume canonical) =>
        WindowFor(options.Window, dicom, modalityOf[sourceId], canonical);

    /// <summary>The window rule (see <see cref="WindowOf"/>), shared with <c>gmai inspect</c>; <paramref name="sourceModality"/> may be null.</summary>
    public static DisplayWindow WindowFor(string? window, DicomVolume? dicom, string? sourceModality, Volume canonical)
    {
        if (window == "file" && dicom?.FileWindow is { } own) return DisplayWindow.FromVoi(own, "the file's VOI window (Window Center/Width)");
        var modality = ModalityFor(dicom?.Modality, sourceModality);
        var spec = SpecFor(window, modality) ?? throw new ItemRejectedException("unknown-window", $"unknown window '{window}'");
        var resolved = spec.Resolve(canonical);
        var why = window is null or "file"
            ? $"{(window == "file" ? "no VOI window in the file; " : "")}the default for modality {(modality.Length > 0 ? modality : "(none stated)")}{(dicom?.Modality is { Length: > 0 } ? " (DICOM Modality)" : "")}"
            : "the source's window option";
        return resolved.Voi is { } voi ? DisplayWindow.FromVoi(voi, $"{resolved.Origin}, {why}") : DisplayWindow.FromPercentile(resolved.Percentile!.Value, $"{resolved.Origin}, {why}");
    }

    /// <summary>The modality a window default follows: the DICOM file's when it states one, else the source's.</summary>
    private static string ModalityFor(string? stated, string? sourceModality) => stated is { Length: > 0 } ? stated : sourceModality ?? "";

    /// <summary>The window spec a source's option asks for (<c>file</c> without a VOI window in the file: the modality's default); null when unknown.</summary>
    private static WindowSpec? SpecFor(string? window, string modality) => VolumeLayoutOptions.WindowFor(window == "file" ? null : window, modality);

    /// <summary>
    /// Whether <see cref="WindowFor"/> will ask the volume for percentiles, known before its voxels (they are then counted as
    /// they stream past): the same rule, without the volume.
    /// </summary>
    private bool PicksPercentiles(string? window, VoiLinearWindow? fileWindow, string? statedModality, string sourceId) =>
        !(window == "file" && fileWindow is not null) && SpecFor(window, ModalityFor(statedModality, modalityOf[sourceId])) is { Voi: null };

    private Reject ConstantSlice(SourceItem item, string key, ConstantSliceException e) =>
        Reject.OfCase(key, item.SourceId, item.Key, Name, "constant-slice", $"{e.Message}, so it is not shown");

    /// <summary>The split group of a DICOM series is its patient: Patient ID is read for this only, and only its keyed hash is kept.</summary>
    private string GroupOf(SourceItem item, DicomVolume? dicom) =>
        dicom?.PatientId is { Length: > 0 } patient ? $"{item.SourceId}/patient-{_keys.Hash(patient)}" : item.GroupKey;

    /// <summary>
    /// A series labelled as a whole: along each axis the middle slice, plus extra slices spread evenly through the
    /// volume, each a whole-image case carrying the item's labels. A single-slice image (one frame) is cut only along the
    /// axis it lies in; asking for another axis is a rejected case, not an image one pixel tall.
    /// </summary>
    private ItemOutcome WholeSlices(SourceItem item, string fingerprint, SeriesAnnotation series)
    {
        // Only the planes of the slices shown are kept as the series arrives (none for a colour image: its RGB frame is shown).
        var dicom = StreamSeries(series.SeriesFiles, series.Options.Window, item.SourceId, h =>
        {
            if (h.Colour is not null) return [];
            var view = Orientation.ToCanonical(h.Shape, h.Affine);
            return series.Options.Axes.Select(VolumeLayoutOptions.Axis)
                .Where(axis => !Degenerate(view.Shape, new SlicePlane(axis, 0)))
                .SelectMany(axis => SpreadSlices(view.Shape[(int)axis], series.Options.ExtraSlices).Select(index => StoredPlaneOf(view, axis, index)))
                .ToList();
        });
        if (dicom.Colour is { } colour) return ColourImage(item, fingerprint, series, dicom, colour);
        var canonical = dicom.Volume.ToCanonical();
        var window = WindowOf(series.Options, dicom, item.SourceId, canonical);
        var group = series.GroupFromTable ? item.GroupKey : GroupOf(item, dicom);
        var shape = canonical.Shape;
        var rejects = new List<Reject>();
        var planes = new List<SlicePlane>();
        foreach (var axis in series.Options.Axes.Select(VolumeLayoutOptions.Axis))
        {
            var plane = new SlicePlane(axis, 0);
            if (Degenerate(shape, plane))
            {
                rejects.Add(Reject.OfCase($"{item.Key}/{axis.ToString().ToLowerInvariant()}", item.SourceId, item.Key, Name, "degenerate-plane",
                    $"the volume is {shape.Ni}x{shape.Nj}x{shape.Nk} voxels (RAS+): its {axis.ToString().ToLowerInvariant()} slices would be {shape[plane.ColumnAxis]}x{shape[plane.RowAxis]} pixels"));
                continue;
            }
            planes.AddRange(SpreadSlices(shape[(int)axis], series.Options.ExtraSlices).Select(index => new SlicePlane(axis, index)));
        }
        var originalTask = shape.Ni == 1 || shape.Nj == 1 || shape.Nk == 1 ? "CLS_2D" : "CLS_3D";
        var cases = Concurrency.Map(planes.Count, parallelism, n => Rendering(() =>
        {
            var plane = planes[n];
            var sampling = SliceRenderer.Sampling(canonical.Grid, plane, image.MaxSide);
            SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> rendered;
            try { rendered = SliceRenderer.RenderImage(canonical, plane, window, sampling); }
            catch (ConstantSliceException e)
            {
                return (Case: (Case?)null, Reject: ConstantSlice(item, $"{item.Key}/{plane.Axis.ToString().ToLowerInvariant()}/{plane.Index:0000}", e));
            }
            using var _ = rendered;
            if (dicom.InvertDisplay) Invert(rendered);
            var (phash, contrast) = PerceptualHash.Of(rendered);
            return (Case: (Case?)new Case
            {
                Key = $"{item.Key}/{plane.Axis.ToString().ToLowerInvariant()}/{plane.Index:0000}", ItemKey = item.Key, SourceId = item.SourceId,
                Granularity = Granularity.Image, OriginalTask = originalTask, ImageSha = store.Put(PngWriter.Encode(rendered)),
                Width = rendered.Width, Height = rendered.Height, Phash = phash.ToString("x16"), Contrast = Math.Round(contrast, 4),
                RawLabels = item.RawLabels, GroupKey = group,
            }, Reject: (Reject?)null);
        }));
        if (cases.Length == 0 && rejects.Count == 0) throw new ItemRejectedException("no-axes", "no slicing axis is configured");
        rejects.AddRange(cases.Where(c => c.Reject is not null).Select(c => c.Reject!));
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), [.. cases.Where(c => c.Case is not null).Select(c => c.Case!)], rejects);
    }

    /// <summary>Whether <paramref name="plane"/>'s slices of a <paramref name="shape"/> grid would be less than 2 pixels wide or tall.</summary>
    private static bool Degenerate(GridShape shape, SlicePlane plane) => shape[plane.ColumnAxis] < 2 || shape[plane.RowAxis] < 2;

    /// <summary>
    /// A colour image (ultrasound, endoscopy, photography, pathology) goes the raster way: its chosen frame as the RGB
    /// picture the file shows, no window, no reorientation (a photograph has no patient axes to put in RAS), the longer
    /// side capped like any raster image. One whole-image case carrying the item's labels.
    /// </summary>
    private ItemOutcome ColourImage(SourceItem item, string fingerprint, SeriesAnnotation series, DicomVolume dicom, RgbFrame colour)
    {
        using var rendered = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(colour.Rgb, colour.Width, colour.Height);
        RasterDecoder.Cap(rendered, image.MaxSide);
        var (phash, contrast) = PerceptualHash.Of(rendered);
        var group = series.GroupFromTable ? item.GroupKey : GroupOf(item, dicom);
        var row = new Case
        {
            Key = $"{item.Key}/frame/{colour.Frame:0000}", ItemKey = item.Key, SourceId = item.SourceId, Granularity = Granularity.Image,
            OriginalTask = "CLS_2D", ImageSha = store.Put(PngWriter.Encode(rendered)), Width = rendered.Width, Height = rendered.Height,
            Phash = phash.ToString("x16"), Contrast = Math.Round(contrast, 4), RawLabels = item.RawLabels, GroupKey = group,
        };
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), [row], []);
    }

    /// <summary>
    /// The regions of a structure object drawn on a colour image: each mask (one slice, the image's stored grid) brought
    /// to the shown size by nearest neighbour, exactly as a 2D mask file is, and marked on the RGB frame as the region
    /// stage marks photographs (original task SEG_2D). The record's plane is <c>frame/NNNN</c>, the frame shown.
    /// </summary>
    private ItemOutcome ColourRegions(SourceItem item, string fingerprint, StructureAnnotation annotation, DicomVolume dicom, RgbFrame colour,
        IReadOnlyList<StructureMask> masks)
    {
        using var rendered = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(colour.Rgb, colour.Width, colour.Height);
        RasterDecoder.Cap(rendered, image.MaxSide);
        int w = rendered.Width, h = rendered.Height;
        var cases = new List<Case>();
        var rejects = new List<Reject>();
        var targets = new List<RegionTarget>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var prefix = $"{item.Key}/frame/{colour.Frame:0000}";
        foreach (var mask in masks)
        {
            var name = mask.Region.Name;
            if (!seen.Add(name))
            {
                rejects.Add(Reject.OfCase($"{prefix}/{name}", item.SourceId, item.Key, Name, "duplicate-region-name", $"a second region is named '{name}' (number {mask.Region.Number}); only the first is used"));
                continue;
            }
            var target = RegionCases.FromLabels(ColourMask(mask.Map, colour, w, h), w, h, 1, name, regions, $"on frame {colour.Frame + 1} at {w}x{h}");
            if (target is null)
            {
                rejects.Add(Reject.OfCase($"{prefix}/{name}", item.SourceId, item.Key, Name, "empty-region",
                    $"'{name}' (number {mask.Region.Number}) in {annotation.ObjectRelative} covers no pixel of frame {colour.Frame + 1} of the image"));
                continue;
            }
            targets.Add(target);
        }
        if (targets.Count == 0 && rejects.Count == 0)
            throw new ItemRejectedException("empty-label-map", $"{annotation.ObjectRelative} defines no region with a name");
        RegionCases.Emit(item with { GroupKey = GroupOf(item, dicom) }, "SEG_2D", prefix, rendered, targets, style, regions, store, Name, cases, rejects, $"frame/{colour.Frame:0000}");
        return new ItemOutcome(StageResult.Ok(item.Key, fingerprint), cases, rejects);
    }

    /// <summary>A colour image's region mask (slice 0, stored order) at the shown size <paramref name="w"/> x <paramref name="h"/>: 1 inside, 0 outside.</summary>
    public static int[] ColourMask(GmaiBench.Imaging.Volumes.LabelMap map, RgbFrame colour, int w, int h)
    {
        var codes = new int[colour.Width * colour.Height];
        for (var j = 0; j < colour.Height; j++)
        for (var i = 0; i < colour.Width; i++)
            codes[j * colour.Width + i] = map[i, j, 0] != 0 ? 1 : 0;
        return new LabelImage(colour.Width, colour.Height, codes, ["region"]).Resize(w, h).Codes;
    }

    /// <summary>
    /// <paramref name="extra"/> + 1 slice indices at the centres of equal parts of <paramref name="count"/> slices: the
    /// middle slice alone for no extras; for an even number of extras the middle one is among them.
    /// </summary>
    public static IReadOnlyList<int> SpreadSlices(int count, int extra) =>
        Enumerable.Range(0, extra + 1).Select(j => (int)((2L * j + 1) * count / (2L * (extra + 1)))).Distinct().ToList();

    private static void Invert(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> image) =>
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
                foreach (ref var p in rows.GetRowSpan(y)) p = new((byte)(255 - p.R), (byte)(255 - p.G), (byte)(255 - p.B));
        });
}

using GmaiBench.Catalog;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Model;
using GmaiBench.Questions;
using GmaiBench.Release;
using GmaiBench.Review;
using GmaiBench.Scoring;
using GmaiBench.Taxonomy;

namespace GmaiBench.Pipeline;

/// <summary>
/// One library entry per <c>gmai</c> verb: the CLI parses and displays, these compose the stages. Anything a verb does
/// is reachable from a test through here.
/// </summary>
public static class Workflows
{
    /// <summary><c>gmai build</c>: runs the build and writes <c>&lt;output&gt;/&lt;name&gt;/</c>.</summary>
    public static (BuildResult Result, string Folder) Build(ProjectConfig config, BuildOptions options)
    {
        var result = BuildRunner.Run(config, options);
        return (result, WriteBuildOutputs(result, options.Progress, options.Jobs));
    }

    /// <summary><c>gmai merge</c>: joins the shards' pixel work, runs the whole-benchmark stages and writes the build folder.</summary>
    public static (MergeResult Result, string Folder) Merge(ProjectConfig config, BuildOptions options, int? shards)
    {
        var result = BuildRunner.Merge(config, options, shards);
        return (result, WriteBuildOutputs(result.Build, options.Progress, options.Jobs));
    }

    /// <summary>Writes a build's folder (TSV, Parquet, reports, rejects, contact sheet) through the registered writers.</summary>
    public static string WriteBuildOutputs(BuildResult result, IProgress<BuildProgress>? progress = null, int jobs = 1)
    {
        var settings = result.Config.Settings;
        var context = new OutputContext(settings.DisplayName, result.Questions, result.Objects) { Report = result.Report, ContentDigest = result.Digest, ItemImages = ItemImages(result.Work), SourceRoots = result.Config.Sources.ToDictionary(s => s.Id, s => s.Root), Jobs = jobs };
        return BuildOutput.Write(OutputWriters.Build, context, Path.Combine(settings.OutputDir, settings.Name),
            progress is null ? null : new Relay<(int Done, int Total)>(p => progress.Report(new BuildProgress("write", p.Done, p.Total))),
            result.Work.OutputStampPath(settings.Name));
    }

    private static Dictionary<string, string> ItemImages(WorkArea work)
    {
        using var db = work.OpenCatalog();
        return new CatalogStore(db).ItemImages();
    }

    /// <summary><c>gmai release</c>: builds, writes the build folder, then the release folder; returns the release's manifest.</summary>
    public static (string Folder, ReleaseManifest Manifest) Release(ProjectConfig config, BuildOptions options, string version)
    {
        var (result, _) = Build(config, options);
        var folder = ReleaseWriter.Write(ReleaseInputOf(result), version);
        return (folder, ReleaseManifest.Read(folder));
    }

    /// <summary>What the release writer needs of a build.</summary>
    public static ReleaseInput ReleaseInputOf(BuildResult result)
    {
        var s = result.Config.Settings;
        return new ReleaseInput
        {
            Name = s.Name, DisplayName = s.DisplayName, Seed = s.Seed, Release = s.Release, Image = s.Image,
            QuestionSettings = s.Questions, Curation = s.Curation, Questions = result.Questions, Report = result.Report,
            Sources = result.Config.Sources.Select(x => new SourceCredit(x.Id, x.Name, x.License, x.Citation, x.Homepage)).ToList(),
            Objects = result.Objects,
        };
    }

    /// <summary>The questions of the last build, as it emitted them (index order); an error when there was none.</summary>
    public static IReadOnlyList<Question> LastBuild(PipelineSettings settings)
    {
        var work = new WorkArea(settings.WorkDir);
        if (!work.HasCatalog) throw new InvalidOperationException($"no build found ({work.CatalogPath} does not exist); run gmai build first");
        using var db = work.OpenCatalog();
        var questions = new CatalogStore(db).Questions();
        if (questions.Count == 0) throw new InvalidOperationException("the last build emitted no items; run gmai build first");
        return questions;
    }

    /// <summary>
    /// <c>gmai subset</c>: cuts a custom evaluation set from the last build by a <see cref="SubsetExpression"/> and writes it
    /// in the same formats as a build, indices kept.
    /// </summary>
    public static (string Folder, SubsetReport Report) Subset(ProjectConfig config, string expression, string? folder)
    {
        var settings = config.Settings;
        var all = LastBuild(settings);
        var where = SubsetExpression.Parse(expression, config.Taxonomy, all.Select(q => q.Case.SourceId).Distinct().ToList());
        var selected = all.Where(where.Matches).ToList();
        var report = new SubsetReport(expression, settings.Name, selected.Count, all.Count,
            QuestionStats.Splits(selected), QuestionStats.Distributions(selected), []);
        var context = new OutputContext(settings.DisplayName + "_subset", selected, new WorkArea(settings.WorkDir).Objects) { Subset = report, ItemImages = ItemImages(new WorkArea(settings.WorkDir)), SourceRoots = config.Sources.ToDictionary(s => s.Id, s => s.Root) };
        var written = BuildOutput.Write(OutputWriters.Subset, context, folder ?? Path.Combine(settings.OutputDir, settings.Name + "-subset"));
        return (written, report with { Outputs = OutputWriters.FilesOf(OutputWriters.Subset, context) });
    }

    /// <summary>
    /// <c>gmai review</c>: the review app's model over the last build's items, writing <c>&lt;reviews&gt;/&lt;name&gt;.jsonl</c>
    /// as <paramref name="reviewer"/>; <paramref name="where"/> (the subset language) is the app's starting filter.
    /// </summary>
    public static ReviewSession Review(ProjectConfig config, string? where, string reviewer, TimeProvider? clock = null)
    {
        var settings = config.Settings;
        var questions = LastBuild(settings);
        var work = new WorkArea(settings.WorkDir);
        Dictionary<string, string> regions;
        using (var db = work.OpenCatalog()) regions = new CatalogStore(db).CaseRegions();
        var items = questions.Select(q => ReviewItem.Of(q, regions.GetValueOrDefault(q.Case.Key))).ToList();
        var sources = questions.Select(q => q.Case.SourceId).Distinct().ToList();
        Func<Question, bool> Compile(string text)
        {
            try { return SubsetExpression.Parse(text, config.Taxonomy, sources).Matches; }
            catch (SubsetExpressionException e) { throw new ReviewFilterException(e.Message); }
        }
        var objects = work.Objects;
        return new ReviewSession(settings.Name, ReviewFile.PathFor(settings.ReviewsDir, settings.Name), reviewer, items, Compile,
            sha => objects.Get(sha), where, clock);
    }

    /// <summary><c>gmai tree</c>: the lexical tree with the last build's item counts.</summary>
    public static IReadOnlyList<TreeNode> Tree(ProjectConfig config) => LexicalTree.Build(LastBuild(config.Settings), config.Taxonomy);

    /// <summary><c>gmai labels</c>: every raw label of every source with its mapping, from discovery alone.</summary>
    public static List<RawLabelRow> Labels(ProjectConfig config) => LabelInventory.Build(config);

    /// <summary><c>gmai verify</c>: the problems found in a release folder (none means sound).</summary>
    public static List<string> Verify(string folder) => ReleaseVerifier.Verify(folder);

    /// <summary>
    /// <c>gmai score</c>: scores a VLMEvalKit predictions file against a release (default: the latest published one) and
    /// writes <c>&lt;stem&gt;_score.json</c> and <c>&lt;stem&gt;_score.md</c> into <paramref name="outDir"/> (default: beside the predictions).
    /// </summary>
    public static (ScoreReport Report, IReadOnlyList<string> Files) Score(PipelineSettings settings, string predictions, string? release, string? outDir)
    {
        if (release is null)
        {
            var latest = ReleaseWriter.Published(settings.Release, settings.Name).Cast<SemVer?>().LastOrDefault()
                ?? throw new InvalidOperationException($"no published release of {settings.Name} under {settings.Release.Root}; give --release DIR");
            release = ReleaseWriter.ReleaseFolder(settings.Release, settings.Name, latest.ToString());
        }
        if (!File.Exists(Path.Combine(release, ReleaseManifest.FileName)))
            throw new InvalidOperationException($"{release} is not a release folder (no {ReleaseManifest.FileName})");
        var (key, hasTest) = AnswerKey.Load(release);
        var (rows, problems) = PredictionFile.Read(predictions);
        var report = Scorer.Score(Path.GetFileName(predictions), release, key, rows, problems, hasTest);
        var folder = outDir ?? Path.GetDirectoryName(Path.GetFullPath(predictions))!;
        Directory.CreateDirectory(folder);
        var stem = Path.Combine(folder, Path.GetFileNameWithoutExtension(predictions) + "_score");
        AtomicFolder.WriteFile(stem + ".json", System.Text.Json.JsonSerializer.Serialize(report, BuildOutput.Json) + "\n");
        AtomicFolder.WriteFile(stem + ".md", Scorer.Markdown(report));
        return (report, [stem + ".json", stem + ".md"]);
    }

    /// <summary>
    /// <c>gmai inspect</c>: what the pipeline sees in a file or folder, with previews; with a taxonomy, the ROI and segment
    /// names of structure sets and segmentations are shown with the canonical label they normalise to.
    /// </summary>
    public static List<Inspection> Inspect(string path, string? labels, string previewDir, PipelineSettings settings, string? window, string axis, string? taxonomyDir = null)
    {
        List<Inspection> results;
        using (DicomWorker.OpenPool(1))   // a folder of series: one decoder child for all of them
            results = Inspector.Inspect(path, labels, previewDir, settings.Image, window, axis);
        // The taxonomy only names the canonical labels of ROIs and segments; inspect works without one.
        var taxonomy = taxonomyDir is not null && Directory.Exists(taxonomyDir) ? LabelTaxonomy.TryLoad(taxonomyDir).Taxonomy : null;
        if (taxonomy is null) return results;
        return results.Select(i => i with
        {
            Facts = i.Facts.Select(f => f.Field.StartsWith(Inspector.RegionFact, StringComparison.Ordinal) ? (f.Field, Normalised(taxonomy, f.Value)) : f).ToList(),
        }).ToList();
    }

    private static string Normalised(LabelTaxonomy taxonomy, string raw)
    {
        var match = taxonomy.Normaliser.Normalise(raw);
        return match.IsMapped ? $"{raw} -> {match.Label!.Name} ({match.Rule})" : $"{raw} -> unmapped{(match.Candidates.Count > 0 ? $" (nearest: {string.Join(", ", match.Candidates.Take(3))})" : "")}";
    }

    /// <summary>The hidden <c>gmai decode-dicom</c> verb: an isolated child that decodes DICOM series for a build, one request at a time.</summary>
    public static int DecodeDicom() => DicomWorker.Serve();

    /// <summary>The hidden verb's name, as the parent process calls it.</summary>
    public static string DecodeDicomVerb => DicomWorker.Verb;

    /// <summary>A progress sink that reports at once, on the caller's thread (<see cref="Progress{T}"/> posts later).</summary>
    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

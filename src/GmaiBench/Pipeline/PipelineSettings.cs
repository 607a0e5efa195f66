using System.Text.Json;
using System.Text.RegularExpressions;
using GmaiBench.Configuration;
using GmaiBench.Curation;
using GmaiBench.Imaging;
using GmaiBench.Imaging.Prompts;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Regions;
using GmaiBench.Questions;
using GmaiBench.Release;
using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Pipeline;

/// <summary>
/// A pipeline file: where work and output go, and the options record of every stage (each record lives beside its
/// stage; this file only reads the YAML and composes them).
/// </summary>
public sealed partial record PipelineSettings
{
    public string Name { get; init; } = "gmai-bench";
    /// <summary>The dataset name in VLMEvalKit file names; must not trigger its circular evaluation.</summary>
    public string DisplayName { get; init; } = "GmaiBench";
    public ulong Seed { get; init; } = 20240807;
    public string WorkDir { get; init; } = "work";
    public string OutputDir { get; init; } = "out";
    /// <summary>Where review files live: <c>&lt;reviews&gt;/&lt;name&gt;.jsonl</c> (kept in the project, under version control).</summary>
    public string ReviewsDir { get; init; } = "reviews";
    public ImageSettings Image { get; init; } = new();
    public QuestionSettings Questions { get; init; } = new();
    public UnmappedLabelPolicy UnmappedLabels { get; init; } = UnmappedLabelPolicy.Fail;
    public CurationSettings Curation { get; init; } = new();
    public ReleaseSettings Release { get; init; } = new();
    public RegionSettings Regions { get; init; } = new();
    public PromptStyle Prompts { get; init; } = new();
    public string File { get; init; } = "";
    /// <summary>The sources file this pipeline builds from (<c>sources:</c>, relative to the pipeline file), used when none is named on the command line.</summary>
    public string? SourcesFile { get; init; }
    /// <summary>Where the patient-key secret comes from: an environment variable (wins when set) or a file; neither: the work area.</summary>
    public PatientKeySetting PatientKey { get; init; } = new(null, null);

    /// <summary>Words that make VLMEvalKit switch on circular evaluation when they appear in a dataset name.</summary>
    public static readonly string[] CircularTriggers = ["mmbench", "ccbench", "circular", "mmcr"];

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex DisplayNamePattern();

    public static PipelineSettings Load(string path)
    {
        var (settings, issues) = TryLoad(path);
        if (issues.Count > 0) throw new ConfigException(issues);
        return settings;
    }

    public static (PipelineSettings Settings, IReadOnlyList<ConfigIssue> Issues) TryLoad(string path)
    {
        var r = new YamlConfigReader(path);
        var d = new PipelineSettings { File = path };
        if (!System.IO.File.Exists(path)) { r.Error(null, "(file)", "pipeline file not found"); return (d, r.Issues); }
        var root = r.AsMap(r.Parse(System.IO.File.ReadAllText(path)), "(document)");
        if (root is null) return (d, r.Issues);
        r.CheckKeys(root, "", "name", "display_name", "seed", "work", "output", "reviews", "sources", "image", "questions", "labels", "curation", "release", "regions", "prompts", "patient_key");

        var image = d.Image;
        if (r.AsMap(r.Get(root, "image"), "image") is { } im)
        {
            r.CheckKeys(im, "image", "max_side", "max_megapixels", "memory_limit_mb", "percentiles");
            var pct = r.StringList(im, "percentiles", "image");
            double lo = image.LowPercentile, hi = image.HighPercentile;
            if (pct is not null)
            {
                if (pct.Count != 2 || !double.TryParse(pct[0], System.Globalization.CultureInfo.InvariantCulture, out lo)
                    || !double.TryParse(pct[1], System.Globalization.CultureInfo.InvariantCulture, out hi) || lo < 0 || hi > 100 || lo >= hi)
                    r.Error(r.Get(im, "percentiles"), "image.percentiles", "expected [low, high] with 0 <= low < high <= 100");
            }
            image = new ImageSettings
            {
                MaxSide = r.Int(im, "max_side", "image", 16, 16384) ?? image.MaxSide,
                MaxPixels = (long)((r.Double(im, "max_megapixels", "image", 0.001, 10000) ?? image.MaxPixels / 1048576.0) * 1048576),
                MemoryLimitMegabytes = r.Int(im, "memory_limit_mb", "image", 16, 65536) ?? image.MemoryLimitMegabytes,
                LowPercentile = lo, HighPercentile = hi,
            };
        }
        var questions = d.Questions;
        if (r.AsMap(r.Get(root, "questions"), "questions") is { } q)
        {
            r.CheckKeys(q, "questions", "min_options", "max_options");
            questions = new QuestionSettings
            {
                MinOptions = r.Int(q, "min_options", "questions", 2, 5) ?? questions.MinOptions,
                MaxOptions = r.Int(q, "max_options", "questions", 2, 5) ?? questions.MaxOptions,
            };
            if (questions.MinOptions > questions.MaxOptions)
                r.Error(q, "questions", $"min_options ({questions.MinOptions}) is larger than max_options ({questions.MaxOptions})");
        }
        var unmapped = d.UnmappedLabels;
        if (r.AsMap(r.Get(root, "labels"), "labels") is { } lb)
        {
            r.CheckKeys(lb, "labels", "unmapped");
            var u = r.String(lb, "unmapped", "labels");
            if (u is not null)
            {
                if (u == "fail") unmapped = UnmappedLabelPolicy.Fail;
                else if (u == "reject") unmapped = UnmappedLabelPolicy.Reject;
                else r.Error(r.Get(lb, "unmapped"), "labels.unmapped", $"expected 'fail' or 'reject', found '{u}'");
            }
        }
        var curation = d.Curation;
        if (r.AsMap(r.Get(root, "curation"), "curation") is { } cu)
        {
            r.CheckKeys(cu, "curation", "max_per_label", "val_share", "near_duplicate_bits", "min_contrast", "targets");
            curation = new CurationSettings
            {
                MaxPerLabel = r.Int(cu, "max_per_label", "curation", 1, 1_000_000) ?? curation.MaxPerLabel,
                ValShare = r.Double(cu, "val_share", "curation", 0, 1) ?? curation.ValShare,
                NearDuplicateBits = r.Int(cu, "near_duplicate_bits", "curation", 0, 32) ?? curation.NearDuplicateBits,
                MinContrast = r.Double(cu, "min_contrast", "curation", 0, 128) ?? curation.MinContrast,
                Targets = ReadTargets(r, cu),
            };
        }
        var regions = d.Regions;
        if (r.AsMap(r.Get(root, "regions"), "regions") is { } rg)
        {
            r.CheckKeys(rg, "regions", "min_area", "derive_boxes", "distractors");
            var scope = r.String(rg, "distractors", "regions");
            var parsed = scope switch
            {
                null => questions.Distractors,
                "same-region" => DistractorScope.SameRegion,
                "same-department" => DistractorScope.SameDepartment,
                "any" => DistractorScope.Any,
                _ => (DistractorScope?)null,
            };
            if (parsed is null) r.Error(r.Get(rg, "distractors"), "regions.distractors", $"expected same-region, same-department or any, found '{scope}'");
            regions = new RegionSettings
            {
                MinArea = r.Int(rg, "min_area", "regions", 1, 1_000_000) ?? regions.MinArea,
                DeriveBoxes = r.Bool(rg, "derive_boxes", "regions") ?? regions.DeriveBoxes,
            };
            questions = questions with { Distractors = parsed ?? questions.Distractors };
        }
        var prompts = d.Prompts;
        if (r.AsMap(r.Get(root, "prompts"), "prompts") is { } pr)
        {
            r.CheckKeys(pr, "prompts", "color", "alpha", "line_fraction", "min_line_width");
            var colour = r.String(pr, "color", "prompts");
            var rgb = prompts.Colour;
            if (colour is not null)
            {
                if (HexColour.IsValid(colour)) rgb = HexColour.Parse(colour);
                else r.Error(r.Get(pr, "color"), "prompts.color", $"expected \"#rrggbb\", found '{colour}'");
            }
            prompts = new PromptStyle
            {
                Red = rgb.R, Green = rgb.G, Blue = rgb.B,
                Alpha = r.Double(pr, "alpha", "prompts", 0.05, 1) ?? prompts.Alpha,
                LineFraction = r.Double(pr, "line_fraction", "prompts", 0, 0.1) ?? prompts.LineFraction,
                MinLineWidth = r.Int(pr, "min_line_width", "prompts", 1, 64) ?? prompts.MinLineWidth,
            };
        }
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var release = d.Release;
        if (r.AsMap(r.Get(root, "release"), "release") is { } rel)
        {
            r.CheckKeys(rel, "release", "root", "shard_mb", "row_group_mb", "tsv_part_mb", "pretty_name", "tags", "require_review");
            const double MB = 1000 * 1000;
            release = new ReleaseSettings
            {
                Root = r.String(rel, "root", "release") ?? release.Root,
                ShardBytes = (long)((r.Double(rel, "shard_mb", "release", 0.001, 100_000) ?? release.ShardBytes / MB) * MB),
                RowGroupBytes = (long)((r.Double(rel, "row_group_mb", "release", 0.001, 300) ?? release.RowGroupBytes / MB) * MB),
                TsvPartBytes = (long)((r.Double(rel, "tsv_part_mb", "release", 0.001, 1000) ?? (release.TsvPartBytes + 1) / MB) * MB) - 1,
                PrettyName = r.String(rel, "pretty_name", "release"),
                Tags = r.StringList(rel, "tags", "release") ?? release.Tags,
                RequireReview = r.Double(rel, "require_review", "release", 0, 1) ?? release.RequireReview,
            };
        }
        release = release with { Root = Path.GetFullPath(Path.Combine(baseDir, release.Root)) };
        var displayName = r.String(root, "display_name", "") ?? d.DisplayName;
        if (!DisplayNamePattern().IsMatch(displayName))
            r.Error(r.Get(root, "display_name"), "display_name", "must start with a letter and hold only letters, digits, '_' and '-'");
        foreach (var word in CircularTriggers)
        {
            if (displayName.Contains(word, StringComparison.OrdinalIgnoreCase))
                r.Error(r.Get(root, "display_name"), "display_name", $"contains '{word}', which makes VLMEvalKit evaluate it circularly; choose another name");
        }
        var seedText = r.String(root, "seed", "");
        ulong seed = d.Seed;
        if (seedText is not null && !ulong.TryParse(seedText, out seed))
            r.Error(r.Get(root, "seed"), "seed", $"expected a whole number from 0 to {ulong.MaxValue}, found '{seedText}'");
        var patientKey = d.PatientKey;
        if (r.AsMap(r.Get(root, "patient_key"), "patient_key") is { } pk)
        {
            r.CheckKeys(pk, "patient_key", "file", "env");
            var keyFile = r.String(pk, "file", "patient_key");
            var env = r.String(pk, "env", "patient_key");
            if (keyFile is null && env is null) r.Error(pk, "patient_key", "name a file (file:) or an environment variable (env:) holding the secret");
            patientKey = new PatientKeySetting(keyFile is null ? null : Path.GetFullPath(Path.Combine(baseDir, keyFile)), env);
        }
        var settings = new PipelineSettings
        {
            PatientKey = patientKey,
            Name = r.String(root, "name", "") ?? d.Name,
            DisplayName = displayName,
            Seed = seed,
            WorkDir = Path.GetFullPath(Path.Combine(baseDir, r.String(root, "work", "") ?? d.WorkDir)),
            OutputDir = Path.GetFullPath(Path.Combine(baseDir, r.String(root, "output", "") ?? d.OutputDir)),
            ReviewsDir = Path.GetFullPath(Path.Combine(baseDir, r.String(root, "reviews", "") ?? d.ReviewsDir)),
            SourcesFile = r.String(root, "sources", "") is { } sources ? Path.GetFullPath(Path.Combine(baseDir, sources)) : null,
            Image = image, Questions = questions, UnmappedLabels = unmapped, Curation = curation, Release = release, Regions = regions, Prompts = prompts, File = path,
        };
        return (settings, r.Issues);
    }

    /// <summary>
    /// <c>curation.targets</c>: a list of <c>{task, granularity, items}</c> (task or granularity may be left out for "any").
    /// Task names are checked against the taxonomy by <see cref="ProjectConfig"/>; a cell named twice is an error.
    /// </summary>
    private static IReadOnlyList<CompositionTarget> ReadTargets(YamlConfigReader r, YamlDotNet.RepresentationModel.YamlMappingNode curation)
    {
        var node = r.Get(curation, "targets");
        if (node is null) return [];
        var list = r.AsSequence(node, "curation.targets");
        if (list is null) return [];
        var targets = new List<CompositionTarget>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var field = $"curation.targets[{i}]";
            if (r.AsMap(list.Children[i], field) is not { } t) continue;
            r.CheckKeys(t, field, "task", "granularity", "items");
            var task = r.String(t, "task", field);
            var text = r.String(t, "granularity", field);
            var granularity = GranularityNames.TryParse(text);
            if (text is not null && granularity is null)
                r.Error(r.Get(t, "granularity"), $"{field}.granularity", $"unknown granularity '{text}'; expected {string.Join(", ", GranularityNames.All.Select(g => g.Text()))}");
            var items = r.Int(t, "items", field, 0, 10_000_000);
            if (r.Get(t, "items") is null) r.Error(t, $"{field}.items", "is required (how many items the cell should hold)");
            if (task is null && text is null) r.Error(t, field, "name a task, a granularity or both");
            if (items is null || (text is not null && granularity is null)) continue;
            var target = new CompositionTarget(task, granularity, items.Value) { Line = YamlConfigReader.LineOf(t) };
            if (targets.Any(x => x.Task == target.Task && x.Granularity == target.Granularity))
                r.Error(t, field, $"the cell task {target.TaskText}, granularity {target.GranularityText} has a target already");
            else targets.Add(target);
        }
        return targets;
    }
}

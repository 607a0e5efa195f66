using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources;
using GmaiBench.Taxonomy;

namespace GmaiBench.Pipeline;

/// <summary>Where a build's three inputs live: the source registry, the taxonomy folder and the pipeline file.</summary>
public sealed record ProjectPaths(string Sources, string Taxonomy, string Pipeline)
{
    /// <summary>The repository's layout: sources.yaml, label-taxonomy/ and pipelines/&lt;name&gt;.yaml under <paramref name="root"/>.</summary>
    public static ProjectPaths Default(string root, string pipeline = "pipelines/demo.yaml") =>
        new(Path.Combine(root, "sources.yaml"), Path.Combine(root, "label-taxonomy"), Path.Combine(root, pipeline));

    /// <summary>
    /// The paths a verb uses: the sources file named on the command line, else the one the pipeline file names
    /// (<c>sources:</c>), else <paramref name="defaultSources"/>.
    /// </summary>
    public static ProjectPaths For(string? namedSources, string defaultSources, string taxonomy, string pipeline) =>
        new(namedSources ?? (File.Exists(pipeline) ? PipelineSettings.TryLoad(pipeline).Settings.SourcesFile : null) ?? defaultSources, taxonomy, pipeline);
}

/// <summary>
/// Everything <c>gmai validate</c> and <c>gmai build</c> read, loaded and cross-checked. A problem inside one
/// source entry rejects that source only; a problem in the taxonomy or pipeline file, or a sources file that
/// cannot be parsed, is fatal.
/// </summary>
public sealed record ProjectConfig
{
    public required ProjectPaths Paths { get; init; }
    public required PipelineSettings Settings { get; init; }
    public required LabelTaxonomy Taxonomy { get; init; }
    /// <summary>Sources that passed every check.</summary>
    public required IReadOnlyList<SourceDefinition> Sources { get; init; }
    /// <summary>The sources file and every catalogue file it includes, in the order read.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];

    /// <summary>
    /// Fingerprint of the source registry: of sources.yaml alone when it includes nothing (so earlier builds keep theirs),
    /// else of every file read, in order.
    /// </summary>
    public string SourcesFingerprint =>
        !File.Exists(Paths.Sources) ? ""
        : SourceFiles.Count <= 1 ? Fingerprints.OfFile(Paths.Sources)
        : Fingerprints.Of([.. SourceFiles.Select(Fingerprints.OfFile)]);

    /// <summary>Problems that reject one source each (the source id is in the field path).</summary>
    public required IReadOnlyList<ConfigIssue> SourceIssues { get; init; }
    /// <summary>Problems that stop the build.</summary>
    public required IReadOnlyList<ConfigIssue> FatalIssues { get; init; }

    public IEnumerable<ConfigIssue> AllIssues => FatalIssues.Concat(SourceIssues);

    public static ProjectConfig Load(ProjectPaths paths)
    {
        var (settings, pipelineIssues) = PipelineSettings.TryLoad(paths.Pipeline);
        var (taxonomy, taxonomyIssues) = LabelTaxonomy.TryLoad(paths.Taxonomy);
        var (sources, sourceIssues, sourceFiles) = SourcesFile.TryLoadWithFiles(paths.Sources);
        var fatal = new List<ConfigIssue>(pipelineIssues);
        fatal.AddRange(taxonomyIssues);
        if (taxonomy is not null) settings = CanonicalTargets(settings, taxonomy, fatal);
        var perSource = new List<ConfigIssue>();
        foreach (var issue in sourceIssues)
        {
            if (issue.Field.StartsWith("sources[", StringComparison.Ordinal)) perSource.Add(issue);
            else fatal.Add(issue);
        }
        var valid = new List<SourceDefinition>();
        foreach (var s in sources)
        {
            var problems = taxonomy is null ? [] : CheckAgainstTaxonomy(s, taxonomy);
            perSource.AddRange(problems);
            if (problems.Count == 0) valid.Add(taxonomy is null ? s : Canonical(s, taxonomy));
        }
        return new ProjectConfig
        {
            Paths = paths, Settings = settings, Taxonomy = taxonomy!, Sources = valid, SourceFiles = sourceFiles,
            SourceIssues = perSource, FatalIssues = fatal,
        };
    }

    /// <summary>The source id named by an issue's field path (<c>sources[2](my-source).layout</c>), if any.</summary>
    public static string SourceOf(ConfigIssue issue)
    {
        var f = issue.Field;
        var open = f.IndexOf('(');
        var close = f.IndexOf(')');
        if (f.StartsWith("sources[", StringComparison.Ordinal) && open > 0 && close > open) return f[(open + 1)..close];
        var end = f.IndexOf(']');
        return end > 0 ? f[..(end + 1)] : f;
    }

    private static List<ConfigIssue> CheckAgainstTaxonomy(SourceDefinition s, LabelTaxonomy t)
    {
        var issues = new List<ConfigIssue>();
        var where = $"sources[?]({s.Id})";
        void Add(string field, string message) => issues.Add(new ConfigIssue(s.File, s.Line, $"{where}.{field}", message));
        if (t.Modality(s.Modality) is null)
            Add("modality", $"unknown modality '{s.Modality}'{Suggest.DidYouMean(s.Modality, t.Modalities.Select(m => m.Name))}");
        if (t.Task(s.Task) is null)
            Add("task", $"unknown task '{s.Task}'{Suggest.DidYouMean(s.Task, t.Tasks.SelectMany(x => new[] { x.Id, x.Name }))}");
        foreach (var d in s.Departments.Where(d => t.Department(d) is null))
            Add("departments", $"unknown department '{d}'{Suggest.DidYouMean(d, t.Departments.SelectMany(x => new[] { x.Id, x.Name }))}");
        foreach (var (raw, target) in s.Labels)
        {
            if (t.Normaliser.Normalise(target).Label is null)
                Add($"labels.{raw}", $"maps to '{target}', which is not a canonical label{Suggest.DidYouMean(target, t.Labels.Select(l => l.Id))}");
        }
        return issues;
    }

    /// <summary>Composition targets with their tasks spelled as the taxonomy's ids; an unknown task is a fatal issue.</summary>
    private static PipelineSettings CanonicalTargets(PipelineSettings settings, LabelTaxonomy t, List<ConfigIssue> fatal)
    {
        var targets = new List<Curation.CompositionTarget>();
        foreach (var target in settings.Curation.Targets)
        {
            if (target.Task is null) { targets.Add(target); continue; }
            if (t.Task(target.Task) is { } task) { targets.Add(target with { Task = task.Id }); continue; }
            fatal.Add(new ConfigIssue(settings.File, target.Line, "curation.targets.task",
                $"unknown task '{target.Task}'{Suggest.DidYouMean(target.Task, t.Tasks.SelectMany(x => new[] { x.Id, x.Name }))}"));
        }
        return settings with { Curation = settings.Curation with { Targets = targets } };
    }

    /// <summary>Source with its modality, task and departments spelled as the taxonomy spells them.</summary>
    private static SourceDefinition Canonical(SourceDefinition s, LabelTaxonomy t) => s with
    {
        Modality = t.Modality(s.Modality)!,
        Task = t.Task(s.Task)!.Id,
        Departments = s.Departments.Select(d => t.Department(d)!.Id).ToList(),
    };
}

using System.Collections.Concurrent;
using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Configuration;
using GmaiBench.Curation;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Raster;
using GmaiBench.Ingest.Regions;
using GmaiBench.Ingest.Volumes;
using GmaiBench.Questions;
using GmaiBench.Release;
using GmaiBench.Review;
using GmaiBench.Sources;
using GmaiBench.Sources.Layouts;
using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Pipeline;

/// <summary>Progress of a long stage: <c>Done</c> of <c>Total</c> units.</summary>
public sealed record BuildProgress(string Stage, int Done, int Total);

public sealed record BuildOptions
{
    public int Jobs { get; init; } = Environment.ProcessorCount;
    /// <summary>Fail on any source-level configuration problem instead of building the valid sources.</summary>
    public bool Strict { get; init; }
    public IProgress<BuildProgress>? Progress { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public string Command { get; init; } = "build";
}

/// <summary>What a build produced in memory: the questions and report, and the stores they refer to.</summary>
public sealed record BuildResult(ProjectConfig Config, IReadOnlyList<Question> Questions, BuildReport Report, WorkArea Work)
{
    public ObjectStore Objects => Work.Objects;
}

/// <summary>
/// Runs the staged build: discover, hash, decode (cached by fingerprint, parallel), tag, draft questions,
/// curate, split, place answers. Writes the catalog; emitting files is <see cref="BuildOutput"/>'s job.
/// </summary>
public static class BuildRunner
{
    public static BuildResult Run(ProjectConfig config, BuildOptions options)
    {
        if (config.FatalIssues.Count > 0) throw new ConfigException(config.FatalIssues);
        if (options.Strict && config.SourceIssues.Count > 0) throw new ConfigException(config.SourceIssues);
        var settings = config.Settings;
        var taxonomy = config.Taxonomy;
        var work = new WorkArea(settings.WorkDir);
        using var db = work.OpenCatalog();
        var store = new CatalogStore(db);
        var objects = work.Objects;
        var (patientKeys, keyNotice) = PatientKeySecret.Resolve(settings, work);
        var runId = store.StartRun(options.Command, options.Clock.GetUtcNow());
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs) };

        // Discover.
        var sources = config.Sources.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var sourceById = sources.ToDictionary(s => s.Id);
        var rejects = new List<Reject>();
        var items = new List<(SourceItem Item, ISourceLayout Layout)>();
        var ignored = new Dictionary<string, int>();
        var discoveredRejects = new Dictionary<string, int>();
        foreach (var (s, i) in sources.Select((s, i) => (s, i)))
        {
            options.Progress?.Report(new BuildProgress("discover", i, sources.Count));
            var layout = s.Layout;
            Discovery found;
            try { found = layout.Discover(s); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                found = new Discovery([], [new Reject($"{s.Id}/", s.Id, s.Root, "discover", "unreadable-source", e.Message)], []);
            }
            items.AddRange(found.Items.Select(it => (it, layout)));
            rejects.AddRange(found.Rejects);
            ignored[s.Id] = found.Ignored.Count;
            discoveredRejects[s.Id] = found.Rejects.Count;
        }
        // Group keys are stored only as keyed hashes (a Patient ID or an MRN in a file name must not be recoverable).
        items = items.Select(i => (Item: i.Item with { GroupKey = patientKeys.Group(i.Item.SourceId, i.Item.GroupKey) }, i.Layout))
            .OrderBy(i => i.Item.Key, StringComparer.Ordinal).ToList();
        foreach (var dup in items.GroupBy(i => i.Item.Key).Where(g => g.Count() > 1))
            throw new InvalidOperationException($"duplicate item key '{dup.Key}': keys must be unique");

        // Hash contents (reusing hashes of files whose size and modification time are unchanged).
        var known = store.FileHashes();
        var hashes = new string[items.Count];
        var newHashes = new ConcurrentBag<(string, long, long, string)>();
        var hashed = 0;
        Parallel.For(0, items.Count, parallel, i =>
        {
            var item = items[i].Item;
            var files = item.Files.Select(path =>
            {
                var info = new FileInfo(path);
                var mtime = info.LastWriteTimeUtc.Ticks;
                if (known.TryGetValue(info.FullName, out var k) && k.Size == info.Length && k.Mtime == mtime) return k.Sha;
                var sha = Fingerprints.OfFile(info.FullName);
                newHashes.Add((info.FullName, info.Length, mtime, sha));
                return sha;
            }).ToList();
            // One file and no annotation: the file's hash itself, so classification fingerprints stay as they were.
            hashes[i] = files.Count == 1 && item.Annotation is null ? files[0] : Fingerprints.Of([.. files, item.Annotation?.Canonical() ?? ""]);
            var done = Interlocked.Increment(ref hashed);
            options.Progress?.Report(new BuildProgress("hash", done, items.Count));
        });
        store.SaveFileHashes(newHashes.OrderBy(h => h.Item1, StringComparer.Ordinal));
        store.SyncItems(items.Select((it, i) => (it.Item, hashes[i])).ToList(), config.SourceIssues.Select(ProjectConfig.SourceOf).Distinct().ToList());

        // Pixel stages: only items whose fingerprint changed are decoded.
        var stages = new Dictionary<StageKind, IItemStage>
        {
            [StageKind.Raster] = new RasterStage(settings.Image, objects),
            [StageKind.Region] = new RegionStage(settings.Image, settings.Regions, settings.Prompts, objects),
            [StageKind.Volume] = new VolumeStage(settings.Image, settings.Regions, settings.Prompts, objects, sources.ToDictionary(s => s.Id, s => s.Modality), options.Jobs, patientKeys),
        };
        IItemStage StageOf(ISourceLayout layout) => stages[layout.Stage];
        var previous = store.StageResults();
        // The item's raw labels and group key are part of what a stage's cases carry, so editing a label table or a group
        // rule redoes exactly the items it changes (their cases would otherwise keep the old labels).
        var fingerprints = items.Select((it, i) => StageOf(it.Layout).Fingerprint(
            Fingerprints.Of(hashes[i], JsonSerializer.Serialize(it.Item.RawLabels), it.Item.GroupKey))).ToArray();
        var todo = Enumerable.Range(0, items.Count)
            .Where(i => !previous.TryGetValue(items[i].Item.Key, out var p) || p.Fingerprint != fingerprints[i])
            .ToList();
        var decoded = 0;
        foreach (var batch in todo.Chunk(64))
        {
            var results = new ItemOutcome[batch.Length];
            Parallel.For(0, batch.Length, parallel, b =>
            {
                var (item, layout) = items[batch[b]];
                results[b] = WithoutRoot(StageOf(layout).Run(item, layout, fingerprints[batch[b]]), sourceById[item.SourceId].Root);
                var done = Interlocked.Increment(ref decoded);
                options.Progress?.Report(new BuildProgress("decode", done, todo.Count));
            });
            store.SaveStageResults(results);
        }
        var stageResults = store.StageResults();
        var currentKeys = items.Select(i => i.Item.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (item, layout) in items)
        {
            var r = stageResults[item.Key];
            if (!r.IsOk) rejects.Add(new Reject(item.Key, item.SourceId, item.RelativePath, layout.Stage.Text(), r.Reason ?? "rejected", r.Message ?? ""));
        }
        rejects.AddRange(store.StageRejects().Where(r => currentKeys.Contains(r.ItemKey)));

        // Whole-benchmark stages: metadata only.
        options.Progress?.Report(new BuildProgress("questions", 0, 1));
        var cases = store.Cases().Where(c => currentKeys.Contains(c.ItemKey)).ToList();
        var tagSources = sources.ToDictionary(s => s.Id, s => new SourceTags(s.Id, s.Modality, s.Task, s.Departments, s.Labels));
        var (tagged, tagRejects, unmapped) = Tagger.Tag(cases, tagSources, taxonomy);
        if (unmapped.Count > 0 && settings.UnmappedLabels == UnmappedLabelPolicy.Fail)
        {
            store.FinishRun(runId, options.Clock.GetUtcNow(), "failed: unmapped labels");
            throw new UnmappedLabelsException(unmapped);
        }
        rejects.AddRange(tagRejects);
        store.SaveTags(tagged);

        var assembly = BenchmarkAssembler.Assemble(tagged, taxonomy, settings.Questions, settings.Curation, settings.Seed,
            ReleaseWriter.History(settings.Release, settings.Name));
        var clusters = assembly.Clusters;
        rejects.AddRange(assembly.Rejects);
        // Reviewers' standing decisions (reviews/<name>.jsonl): rejected items leave after the layout, so no other item's
        // index, letter or split moves because of a review.
        var reviewPath = ReviewFile.PathFor(settings.ReviewsDir, settings.Name);
        var (reviewLines, reviewProblems) = ReviewFile.Read(reviewPath);
        var review = ReviewApplication.Apply(assembly.Questions, new ReviewLedger(reviewLines),
            Path.GetFileName(Path.GetDirectoryName(reviewPath)) + "/" + Path.GetFileName(reviewPath), reviewProblems);
        var questions = review.Kept;
        rejects.AddRange(review.Rejects);
        var audit = review.Rejects.Count == 0 ? assembly.Audit : ShortcutAudit.Of(questions);
        store.SaveQuestions(questions);
        rejects = rejects.OrderBy(r => r.SourceId, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Stage, StringComparer.Ordinal).ToList();
        store.SaveRejects(rejects);

        var report = Report(config, items.Select(i => i.Item).ToList(), questions, rejects, clusters, unmapped,
            ignored, discoveredRejects, decoded, items.Count - todo.Count) with
        {
            Audit = audit, Review = review.Summary,
            Composition = CompositionReport.Of(settings.Curation.Targets, assembly.TargetCandidates, questions, id => taxonomy.Task(id)?.Name ?? id),
        };
        report = report with
        {
            Fingerprints = new SortedDictionary<string, string>(report.Fingerprints.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal)
            {
                ["patient_key"] = patientKeys.Fingerprint,
            },
            Warnings = keyNotice is null ? report.Warnings : [.. report.Warnings, keyNotice],
        };
        store.FinishRun(runId, options.Clock.GetUtcNow(), JsonSerializer.Serialize(new { report.InputsDiscovered, report.ItemsEmitted, report.InputsRejected, report.Decoded, report.Reused, report.Questions }));
        return new BuildResult(config, questions, report, work);
    }

    /// <summary>Messages name files relative to their source root, so reports do not depend on where the data lives.</summary>
    private static ItemOutcome WithoutRoot(ItemOutcome o, string root)
    {
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        string? Clean(string? m) => m?.Replace(prefix, "", StringComparison.Ordinal);
        return o with
        {
            Result = o.Result with { Message = Clean(o.Result.Message) },
            CaseRejects = o.CaseRejects.Select(r => r with { Message = Clean(r.Message)! }).ToList(),
        };
    }

    private static BuildReport Report(ProjectConfig config, List<SourceItem> items, List<Question> questions, List<Reject> rejects,
        List<DuplicateCluster> clusters, List<UnmappedLabel> unmapped, Dictionary<string, int> ignored, Dictionary<string, int> discoveryRejects, int decoded, int reused)
    {
        var emittedItems = questions.Select(q => q.Case.ItemKey).ToHashSet(StringComparer.Ordinal);
        var rejectedItems = rejects.Select(r => r.ItemKey).ToHashSet(StringComparer.Ordinal);
        var summaries = config.Sources.OrderBy(s => s.Id, StringComparer.Ordinal).Select(s =>
        {
            var own = items.Where(i => i.SourceId == s.Id).ToList();
            var emitted = own.Count(i => emittedItems.Contains(i.Key));
            var rejectedOwn = own.Count(i => !emittedItems.Contains(i.Key) && rejectedItems.Contains(i.Key));
            return new SourceSummary(s.Id, s.Layout.Name, own.Count + discoveryRejects[s.Id], emitted, rejectedOwn + discoveryRejects[s.Id],
                questions.Count(q => q.Case.SourceId == s.Id), ignored[s.Id]);
        }).ToList();
        var discovered = summaries.Sum(s => s.Discovered);
        var itemsEmitted = summaries.Sum(s => s.Emitted);
        var inputsRejected = summaries.Sum(s => s.Rejected);
        var warnings = new List<string>();
        foreach (var s in config.Sources.Where(s => !s.Layout.NamesPatientGroups(s)))
            warnings.Add($"source {s.Id} names no patient group (group_pattern or group_column): each item is its own group, so the split cannot keep a patient's images together");
        var settings = config.Settings;
        return new BuildReport
        {
            Name = settings.Name,
            ToolVersion = Fingerprints.ToolVersion,
            Fingerprints = new SortedDictionary<string, string>
            {
                ["sources"] = config.SourcesFingerprint,
                ["taxonomy"] = config.Taxonomy.Fingerprint,
                ["pipeline"] = File.Exists(config.Paths.Pipeline) ? Fingerprints.OfFile(config.Paths.Pipeline) : "",
            },
            ConfigIssues = config.SourceIssues,
            RejectedSources = config.SourceIssues.Select(ProjectConfig.SourceOf).Distinct().Order(StringComparer.Ordinal).ToList(),
            Sources = summaries,
            InputsDiscovered = discovered,
            ItemsEmitted = itemsEmitted,
            InputsRejected = inputsRejected,
            Unaccounted = discovered - itemsEmitted - inputsRejected,
            IgnoredFiles = ignored.Values.Sum(),
            Decoded = decoded,
            Reused = reused,
            Questions = questions.Count,
            Splits = QuestionStats.Splits(questions),
            RejectsByReason = rejects.GroupBy(r => r.Reason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Rejects = rejects,
            DuplicateClusters = clusters,
            UnmappedLabels = unmapped,
            Distributions = QuestionStats.Distributions(questions),
            Warnings = warnings,
            TaskMoves = questions.GroupBy(q => (q.Case.SourceId, q.Case.Task))
                .Select(g => (g.Key, Source: config.Sources.First(s => s.Id == g.Key.SourceId), g.First().TaskName, Count: g.Count()))
                .Where(x => x.Source.Task != x.Key.Task)
                .Select(x => new TaskMove(x.Key.SourceId, config.Taxonomy.Task(x.Source.Task)?.Name ?? x.Source.Task, x.TaskName, x.Count))
                .OrderBy(m => m.Source, StringComparer.Ordinal).ThenBy(m => m.Task, StringComparer.Ordinal).ToList(),
        };
    }
}

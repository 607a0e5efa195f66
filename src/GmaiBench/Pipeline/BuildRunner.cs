using System.Collections.Concurrent;
using System.Text.Json;
using GmaiBench.Catalog;
using GmaiBench.Configuration;
using GmaiBench.Curation;
using GmaiBench.Imaging;
using GmaiBench.Ingest;
using GmaiBench.Ingest.Dicom;
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
    /// <summary>
    /// Read and hash every input again instead of trusting the stat cache (a file whose content changed while its size,
    /// modification time and inode stayed the same is only noticed this way).
    /// </summary>
    public bool Rehash { get; init; }
    /// <summary>
    /// Decode every input, not only the seeded candidate pools the label cap needs (an audit: the same items are emitted,
    /// the others are decoded and still counted <c>not-sampled</c>).
    /// </summary>
    public bool FullScan { get; init; }
    public IProgress<BuildProgress>? Progress { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public string Command { get; init; } = "build";
}

/// <summary>What a build produced in memory: the questions and report, and the stores they refer to.</summary>
public sealed record BuildResult(ProjectConfig Config, IReadOnlyList<Question> Questions, BuildReport Report, WorkArea Work)
{
    /// <summary>
    /// Digest of everything the questions and report were made from (<see cref="BenchmarkMemo"/>): the same digest means
    /// the same questions and report files, so the output folder's stamp need not serialise them again.
    /// </summary>
    public string? Digest { get; init; }

    public ObjectStore Objects => Work.Objects;
}

/// <summary>The corpus as discovery sees it: inputs, bytes, the largest input, and each shard's share of a plan.</summary>
/// <param name="LargestSeriesBytes">The largest DICOM series' bytes (its files, the structure object's too), 0 when the
/// corpus has none: series are decoded in decoder children, one per job, each assembling a whole series.</param>
public sealed record CorpusSurvey(int Items, long Bytes, long LargestBytes, string Largest, StageKind LargestStage,
    IReadOnlyList<long> ShardBytes, IReadOnlyList<int> ShardItems, long LargestSeriesBytes = 0);

/// <summary>What one shard did: its manifest (items, bytes, pixel work) and its area.</summary>
public sealed record ShardResult(ShardSpec Shard, ShardManifest Manifest, WorkArea Area);

/// <summary>A merged build: the same result a one-machine build gives, and each shard's manifest.</summary>
public sealed record MergeResult(BuildResult Build, IReadOnlyList<ShardManifest> Shards);

/// <summary>
/// Runs the staged build: discover, hash, decode (cached by fingerprint, parallel), tag, draft questions,
/// curate, split, place answers. Writes the catalog; emitting files is <see cref="BuildOutput"/>'s job.
/// A sharded build splits the per-item pixel work (<see cref="RunShard"/>) and joins it (<see cref="Merge"/>) before
/// the whole-benchmark stages, which always run in one place.
/// </summary>
public static class BuildRunner
{
    public static BuildResult Run(ProjectConfig config, BuildOptions options) => Core(config, options, mergeCount: null).Build;

    /// <summary>
    /// <c>gmai build --shard K/N</c>: discovery over every source, then hashing and pixel stages for shard K's items only,
    /// into the shard's own catalog (objects go to the shared store). Writes <c>shard.json</c> last; a killed shard
    /// re-run redoes only the items whose outcome it had not yet saved.
    /// </summary>
    public static ShardResult RunShard(ProjectConfig config, BuildOptions options, ShardSpec shard)
    {
        CheckConfig(config, options);
        var settings = config.Settings;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var work = new WorkArea(settings.WorkDir);
        var area = work.Shard(shard.Index, shard.Count);
        if (File.Exists(area.ShardManifestPath)) File.Delete(area.ShardManifestPath);   // until this run finishes, the shard is unfinished
        var (patientKeys, _) = PatientKeySecret.Resolve(settings, work);
        var prefix = $"shard {shard}: ";
        var inventory = Discover(config, options, patientKeys, prefix);
        var plan = Plan(inventory.Items, shard.Count);
        var own = inventory.Items.Where((_, i) => plan[i] == shard.Index).ToList();

        using var db = area.OpenCatalog();
        var store = new CatalogStore(db);
        var runId = store.StartRun($"{options.Command} --shard {shard}", options.Clock.GetUtcNow());
        var hashes = Hash(own, store, options, prefix);
        store.SyncItems(own.Select((it, i) => (it.Item, hashes[i]!)).ToList(), []);
        var stages = Stages(config, area, options, patientKeys);
        var fingerprints = FingerprintsOf(own, hashes, stages).Select(f => f!).ToArray();   // a shard hashes all its inputs
        int decoded;
        using (DicomWorker.OpenPool(Math.Max(1, options.Jobs)))   // one decoder child per job, ended with the pixel work
            decoded = DecodeChanged(config, own, fingerprints, stages, store, options, prefix).Count;
        if (decoded > 0) PixelMemory.Release();
        var reused = own.Count - decoded;
        var results = store.StageResults();
        var manifest = new ShardManifest
        {
            ToolVersion = Fingerprints.ToolVersion,
            Index = shard.Index,
            Count = shard.Count,
            Items = own.Count,
            InputBytes = own.Sum(i => i.Size),
            Decoded = decoded,
            Reused = reused,
            Rejected = own.Count(i => !results[i.Item.Key].IsOk),
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        store.FinishRun(runId, options.Clock.GetUtcNow(), JsonSerializer.Serialize(manifest));
        manifest.Write(area.ShardManifestPath);
        return new ShardResult(shard, manifest, area);
    }

    /// <summary>
    /// <c>gmai merge</c>: takes the pixel work of every shard of an <paramref name="count"/>-way build (or the only shard
    /// set in the work folder) into the main catalog and runs the whole-benchmark stages. Refuses, naming the shard, when
    /// one is missing, unfinished, or was built from other inputs or settings; decodes nothing itself.
    /// </summary>
    public static MergeResult Merge(ProjectConfig config, BuildOptions options, int? count = null)
    {
        var work = new WorkArea(config.Settings.WorkDir);
        var sets = work.ShardSets();
        var n = count ?? sets.Count switch
        {
            0 => throw new ShardMergeException($"no shard areas in {Path.Combine(work.Root, "shards")}: run gmai build --shard K/N for K = 0..N-1 first"),
            1 => sets[0],
            _ => throw new ShardMergeException($"the work folder holds shard sets of {string.Join(", ", sets)} shards: say which with --shards N"),
        };
        return Core(config, options with { Command = "merge" }, n);
    }

    /// <summary>
    /// What a cluster job needs to know of the corpus before any pixel work: the inputs discovery finds, their bytes, the
    /// largest, and how an <paramref name="shards"/>-way plan spreads them. Reads no file's content beyond discovery's.
    /// </summary>
    public static CorpusSurvey Survey(ProjectConfig config, int shards)
    {
        CheckConfig(config, new BuildOptions());
        var (patientKeys, _) = PatientKeySecret.Resolve(config.Settings, new WorkArea(config.Settings.WorkDir));
        var items = Discover(config, new BuildOptions(), patientKeys, "").Items;
        var plan = Plan(items, shards);
        var largest = items.OrderByDescending(i => i.Size).ThenBy(i => i.Item.Key, StringComparer.Ordinal).FirstOrDefault();
        return new CorpusSurvey(items.Count, items.Sum(i => i.Size), largest?.Size ?? 0,
            largest is null ? "" : $"{largest.Item.SourceId}/{largest.Item.RelativePath}", largest?.Layout.Stage ?? StageKind.Raster,
            Enumerable.Range(0, shards).Select(k => items.Where((_, i) => plan[i] == k).Sum(i => i.Size)).ToList(),
            Enumerable.Range(0, shards).Select(k => plan.Count(p => p == k)).ToList(),
            items.Where(i => IsDicomSeries(i.Item)).Select(i => i.Size).DefaultIfEmpty(0).Max());
    }

    /// <summary>Whether an input is decoded in a DICOM decoder child: a series, alone or with its label map or structure object.</summary>
    private static bool IsDicomSeries(SourceItem item) =>
        item.Annotation is SeriesAnnotation or StructureAnnotation or VolumeAnnotation { SeriesFiles: not null };

    private static void CheckConfig(ProjectConfig config, BuildOptions options)
    {
        if (config.FatalIssues.Count > 0) throw new ConfigException(config.FatalIssues);
        if (options.Strict && config.SourceIssues.Count > 0) throw new ConfigException(config.SourceIssues);
    }

    private static MergeResult Core(ProjectConfig config, BuildOptions options, int? mergeCount)
    {
        CheckConfig(config, options);
        var settings = config.Settings;
        // Serialising the settings for the memo's digest builds their JSON metadata (~40 ms); the start below runs on
        // one core, so it is done beside it.
        var settingsText = Task.Run(() => BenchmarkMemo.SettingsText(settings));
        var taxonomy = config.Taxonomy;
        var work = new WorkArea(settings.WorkDir);
        var (patientKeys, keyNotice) = PatientKeySecret.Resolve(settings, work);
        var inventory = Discover(config, options, patientKeys, "");
        var items = inventory.Items;
        var rejects = inventory.Rejects;

        using var db = work.OpenCatalog();
        var store = new CatalogStore(db);
        var runId = store.StartRun(options.Command, options.Clock.GetUtcNow());
        var shardManifests = mergeCount is { } n ? TakeShards(work, store, n) : [];

        // A sampling build reads only what it may use: inputs outside the candidate pools, and pooled inputs with an earlier
        // outcome to check; a pooled input the walk reaches is hashed when it does (DecodeSampled).
        var sampling = !options.FullScan && mergeCount is null;
        var results = store.StageResults();
        var wanted = sampling
            ? Enumerable.Range(0, items.Count).Where(i => !CandidatePool.IsPooled(items[i].Item) || results.ContainsKey(items[i].Item.Key)).ToList()
            : null;
        var hashes = Hash(items, store, options, "", wanted);
        // An input not hashed yet is listed with an empty content hash until it is.
        store.SyncItems(items.Select((it, i) => (it.Item, hashes[i] ?? "")).ToList(), config.SourceIssues.Select(ProjectConfig.SourceOf).Distinct().ToList());
        var stages = Stages(config, work, options, patientKeys);
        var fingerprints = FingerprintsOf(items, hashes, stages);
        if (mergeCount is { } count) TakeShardWork(work, store, items, fingerprints!, count);
        // A merge takes every outcome from the shards (each decodes all its inputs); so does a full scan. Either way the
        // candidates are chosen from the outcomes by the same walk as a sampled build's.
        HashSet<int> decodedItems;
        bool[]? candidates;
        // One DICOM decoder child per job, started when a series first needs one and ended with the pixel work.
        using (DicomWorker.OpenPool(Math.Max(1, options.Jobs)))
        {
            (decodedItems, candidates) = sampling
                ? DecodeSampled(config, items, hashes, fingerprints, stages, store, options, results)
                : (DecodeChanged(config, items, fingerprints!, stages, store, options, ""), null);
        }
        if (decodedItems.Count > 0) PixelMemory.Release();
        if (!sampling) results = store.StageResults();   // the shards' outcomes and this run's
        var decoded = decodedItems.Count;
        if (mergeCount is not null && decoded > 0)
            throw new ShardMergeException($"merge found {decoded} item(s) no shard had decoded; re-run the shards");
        candidates ??= Candidates(config, items, fingerprints, results, CaseFacts(store), out _);
        var reused = Enumerable.Range(0, items.Count).Count(i => candidates[i] && !decodedItems.Contains(i));
        var notSampled = items.Where((_, i) => !candidates[i]).Select(i => i.Item.Key).ToHashSet(StringComparer.Ordinal);

        // Whole-benchmark stages: metadata only, and skipped when nothing they read has changed since the last run.
        var reviewPath = ReviewFile.PathFor(settings.ReviewsDir, settings.Name);
        var memoPath = work.BenchmarkMemoPath;
        var digest = BenchmarkMemo.Digest(new BenchmarkMemo.Inputs
        {
            Config = config, Items = items.Select((it, i) => (it.Item.Key, candidates[i] ? fingerprints[i]! : "not-sampled")).ToList(),
            DiscoveryRejects = rejects, Ignored = inventory.Ignored, DiscoveryRejectCounts = inventory.DiscoveryRejects,
            PatientKeyFingerprint = patientKeys.Fingerprint, KeyNotice = keyNotice, ReviewPath = reviewPath, Settings = settingsText,
        });
        if (BenchmarkMemo.Read(memoPath, digest) is var (memoQuestions, memoReport))
        {
            var reusedReport = memoReport with { Decoded = decoded, Reused = reused };
            store.FinishRun(runId, options.Clock.GetUtcNow(), RunSummary(reusedReport));
            return new MergeResult(new BuildResult(config, memoQuestions, reusedReport, work) { Digest = digest }, shardManifests);
        }
        BenchmarkMemo.Forget(memoPath);
        var currentKeys = items.Where((_, i) => candidates[i]).Select(i => i.Item.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (item, layout, _) in items.Where((_, i) => candidates[i]))
        {
            var r = results[item.Key];
            if (!r.IsOk) rejects.Add(new Reject(item.Key, item.SourceId, item.RelativePath, layout.Stage.Text(), r.Reason ?? "rejected", r.Message ?? ""));
        }
        rejects.AddRange(store.StageRejects().Where(r => currentKeys.Contains(r.ItemKey)));

        options.Progress?.Report(new BuildProgress("questions", 0, 1));
        var cases = store.Cases().Where(c => currentKeys.Contains(c.ItemKey)).ToList();
        var tagSources = config.Sources.ToDictionary(s => s.Id, s => new SourceTags(s.Id, s.Modality, s.Task, s.Departments, s.Labels));
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
            inventory.Ignored, inventory.DiscoveryRejects, decoded, reused, notSampled) with
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
        BenchmarkMemo.Save(memoPath, digest, questions, report);
        store.FinishRun(runId, options.Clock.GetUtcNow(), RunSummary(report));
        return new MergeResult(new BuildResult(config, questions, report, work) { Digest = digest }, shardManifests);
    }

    private static string RunSummary(BuildReport report) =>
        JsonSerializer.Serialize(new { report.InputsDiscovered, report.ItemsEmitted, report.InputsRejected, report.Decoded, report.Reused, report.Questions });

    /// <summary>
    /// An input to decode: the item, the layout that found it, and one <c>stat</c> of each of its files, taken once at
    /// discovery and used both for shard balancing and by the stat cache.
    /// </summary>
    private sealed record Input(SourceItem Item, ISourceLayout Layout, IReadOnlyList<FileStamp?> Stamps)
    {
        public long Size => Stamps.Sum(s => s?.Size ?? 0);
    }

    private sealed record Inventory(List<Input> Items, List<Reject> Rejects, Dictionary<string, int> Ignored, Dictionary<string, int> DiscoveryRejects);

    /// <summary>Walks every source (all shards do: the plan must be the same everywhere), keys groups, orders by item key.</summary>
    private static Inventory Discover(ProjectConfig config, BuildOptions options, PatientKeys patientKeys, string prefix)
    {
        var sources = config.Sources.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var rejects = new List<Reject>();
        var found = new List<(SourceItem Item, ISourceLayout Layout)>();
        var ignored = new Dictionary<string, int>();
        var discoveredRejects = new Dictionary<string, int>();
        foreach (var (s, i) in sources.Select((s, i) => (s, i)))
        {
            options.Progress?.Report(new BuildProgress(prefix + "discover", i, sources.Count));
            var layout = s.Layout;
            Discovery discovery;
            try { discovery = layout.Discover(s); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                discovery = new Discovery([], [new Reject($"{s.Id}/", s.Id, s.Root, "discover", "unreadable-source", e.Message)], []);
            }
            found.AddRange(discovery.Items.Select(it => (it, layout)));
            rejects.AddRange(discovery.Rejects);
            ignored[s.Id] = discovery.Ignored.Count;
            discoveredRejects[s.Id] = discovery.Rejects.Count;
        }
        // Group keys are stored only as keyed hashes (a Patient ID or an MRN in a file name must not be recoverable).
        var items = found.Select(i => new Input(i.Item with { GroupKey = patientKeys.Group(i.Item.SourceId, i.Item.GroupKey) }, i.Layout,
                i.Item.Files.Select(f => FileKinds.Stamp(Path.GetFullPath(f))).ToList()))
            .OrderBy(i => i.Item.Key, StringComparer.Ordinal).ToList();
        foreach (var dup in items.GroupBy(i => i.Item.Key).Where(g => g.Count() > 1))
            throw new InvalidOperationException($"duplicate item key '{dup.Key}': keys must be unique");
        return new Inventory(items, rejects, ignored, discoveredRejects);
    }

    private static int[] Plan(List<Input> items, int count) => ShardPlan.Assign(items.Select(i => i.Size).ToList(), count);

    /// <summary>
    /// Content hashes of the items' files through the stat cache: a file whose size, modification time and inode match
    /// what the catalog recorded costs one <c>stat</c>; any other is read (all are with <see cref="BuildOptions.Rehash"/>).
    /// Only the items of <paramref name="only"/> when given (the others' entries stay null).
    /// </summary>
    private static string?[] Hash(List<Input> items, CatalogStore store, BuildOptions options, string prefix, IReadOnlyList<int>? only = null)
    {
        var known = options.Rehash ? [] : store.FileHashes();
        var hashes = new string?[items.Count];
        var total = only?.Count ?? items.Count;
        var newHashes = new ConcurrentBag<FileHashRow>();
        var hashed = 0;
        string? Cached(string full, FileStamp? stamp) =>
            stamp is { } st && known.TryGetValue(full, out var k) && k.Size == st.Size && k.Mtime == st.MtimeTicks && k.Inode == st.Inode ? k.Sha : null;
        void Hash(int i)
        {
            var (item, _, stamps) = items[i];
            var files = item.Files.Select((path, f) =>
            {
                var full = Path.GetFullPath(path);
                var stamp = stamps[f];
                if (Cached(full, stamp) is { } sha) return sha;
                sha = Fingerprints.OfFile(full);
                // The stamp from before the read (discovery's): a file written since differs next time and is read again.
                if (stamp is { } seen) newHashes.Add(new FileHashRow(full, seen.Size, seen.MtimeTicks, seen.Inode, sha));
                return sha;
            }).ToList();
            Done(i, files);
        }
        void Done(int i, List<string> files)
        {
            var item = items[i].Item;
            // One file and no annotation: the file's hash itself, so classification fingerprints stay as they were.
            hashes[i] = files.Count == 1 && item.Annotation is null ? files[0] : Fingerprints.Of([.. files, item.Annotation?.Canonical() ?? ""]);
            var done = Interlocked.Increment(ref hashed);
            options.Progress?.Report(new BuildProgress(prefix + "hash", done, total));
        }
        // Items whose every file the stat cache knows cost a lookup each: done here; only reads go to the workers.
        var toRead = new List<int>();
        foreach (var i in only ?? Enumerable.Range(0, items.Count))
        {
            var cached = items[i].Item.Files.Select((p, f) => Cached(Path.GetFullPath(p), items[i].Stamps[f])).ToList();
            if (cached.All(h => h is not null)) Done(i, cached!);
            else toRead.Add(i);
        }
        Parallel.ForEach(toRead, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs) }, Hash);
        store.SaveFileHashes(newHashes.OrderBy(h => h.Path, StringComparer.Ordinal));
        return hashes;
    }

    private static Dictionary<StageKind, IItemStage> Stages(ProjectConfig config, WorkArea work, BuildOptions options, PatientKeys patientKeys)
    {
        var settings = config.Settings;
        var objects = work.Objects;
        return new Dictionary<StageKind, IItemStage>
        {
            [StageKind.Raster] = new RasterStage(settings.Image, objects),
            [StageKind.Region] = new RegionStage(settings.Image, settings.Regions, settings.Prompts, objects),
            [StageKind.Volume] = new VolumeStage(settings.Image, settings.Regions, settings.Prompts, objects, config.Sources.ToDictionary(s => s.Id, s => s.Modality), options.Jobs, patientKeys),
        };
    }

    /// <summary>
    /// The item's raw labels and group key are part of what a stage's cases carry, so editing a label table or a group
    /// rule redoes exactly the items it changes (their cases would otherwise keep the old labels).
    /// </summary>
    private static string?[] FingerprintsOf(List<Input> items, string?[] hashes, Dictionary<StageKind, IItemStage> stages) =>
        items.Select((it, i) => hashes[i] is { } hash ? FingerprintOf(it, hash, stages) : null).ToArray();

    private static string FingerprintOf(Input it, string hash, Dictionary<StageKind, IItemStage> stages) =>
        stages[it.Layout.Stage].Fingerprint(Fingerprints.Of(hash, StringLists.ToJson(it.Item.RawLabels), it.Item.GroupKey));

    /// <summary>
    /// Pixel stages for a build that samples: inputs outside the candidate pools (regions, volumes, series, unlabelled)
    /// are decoded when their fingerprint changed, as always; each pool of image-level inputs (<see cref="CandidatePool"/>)
    /// is walked and only the inputs its walk needs are decoded, round after round until no walk needs more.
    /// </summary>
    private static (HashSet<int> Decoded, bool[] Candidates) DecodeSampled(ProjectConfig config, List<Input> items, string?[] hashes,
        string?[] fingerprints, Dictionary<StageKind, IItemStage> stages, CatalogStore store, BuildOptions options,
        Dictionary<string, StageResult> results)
    {
        var facts = CaseFacts(store);
        var decoded = new HashSet<int>();
        while (true)
        {
            var candidates = Candidates(config, items, fingerprints, results, facts, out var toDecode);
            if (toDecode.Count == 0) return (decoded, candidates);
            var unhashed = toDecode.Where(i => hashes[i] is null).ToList();
            if (unhashed.Count > 0)
            {
                var more = Hash(items, store, options, "", unhashed);
                // Never hashed means no earlier outcome (those were hashed up front): each of these is decoded.
                foreach (var i in unhashed) (hashes[i], fingerprints[i]) = (more[i], FingerprintOf(items[i], more[i]!, stages));
            }
            foreach (var outcome in Decode(config, items, fingerprints!, stages, store, options, "", toDecode))
            {
                results[outcome.Result.ItemKey] = outcome.Result;
                if (outcome.Cases.Count > 0) facts[outcome.Result.ItemKey] = Fact(outcome.Cases[0]);
                else facts.Remove(outcome.Result.ItemKey);
            }
            decoded.UnionWith(toDecode);
        }
    }

    /// <summary>
    /// Which inputs the whole-benchmark stages see: every input outside a pool, and each pool's walked prefix; also what
    /// must be decoded before the walks are final (nothing, once they are).
    /// </summary>
    private static bool[] Candidates(ProjectConfig config, List<Input> items, string?[] fingerprints, Dictionary<string, StageResult> results,
        Dictionary<string, (ulong? PHash, double? Contrast)> facts, out List<int> toDecode)
    {
        var curation = config.Settings.Curation;
        var candidates = new bool[items.Count];
        toDecode = [];
        bool Current(int i) => results.TryGetValue(items[i].Item.Key, out var r) && r.Fingerprint == fingerprints[i];
        (CandidateState, ulong?) State(int i)
        {
            if (!Current(i)) return (CandidateState.Undecoded, null);
            var key = items[i].Item.Key;
            if (!results[key].IsOk || !facts.TryGetValue(key, out var f) || f.Contrast < curation.MinContrast) return (CandidateState.Rejected, null);
            return (CandidateState.Usable, f.PHash);
        }
        var keys = items.Select(i => i.Item.Key).ToList();
        var pools = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i].Item;
            if (!CandidatePool.IsPooled(item))
            {
                candidates[i] = true;
                if (!Current(i)) toDecode.Add(i);
                continue;
            }
            var pool = item.SourceId + "\u0001" + string.Join('\u0002', item.RawLabels.Order(StringComparer.Ordinal));
            (pools.TryGetValue(pool, out var members) ? members : pools[pool] = []).Add(i);
        }
        foreach (var members in pools.Values)
        {
            var order = CandidatePool.Order(keys, members, config.Settings.Seed);
            var (walked, need) = CandidatePool.Walk(order, State, curation.MaxPerLabel, curation.NearDuplicateBits);
            foreach (var i in order.Take(walked)) candidates[i] = true;
            toDecode.AddRange(need);
        }
        toDecode.Sort();
        return candidates;
    }

    /// <summary>The first case of each item: its perceptual hash and contrast, what the pools' walks look at.</summary>
    private static Dictionary<string, (ulong? PHash, double? Contrast)> CaseFacts(CatalogStore store)
    {
        var facts = new Dictionary<string, (ulong?, double?)>(StringComparer.Ordinal);
        foreach (var c in store.Cases()) facts.TryAdd(c.ItemKey, Fact(c));
        return facts;
    }

    private static (ulong? PHash, double? Contrast) Fact(Case c) => (c.Phash is null ? null : Convert.ToUInt64(c.Phash, 16), c.Contrast);

    /// <summary>Pixel stages: only items whose fingerprint changed are decoded; outcomes are saved every 64 items.</summary>
    private static HashSet<int> DecodeChanged(ProjectConfig config, List<Input> items, string[] fingerprints,
        Dictionary<StageKind, IItemStage> stages, CatalogStore store, BuildOptions options, string prefix)
    {
        var previous = store.StageResults();
        var todo = Enumerable.Range(0, items.Count)
            .Where(i => !previous.TryGetValue(items[i].Item.Key, out var p) || p.Fingerprint != fingerprints[i])
            .ToList();
        Decode(config, items, fingerprints, stages, store, options, prefix, todo);
        return [.. todo];
    }

    /// <summary>Runs the pixel stage of each item of <paramref name="todo"/> in parallel, saving outcomes every 64 items.</summary>
    private static List<ItemOutcome> Decode(ProjectConfig config, List<Input> items, string[] fingerprints,
        Dictionary<StageKind, IItemStage> stages, CatalogStore store, BuildOptions options, string prefix, IReadOnlyList<int> todo)
    {
        var roots = config.Sources.ToDictionary(s => s.Id, s => s.Root);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs) };
        var decoded = 0;
        var all = new List<ItemOutcome>(todo.Count);
        foreach (var batch in todo.Chunk(64))
        {
            var results = new ItemOutcome[batch.Length];
            Parallel.For(0, batch.Length, parallel, b =>
            {
                var (item, layout, _) = items[batch[b]];
                results[b] = WithoutRoot(stages[layout.Stage].Run(item, layout, fingerprints[batch[b]]), roots[item.SourceId]);
                var done = Interlocked.Increment(ref decoded);
                options.Progress?.Report(new BuildProgress(prefix + "decode", done, todo.Count));
            });
            store.SaveStageResults(results);
            all.AddRange(results);
        }
        return all;
    }

    /// <summary>
    /// Reads every shard's manifest, refusing a missing or unfinished one, or one of another tool or shard count, and takes
    /// the shards' stat caches into the main catalog (so hashing here reads no file a shard read).
    /// </summary>
    private static List<ShardManifest> TakeShards(WorkArea work, CatalogStore store, int count)
    {
        var manifests = new List<ShardManifest>();
        for (var k = 0; k < count; k++)
        {
            var area = work.Shard(k, count);
            var manifest = ShardManifest.Read(area.ShardManifestPath)
                ?? throw new ShardMergeException(File.Exists(area.CatalogPath)
                    ? $"shard {k}/{count} did not finish (its area {area.CatalogFolder} has no shard.json: it failed or was killed); re-run gmai build --shard {k}/{count}"
                    : $"shard {k}/{count} is missing (no area at {area.CatalogFolder}); run gmai build --shard {k}/{count}");
            if (manifest.Index != k || manifest.Count != count)
                throw new ShardMergeException($"shard {k}/{count}: its area holds shard {manifest.Index}/{manifest.Count}; re-run gmai build --shard {k}/{count}");
            if (manifest.ToolVersion != Fingerprints.ToolVersion)
                throw new ShardMergeException($"shard {k}/{count} was built by gmai {manifest.ToolVersion}, this is {Fingerprints.ToolVersion}; re-run the shard with this version");
            store.ImportFileHashes(area.CatalogPath);
            manifests.Add(manifest);
        }
        return manifests;
    }

    /// <summary>
    /// Takes from the shards every outcome whose fingerprint is the one this merge computes (whichever shard did it: an
    /// input that changed size moves the plan's cuts), then requires one for every item. An item without one is named with
    /// the shard that holds a stale outcome for it (built from other inputs or settings) or that should have done it.
    /// </summary>
    private static void TakeShardWork(WorkArea work, CatalogStore store, List<Input> items, string[] fingerprints, int count)
    {
        var wanted = items.Select((it, i) => (it.Item.Key, fingerprints[i])).ToList();
        for (var k = 0; k < count; k++) store.ImportShardWork(work.Shard(k, count).CatalogPath, wanted);
        var have = store.StageResults();
        var missing = Enumerable.Range(0, items.Count)
            .Where(i => !have.TryGetValue(items[i].Item.Key, out var r) || r.Fingerprint != fingerprints[i]).ToList();
        if (missing.Count == 0) return;
        var plan = Plan(items, count);
        var stale = new Dictionary<int, List<int>>();
        var undone = new List<int>();
        for (var k = 0; k < count; k++)
        {
            using var db = CatalogDb.Open(work.Shard(k, count).CatalogPath);
            var theirs = new CatalogStore(db).StageResults();
            foreach (var i in missing.Where(i => theirs.ContainsKey(items[i].Item.Key)))
                (stale.TryGetValue(k, out var list) ? list : stale[k] = []).Add(i);
        }
        string Name(int i) => $"{items[i].Item.SourceId}/{items[i].Item.RelativePath}";
        var problems = stale.OrderBy(kv => kv.Key).Select(kv =>
            $"shard {kv.Key}/{count} was built from other inputs or settings: {kv.Value.Count} item(s) changed since it ran (first: {Name(kv.Value[0])}); " +
            $"re-run gmai build --shard {kv.Key}/{count}").ToList();
        foreach (var i in missing.Where(i => !stale.Values.Any(l => l.Contains(i)))) undone.Add(i);
        foreach (var g in undone.GroupBy(i => plan[i]).OrderBy(g => g.Key))
            problems.Add($"shard {g.Key}/{count} has not done {g.Count()} item(s) added since the shards ran (first: {Name(g.First())}); re-run gmai build --shard {g.Key}/{count}");
        throw new ShardMergeException(string.Join("; ", problems) + " (the inputs, sources.yaml, the pipeline file or the taxonomy changed since)");
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
        List<DuplicateCluster> clusters, List<UnmappedLabel> unmapped, Dictionary<string, int> ignored, Dictionary<string, int> discoveryRejects, int decoded, int reused,
        IReadOnlySet<string> notSampled)
    {
        var emittedItems = questions.Select(q => q.Case.ItemKey).ToHashSet(StringComparer.Ordinal);
        var rejectedItems = rejects.Select(r => r.ItemKey).ToHashSet(StringComparer.Ordinal);
        var summaries = config.Sources.OrderBy(s => s.Id, StringComparer.Ordinal).Select(s =>
        {
            var own = items.Where(i => i.SourceId == s.Id).ToList();
            var emitted = own.Count(i => emittedItems.Contains(i.Key));
            var rejectedOwn = own.Count(i => !emittedItems.Contains(i.Key) && rejectedItems.Contains(i.Key));
            return new SourceSummary(s.Id, s.Layout.Name, own.Count + discoveryRejects[s.Id], emitted, rejectedOwn + discoveryRejects[s.Id],
                questions.Count(q => q.Case.SourceId == s.Id), ignored[s.Id]) { NotSampled = own.Count(i => notSampled.Contains(i.Key)) };
        }).ToList();
        var discovered = summaries.Sum(s => s.Discovered);
        var itemsEmitted = summaries.Sum(s => s.Emitted);
        var inputsRejected = summaries.Sum(s => s.Rejected);
        var inputsNotSampled = summaries.Sum(s => s.NotSampled);
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
            NotSampled = inputsNotSampled,
            Unaccounted = discovered - itemsEmitted - inputsRejected - inputsNotSampled,
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

using System.Globalization;
using System.Text;
using GmaiBench.Curation;
using GmaiBench.Ingest;
using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>A release the rules forbid (an existing version, a version bump too small for the changes).</summary>
public sealed class ReleaseRefusedException(string message) : Exception(message);

/// <summary>A source as a release credits it: name, licence and citation.</summary>
public sealed record SourceCredit(string Id, string Name, string License, string? Citation, string? Homepage);

/// <summary>Everything a release is written from: the built items and report, where they came from, and the settings the card states.</summary>
public sealed record ReleaseInput
{
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required ulong Seed { get; init; }
    public required ReleaseSettings Release { get; init; }
    public required ImageSettings Image { get; init; }
    public required QuestionSettings QuestionSettings { get; init; }
    public required CurationSettings Curation { get; init; }
    public required IReadOnlyList<Question> Questions { get; init; }
    public required BuildReport Report { get; init; }
    public required IReadOnlyList<SourceCredit> Sources { get; init; }
    public required IObjectStore Objects { get; init; }
}

/// <summary>
/// Writes <c>&lt;release root&gt;/&lt;name&gt;/&lt;version&gt;/</c>: Parquet shards and dataset card for the Hub, VLMEvalKit
/// TSVs, the private answer key, the manifest and the changelog. Everything is written to
/// <c>&lt;version&gt;.incomplete/</c>, verified, and only then renamed into place; a published version is never
/// overwritten.
/// </summary>
public static class ReleaseWriter
{
    public static string ReleaseFolder(ReleaseSettings s, string name, string version) => Path.Combine(s.Root, name, version);

    /// <summary>Published versions of this release name, lowest first (folders still being written are not releases).</summary>
    public static List<SemVer> Published(ReleaseSettings s, string name)
    {
        var dir = Path.Combine(s.Root, name);
        if (!Directory.Exists(dir)) return [];
        return Directory.GetDirectories(dir)
            .Select(Path.GetFileName)
            .Where(n => File.Exists(Path.Combine(dir, n!, ReleaseManifest.FileName)))
            .Select(n => SemVer.TryParse(n!, out var v) ? (SemVer?)v : null)
            .Where(v => v is not null).Select(v => v!.Value)
            .Order().ToList();
    }

    public static string Write(ReleaseInput build, string version)
    {
        var settings = build.Release;
        var name = build.Name;
        if (!SemVer.TryParse(version, out var semver))
            throw new ReleaseRefusedException($"'{version}' is not a version of the form MAJOR.MINOR.PATCH (e.g. 1.0.0)");
        var final = ReleaseFolder(settings, name, version);
        if (Directory.Exists(final))
            throw new ReleaseRefusedException($"version {version} of {name} is already published at {final}; a release is never overwritten, choose a new version");

        var items = build.Questions.Select(ReleaseItems.Of).ToList();
        var previous = Published(settings, name).Where(v => v < semver).Cast<SemVer?>().LastOrDefault();
        ChangeSummary? changes = null;
        List<ReleaseItem> previousItems = [];
        if (previous is { } p)
        {
            var previousFolder = ReleaseFolder(settings, name, p.ToString());
            var earlierKey = ReleaseManifest.Read(previousFolder).Fingerprints.GetValueOrDefault("patient_key");
            var thisKey = build.Report.Fingerprints.GetValueOrDefault("patient_key");
            if (earlierKey is not null && thisKey is not null && earlierKey != thisKey)
                throw new ReleaseRefusedException($"this build used another patient-key secret (fingerprint {thisKey}) than release {p} ({earlierKey}); " +
                    "patient groups, and so splits, would change: build with the secret that release used (patient_key in the pipeline file)");
            previousItems = ReleaseItems.Read(Path.Combine(previousFolder, ReleaseItems.FileName));
            changes = ChangeSummary.Between(previousItems, items);
            if (VersionPolicy.Check(p, semver, changes) is { } problem) throw new ReleaseRefusedException(problem);
        }
        if (Published(settings, name).Any(v => v > semver))
            throw new ReleaseRefusedException($"a later version ({Published(settings, name).Last()}) is already published; releases go forward only");

        if (settings.RequireReview > 0 && build.Report.Review.Shortfalls(settings.RequireReview) is { Count: > 0 } shortfalls)
            throw new ReleaseRefusedException("not reviewed enough: " + string.Join("; ", shortfalls) + " (review with gmai review, then release again)");

        var temp = BuildOutput.Incomplete(final);
        var images = build.Objects;
        var dataFiles = new List<string>();
        var splitInfo = new List<SplitInfo>();
        Directory.CreateDirectory(Path.Combine(temp, "vlmevalkit"));
        foreach (var config in ReleaseConfig.Of(build.Questions, build.DisplayName))
        {
            foreach (var split in new[] { "VAL", "TEST" })
            {
                var rows = config.Items.Where(q => q.Split == split).ToList();
                var hfName = split.ToLowerInvariant();
                var shards = Shard(rows, images, settings.ShardBytes);
                for (var k = 0; k < shards.Count; k++)
                {
                    var rel = $"{config.DataFolder}/{hfName}-{k:00000}-of-{shards.Count:00000}.parquet";
                    Directory.CreateDirectory(Path.Combine(temp, config.DataFolder));
                    BenchmarkParquet.WriteFile(Path.Combine(temp, rel), shards[k], images, withAnswer: split == "VAL", settings.RowGroupBytes);
                    dataFiles.Add(rel);
                }
                splitInfo.Add(new SplitInfo(hfName, rows.Sum(q => RowBytes(q, images)), rows.Count) { Config = config.Name });
            }
            BenchmarkTsv.WriteFile(Path.Combine(temp, "vlmevalkit", $"{config.TsvName}_VAL.tsv"), config.Items.Where(q => q.Split == "VAL"), images, withAnswer: true);
            var parts = TsvParts(config.Items.Where(q => q.Split == "TEST").ToList(), images, settings.TsvPartBytes);
            for (var k = 0; k < parts.Count; k++)
                BenchmarkTsv.WriteFile(Path.Combine(temp, "vlmevalkit", $"{config.TsvName}_TEST_part_{k + 1}.tsv"), parts[k], images, withAnswer: false);
        }
        var test = build.Questions.Where(q => q.Split == "TEST").ToList();
        Directory.CreateDirectory(Path.Combine(temp, "private"));
        using (var w = new StreamWriter(Path.Combine(temp, "private", "test_answers.tsv"), false, TsvFormat.Utf8))
        {
            TsvFormat.WriteRow(w, ["index", "answer", "category", "key"]);
            foreach (var q in test) TsvFormat.WriteRow(w, [q.Index.ToString(CultureInfo.InvariantCulture), q.Answer, q.Category, q.Key]);
        }
        ReleaseItems.Write(Path.Combine(temp, ReleaseItems.FileName), items);
        File.WriteAllText(Path.Combine(temp, "CHANGELOG.md"),
            Changelog.Render(name, version, previous?.ToString(), changes, items, previousItems) + Changelog.Review(build.Report), TsvFormat.Utf8);

        var counts = build.Questions.GroupBy(q => q.Split).OrderByDescending(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>)SplitCounts(g.Key, g.ToList()));
        var fingerprints = new SortedDictionary<string, string>(build.Report.Fingerprints.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal)
        {
            ["tool"] = Fingerprints.ToolVersion,
        };
        var manifest = new ReleaseManifest
        {
            Name = name, DisplayName = build.DisplayName, Version = version, PreviousVersion = previous?.ToString(),
            Fingerprints = fingerprints, Splits = QuestionStats.Splits(build.Questions), Counts = counts, Files = [],
            Configs = splitInfo.GroupBy(i => i.Config).ToDictionary(g => g.Key,
                g => (IReadOnlyDictionary<string, int>)g.ToDictionary(i => i.Name.ToUpperInvariant(), i => i.NumExamples)),
        };
        var downloadSize = dataFiles.Sum(f => new FileInfo(Path.Combine(temp, f)).Length);
        File.WriteAllText(Path.Combine(temp, "README.md"), DatasetCard.Render(manifest, build, splitInfo, downloadSize), TsvFormat.Utf8);
        manifest = manifest with { Files = Checksums(temp) };
        File.WriteAllText(Path.Combine(temp, ReleaseManifest.FileName), manifest.ToJson(), TsvFormat.Utf8);

        var problems = ReleaseVerifier.Verify(temp);
        if (problems.Count > 0)
            throw new InvalidDataException($"the release failed verification and was not published (left in {temp}):\n  " + string.Join("\n  ", problems));
        Directory.Move(temp, final);
        return final;
    }

    /// <summary>
    /// Item counts by tag for the manifest and card. TEST counts only tags that are the same whichever option is right;
    /// its answer-derived breakdowns (department, label) come from <c>gmai score</c> with the private key.
    /// </summary>
    private static SortedDictionary<string, IReadOnlyDictionary<string, int>> SplitCounts(string split, List<Question> items)
    {
        var counts = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
        {
            ["task"] = QuestionStats.Count(items, q => q.TaskName),
            ["modality"] = QuestionStats.Count(items, q => q.Case.Modality),
            ["granularity"] = QuestionStats.Count(items, q => q.Case.Granularity.Text()),
            ["source"] = QuestionStats.Count(items, q => q.Case.SourceId),
        };
        if (split != "TEST") counts["department"] = QuestionStats.Count(items, q => q.DepartmentName);
        return counts;
    }

    /// <summary>The release history of <paramref name="name"/>: what its published versions fix for the next build.</summary>
    public static ReleaseHistory History(ReleaseSettings s, string name) =>
        ReleaseItems.History(Published(s, name).Select(v => ReleaseFolder(s, name, v.ToString())).ToList());

    /// <summary>sha256 and size of every file under <paramref name="folder"/> except the manifest, in path order.</summary>
    public static List<ReleaseFile> Checksums(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (full: f, rel: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .Where(f => f.rel != ReleaseManifest.FileName)
            .OrderBy(f => f.rel, StringComparer.Ordinal)
            .Select(f => new ReleaseFile(f.rel, new FileInfo(f.full).Length, Fingerprints.OfFile(f.full)))
            .ToList();

    /// <summary>
    /// Uncompressed size of a row as the datasets library counts it: strings, the index and the image bytes (the image's
    /// size from the store, not its bytes: shards and parts are planned without reading an image).
    /// </summary>
    public static long RowBytes(Question q, IObjectStore images) =>
        8 + BenchmarkParquet.Values(q, withAnswer: true).Sum(v => v is null ? 0 : Encoding.UTF8.GetByteCount(v)) + images.SizeOf(q.Case.ImageSha) + 68;

    private static List<List<Question>> Shard(List<Question> rows, IObjectStore images, long limit)
    {
        var shards = new List<List<Question>> { new() };
        long size = 0;
        foreach (var q in rows)
        {
            var b = RowBytes(q, images);
            if (shards[^1].Count > 0 && size + b > limit) { shards.Add([]); size = 0; }
            shards[^1].Add(q);
            size += b;
        }
        return shards;
    }

    /// <summary>TEST parts under the byte limit; an image is stored once per part, so size is counted the same way.</summary>
    private static List<List<Question>> TsvParts(List<Question> rows, IObjectStore images, long limit)
    {
        var parts = new List<List<Question>> { new() };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long size = 0;
        foreach (var q in rows)
        {
            var text = BenchmarkParquet.Values(q, false).Sum(v => v is null ? 0 : Encoding.UTF8.GetByteCount(v)) + 64;
            var img = seen.Contains(q.Case.ImageSha) ? 8 : (images.SizeOf(q.Case.ImageSha) + 2) / 3 * 4;
            if (parts[^1].Count > 0 && size + text + img > limit)
            {
                parts.Add([]);
                seen.Clear();
                size = 0;
                img = (images.SizeOf(q.Case.ImageSha) + 2) / 3 * 4;
            }
            parts[^1].Add(q);
            seen.Add(q.Case.ImageSha);
            size += text + img;
        }
        return parts;
    }
}

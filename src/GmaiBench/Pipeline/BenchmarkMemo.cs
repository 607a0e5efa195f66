using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GmaiBench.Model;
using GmaiBench.Release;

namespace GmaiBench.Pipeline;

/// <summary>
/// The last whole-benchmark result (questions and report) with a digest of everything it was made from, kept in the work
/// folder so that a build whose inputs are all unchanged skips tagging, drafting, curation and the catalog writes.
/// </summary>
/// <remarks>
/// The digest covers the tool version, every current item with the fingerprint of its pixel outcome (content, labels,
/// group key, stage settings and code version), discovery's rejects and counts, the sources as configured, the source
/// registry, taxonomy and pipeline files, the settings, the patient key's fingerprint and notice, the review file and the
/// published releases' item lists. Anything else a whole-benchmark stage reads must be added here, or a rebuild would
/// serve a stale benchmark; <c>BenchmarkMemoTests</c> changes each of them and compares with a cold build.
/// The memo is deleted before the catalog's tags, questions and rejects are rewritten and saved after, so a run killed in
/// between leaves none, and the catalog always holds what the memo describes.
/// </remarks>
internal static class BenchmarkMemo
{

    public sealed record Inputs
    {
        public required ProjectConfig Config { get; init; }
        public required IReadOnlyList<(string Key, string Fingerprint)> Items { get; init; }
        public required IReadOnlyList<Reject> DiscoveryRejects { get; init; }
        public required IReadOnlyDictionary<string, int> Ignored { get; init; }
        public required IReadOnlyDictionary<string, int> DiscoveryRejectCounts { get; init; }
        public required string PatientKeyFingerprint { get; init; }
        public required string? KeyNotice { get; init; }
        public required string ReviewPath { get; init; }
        /// <summary>
        /// <see cref="SettingsText"/> of the config's settings, when the caller started it early (a build does, beside its
        /// start, which runs on one core); computed here otherwise.
        /// </summary>
        public Task<string>? Settings { get; init; }
    }

    /// <summary>The settings as the digest holds them: their JSON, the pipeline file by full path.</summary>
    public static string SettingsText(PipelineSettings settings) =>
        JsonSerializer.Serialize(settings with { File = settings.File.Length == 0 ? "" : Path.GetFullPath(settings.File) }, MemoJson.Default.PipelineSettings);

    public static string Digest(Inputs x)
    {
        var config = x.Config;
        var settings = config.Settings;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) { hash.AppendData(Encoding.UTF8.GetBytes(text)); hash.AppendData([0]); }
        // By full path: the same project named from another folder (a relative --pipeline) is the same input.
        void AddFile(string path)
        {
            var full = Path.GetFullPath(path);
            Add(File.Exists(full) ? $"{full}:{Fingerprints.OfFile(full)}" : $"{full}:absent");
        }
        Add("benchmark-memo/1");
        Add(Fingerprints.ToolVersion);
        foreach (var (key, fingerprint) in x.Items) Add($"{key}={fingerprint}");
        foreach (var r in x.DiscoveryRejects) Add(string.Join('\u0001', r.Key, r.SourceId, r.Path, r.Stage, r.Reason, r.Message, r.Item ?? ""));
        foreach (var (k, v) in x.Ignored.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add($"ignored {k}={v}");
        foreach (var (k, v) in x.DiscoveryRejectCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add($"discovery-rejects {k}={v}");
        foreach (var s in config.Sources.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            Add(string.Join('\u0001', s.Id, s.Root, s.Name, s.License, s.Citation ?? "", s.Homepage ?? "", s.Modality, s.Task, s.Layout.Name,
                s.Layout.NamesPatientGroups(s) ? "groups" : "no-groups", string.Join('\u0002', s.Departments)));
            foreach (var (raw, label) in s.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add($"label {raw}={label}");
        }
        foreach (var i in config.SourceIssues) Add(string.Join('\u0001', i.File, i.Line, i.Field, i.Message));
        Add(config.SourcesFingerprint);
        Add(config.Taxonomy.Fingerprint);
        AddFile(config.Paths.Pipeline);
        Add(x.Settings?.GetAwaiter().GetResult() ?? SettingsText(settings));
        Add(x.PatientKeyFingerprint);
        Add(x.KeyNotice ?? "");
        AddFile(x.ReviewPath);
        // The release history: each published version's private item list (indices, options and splits carried forward).
        foreach (var version in ReleaseWriter.Published(settings.Release, settings.Name))
            AddFile(Path.Combine(ReleaseWriter.ReleaseFolder(settings.Release, settings.Name, version.ToString()), ReleaseItems.FileName));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The saved result when it was made from <paramref name="digest"/>; null when absent, stale or unreadable.</summary>
    public static (List<Question> Questions, BuildReport Report)? Read(string path, string digest)
    {
        if (!File.Exists(path)) return null;
        try
        {
            // One read and a synchronous parse of the bytes: the stream overload's buffering costs more than the file.
            var saved = JsonSerializer.Deserialize(File.ReadAllBytes(path), MemoJson.Default.SavedMemo);
            return saved is not null && saved.Digest == digest ? (saved.Questions, saved.Report) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;   // a damaged memo only costs the stages it would have saved
        }
    }

    public static void Forget(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    public static void Save(string path, string digest, IReadOnlyList<Question> questions, BuildReport report)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
            JsonSerializer.Serialize(stream, new SavedMemo(digest, [.. questions], report), MemoJson.Default.SavedMemo);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>What <see cref="BenchmarkMemo"/> keeps: the digest and the result it stands for.</summary>
internal sealed record SavedMemo(string Digest, List<Question> Questions, BuildReport Report);

/// <summary>
/// Compile-time JSON for the memo and the settings digest: a no-op rebuild reads a few thousand items, and reflection
/// would spend most of its time building serialisers it uses once.
/// </summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(SavedMemo))]
[System.Text.Json.Serialization.JsonSerializable(typeof(PipelineSettings))]
internal sealed partial class MemoJson : System.Text.Json.Serialization.JsonSerializerContext;

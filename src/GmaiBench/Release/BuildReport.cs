using System.Text.Json.Serialization;
using GmaiBench.Configuration;
using GmaiBench.Curation;
using GmaiBench.Taxonomy;
using GmaiBench.Model;
using GmaiBench.Review;

namespace GmaiBench.Release;

/// <summary>Per-source accounting: every discovered input ends emitted or rejected.</summary>
public sealed record SourceSummary(string Id, string Layout, int Discovered, int Emitted, int Rejected, int Questions, int Ignored)
{
    /// <summary>Inputs the label cap did not need, never decoded (<c>--full-scan</c> decodes them); written only when some are.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NotSampled { get; init; }
}

/// <summary>Items of a source asked under another task than the source declares (a region's label has its own task).</summary>
public sealed record TaskMove(string Source, string SourceTask, string Task, int Items);

/// <summary>
/// The build report: inputs discovered, items emitted, rejects grouped by reason with every rejected file,
/// pixel work done and reused, duplicate clusters, distributions. <see cref="Unaccounted"/> must be 0.
/// </summary>
public sealed record BuildReport
{
    public required string Name { get; init; }
    public required string ToolVersion { get; init; }
    public required IReadOnlyDictionary<string, string> Fingerprints { get; init; }
    public required IReadOnlyList<ConfigIssue> ConfigIssues { get; init; }
    public required IReadOnlyList<string> RejectedSources { get; init; }
    public required IReadOnlyList<SourceSummary> Sources { get; init; }
    public int InputsDiscovered { get; init; }
    public int ItemsEmitted { get; init; }
    public int InputsRejected { get; init; }
    /// <summary>
    /// Inputs of a candidate pool beyond what the label cap needed (seeded order; see <c>CandidatePool</c>): not decoded,
    /// not rejected, counted here. Written only when some are.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NotSampled { get; init; }
    /// <summary>Inputs neither emitted, rejected nor left unsampled: a defect if ever non-zero.</summary>
    public int Unaccounted { get; init; }
    public int IgnoredFiles { get; init; }
    /// <summary>
    /// Items whose pixels were decoded in this run. Not written to the report files: what a run did is not part of what
    /// it built (a rebuild, a merge of shards and a cold build of the same inputs write the same bytes); the console and the
    /// catalog's run log carry it.
    /// </summary>
    [JsonIgnore] public int Decoded { get; init; }
    /// <summary>Items whose earlier result (same fingerprint) was reused without decoding (console and run log only).</summary>
    [JsonIgnore] public int Reused { get; init; }
    public int Questions { get; init; }
    public IReadOnlyDictionary<string, int> Splits { get; init; } = new Dictionary<string, int>();
    public required IReadOnlyDictionary<string, int> RejectsByReason { get; init; }
    public required IReadOnlyList<Reject> Rejects { get; init; }
    public IReadOnlyList<DuplicateCluster> DuplicateClusters { get; init; } = [];
    public IReadOnlyList<UnmappedLabel> UnmappedLabels { get; init; } = [];
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Distributions { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Task rule: a whole image keeps its source's task; a marked region takes its label's task. These moved.</summary>
    public IReadOnlyList<TaskMove> TaskMoves { get; init; } = [];
    /// <summary>Achieved against the pipeline's composition targets (<c>curation.targets</c>); null when it states none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CompositionRow>? Composition { get; init; }
    public ShortcutAudit Audit { get; init; } = new();
    /// <summary>What the review file did: coverage per split, disagreements, lapsed decisions.</summary>
    public ReviewSummary Review { get; init; } = new();
    public IReadOnlyList<string> Outputs { get; init; } = [];
}

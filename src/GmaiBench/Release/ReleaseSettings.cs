namespace GmaiBench.Release;

/// <summary>Release layout limits: Parquet shards and row groups (Hugging Face), TSV parts (VLMEvalKit).</summary>
public sealed record ReleaseSettings
{
    /// <summary>Where releases go: <c>&lt;root&gt;/&lt;name&gt;/&lt;version&gt;/</c>.</summary>
    public string Root { get; init; } = "releases";
    /// <summary>Largest uncompressed Parquet shard, bytes (the datasets library's MAX_SHARD_SIZE is 500 MB).</summary>
    public long ShardBytes { get; init; } = 500L * 1000 * 1000;
    /// <summary>Largest row group, bytes of image data (the Hub's viewer refuses row groups near 300 MB).</summary>
    public long RowGroupBytes { get; init; } = 100L * 1000 * 1000;
    /// <summary>Largest TEST TSV part, bytes (VLMEvalKit rewrites TSVs over 1 GB locally).</summary>
    public long TsvPartBytes { get; init; } = 1000L * 1000 * 1000 - 1;
    public string? PrettyName { get; init; }
    /// <summary>
    /// Smallest share of each split's items a reviewer must have accepted (0..1) for a release to be written; 0 asks for
    /// no review.
    /// </summary>
    public double RequireReview { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = ["medical", "visual-question-answering", "multiple-choice", "gmai-mmbench"];
}

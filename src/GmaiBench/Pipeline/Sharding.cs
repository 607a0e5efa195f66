using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GmaiBench.Configuration;
using GmaiBench.Model;

namespace GmaiBench.Pipeline;

/// <summary>
/// One shard of a sharded build: <see cref="Index"/> counts from 0 to <see cref="Count"/> − 1, like Slurm's
/// <c>SLURM_ARRAY_TASK_ID</c> (with <c>--array=0-(N-1)</c>) and a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c>.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>The environment variables an index is read from when <c>--shard</c> says <c>auto/N</c>, in this order.</summary>
    public static readonly string[] IndexVariables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>
    /// Parses <c>K/N</c>, or <c>auto/N</c> (K from <see cref="IndexVariables"/>). Errors say what was wrong in the words
    /// of the option, so a job script's typo is plain in its log.
    /// </summary>
    public static ShardSpec Parse(string text, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var parts = text.Split('/');
        if (parts.Length != 2)
            throw new ArgumentException($"--shard '{text}' is not K/N (e.g. 0/4, or auto/4 to read K from {string.Join(" or ", IndexVariables)})");
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > 100_000)
            throw new ArgumentException($"--shard '{text}': N must be a whole number from 1 to 100000");
        string indexText = parts[0];
        var from = "--shard";
        if (parts[0] == "auto")
        {
            var variable = IndexVariables.FirstOrDefault(v => !string.IsNullOrEmpty(environment(v)))
                ?? throw new ArgumentException($"--shard auto/{count}: none of {string.Join(", ", IndexVariables)} is set, so the shard index is unknown");
            indexText = environment(variable)!;
            from = variable;
        }
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new ArgumentException($"{from} '{indexText}' is not a shard index (a whole number from 0)");
        if (index >= count)
            throw new ArgumentException($"{from} {index} is out of range for {count} shard(s): indices count from 0 to {count - 1}");
        return new ShardSpec(index, count);
    }
}

/// <summary>
/// Which shard does each item's pixel work. Items in key order are cut into <c>N</c> contiguous runs of about equal
/// input bytes: every machine that discovers the same inputs computes the same plan, a source's items stay together
/// (their series and label maps sit side by side on disk), and adding one input moves only items at a run's edge.
/// </summary>
public static class ShardPlan
{
    /// <param name="sizes">Input bytes per item, in item-key order.</param>
    /// <returns>The shard index of each item (non-decreasing).</returns>
    public static int[] Assign(IReadOnlyList<long> sizes, int count)
    {
        var result = new int[sizes.Count];
        if (count <= 1 || sizes.Count == 0) return result;
        // Every item weighs at least one byte, so a corpus of empty files still spreads evenly.
        Int128 total = 0;
        foreach (var s in sizes) total += Math.Max(1, s);
        Int128 before = 0;
        for (var i = 0; i < sizes.Count; i++)
        {
            var size = Math.Max(1, sizes[i]);
            // The shard whose share of the bytes holds this item's midpoint.
            var shard = (int)((2 * before + size) * count / (2 * total));
            result[i] = Math.Min(count - 1, shard);
            before += size;
        }
        return result;
    }
}

/// <summary>
/// What a finished shard leaves in its area (<c>shard.json</c>, written last, temp-then-rename): which shard of how many,
/// by which gmai, and what it did. A merge takes only a shard that wrote it; whether its work is for these inputs and
/// settings is decided item by item, by fingerprint.
/// </summary>
public sealed record ShardManifest
{
    [JsonPropertyName("tool_version")] public required string ToolVersion { get; init; }
    [JsonPropertyName("shard")] public required int Index { get; init; }
    [JsonPropertyName("shards")] public required int Count { get; init; }
    [JsonPropertyName("items")] public required int Items { get; init; }
    [JsonPropertyName("input_bytes")] public required long InputBytes { get; init; }
    [JsonPropertyName("decoded")] public required int Decoded { get; init; }
    [JsonPropertyName("reused")] public required int Reused { get; init; }
    [JsonPropertyName("rejected")] public required int Rejected { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The manifest at <paramref name="path"/>, or null when the shard never finished there.</summary>
    public static ShardManifest? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ShardManifest>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ConfigException([new ConfigIssue(path, 0, "shard", $"the shard manifest is damaged ({e.Message}); re-run the shard")]); }
    }
}

/// <summary>A merge could not go ahead: a shard is missing, unfinished or from other inputs or settings.</summary>
public sealed class ShardMergeException(string message) : Exception(message);

using System.Text.Json;
using System.Text.Json.Serialization;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>One file of a release with its size and sha256.</summary>
public sealed record ReleaseFile(string Path, long Size, string Sha256);

/// <summary>
/// <c>manifest.json</c>: what a release is (name, version, fingerprints of every input and of the tool), what it
/// holds (counts per split by task, department, modality and granularity) and the checksum of every other file.
/// No timestamps or host names: two builds of the same inputs give the same manifest.
/// </summary>
public sealed record ReleaseManifest
{
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required string Version { get; init; }
    public string? PreviousVersion { get; init; }
    public required IReadOnlyDictionary<string, string> Fingerprints { get; init; }
    public required IReadOnlyDictionary<string, int> Splits { get; init; }
    /// <summary>Hub config (<see cref="ReleaseConfig"/>) -> split -> items; the configs' items add up to <see cref="Splits"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Configs { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, int>>();
    /// <summary>split -> subject -> value -> items.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> Counts { get; init; }
    /// <summary>Folders of the release that are never uploaded (the TEST answer key).</summary>
    public IReadOnlyList<string> Private { get; init; } = ["private/"];
    public required IReadOnlyList<ReleaseFile> Files { get; init; }

    public const string FileName = "manifest.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public static ReleaseManifest Read(string folder) =>
        JsonSerializer.Deserialize<ReleaseManifest>(File.ReadAllText(Path.Combine(folder, FileName)), Json)
        ?? throw new InvalidDataException($"{Path.Combine(folder, FileName)} is empty");
}

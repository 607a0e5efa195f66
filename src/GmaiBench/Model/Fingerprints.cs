using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GmaiBench.Model;

/// <summary>sha256 fingerprints of what made a result: content hashes, parameters, code versions.</summary>
public static class Fingerprints
{
    public static string Of(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u0001', parts))));

    /// <summary>Stable JSON of a settings record, for fingerprints.</summary>
    public static string Canonical<T>(T value) => JsonSerializer.Serialize(value);

    public static string OfFile(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    /// <summary>The tool version written into manifests and fingerprints.</summary>
    public static string ToolVersion { get; } =
        typeof(Fingerprints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}

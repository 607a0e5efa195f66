using System.Security.Cryptography;
using System.Text;

namespace GmaiBench.Model;

/// <summary>
/// Patient group keys as kept in the catalog and used by the split: HMAC-SHA-256 of the raw key (a Patient ID, a table's
/// patient column, a group_pattern match) under a project secret, so no stored value can be matched against a list of
/// MRNs without the secret. Every machine and shard of a build must use the same secret for the same splits and bytes;
/// <see cref="Fingerprint"/> (a hash of the secret, not the secret) is what a release records to detect another secret.
/// </summary>
public sealed class PatientKeys
{
    private readonly byte[] _secret;

    public PatientKeys(byte[] secret)
    {
        if (secret.Length < 16) throw new ArgumentException("the patient-key secret must be at least 16 bytes", nameof(secret));
        _secret = secret.ToArray();
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData([.. "gmai-patient-key/1"u8, .. _secret]))[..16];
    }

    /// <summary>Identifies the secret (16 hex digits of a hash of it); reveals nothing of any patient key.</summary>
    public string Fingerprint { get; }

    /// <summary>The keyed hash of <paramref name="raw"/>: 16 hex digits (64 bits).</summary>
    public string Hash(string raw) => Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(raw)))[..16];

    /// <summary>A source's group key, as stored: <c>&lt;source&gt;/g-&lt;hash&gt;</c>.</summary>
    public string Group(string sourceId, string rawGroup) => $"{sourceId}/g-{Hash(rawGroup)}";
}

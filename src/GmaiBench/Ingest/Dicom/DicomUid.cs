using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GmaiBench.Ingest.Dicom;

/// <summary>Deterministic DICOM UIDs: the same seed gives the same UID on every run and machine.</summary>
public static class DicomUid
{
    /// <summary>
    /// "2.25." followed by a UUID written as one decimal integer (DICOM PS3.5 B.2). The UUID is the first 16 bytes of
    /// SHA-256 of the seed (UTF-8) with the version and variant bits of a custom, name-derived UUID (RFC 9562 version 8),
    /// so the UID is valid, at most 44 characters, and never random.
    /// </summary>
    public static string FromSeed(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var value = BinaryPrimitives.ReadUInt128BigEndian(hash[..16]);
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }
}

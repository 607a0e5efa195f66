using System.Security.Cryptography;
using GmaiBench.Model;

namespace GmaiBench.Catalog;

/// <summary>
/// Content-addressed files on disk (<c>objects/ab/abcdef….png</c>): the name is the sha256 of the bytes,
/// so parallel writers and shards never collide and a rebuild never rewrites what it already has.
/// </summary>
public sealed class ObjectStore(string root) : IObjectStore
{
    public string Root { get; } = root;

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public string PathOf(string sha, string extension = ".png") => System.IO.Path.Combine(Root, sha[..2], sha + extension);

    /// <summary>Stores the bytes (once) and returns their sha256.</summary>
    public string Put(byte[] bytes) => Put(bytes, ".png");

    public byte[] Get(string sha) => Get(sha, ".png");

    public string Put(byte[] bytes, string extension)
    {
        var sha = Sha256(bytes);
        var path = PathOf(sha, extension);
        if (File.Exists(path)) return sha;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        // A name no other writer uses: shards on other machines of a shared folder may have the same process id.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        return sha;
    }

    public bool Contains(string sha, string extension = ".png") => File.Exists(PathOf(sha, extension));

    /// <summary>Reads an object back, verifying its hash so a damaged store is noticed, not shipped.</summary>
    public byte[] Get(string sha, string extension)
    {
        var bytes = File.ReadAllBytes(PathOf(sha, extension));
        if (Sha256(bytes) != sha) throw new InvalidDataException($"object {sha} in {Root} is damaged (its content hash differs)");
        return bytes;
    }
}

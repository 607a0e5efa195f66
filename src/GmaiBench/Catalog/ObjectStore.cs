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
        if (Sha256(bytes) != sha) throw Damaged(sha);
        return bytes;
    }

    /// <summary>The object's size from the file system: no byte of it is read.</summary>
    public long SizeOf(string sha) => new FileInfo(PathOf(sha)).Length;

    /// <summary>The object as a stream that hashes what is read and, at its end, throws when the hash is not <paramref name="sha"/>.</summary>
    public Stream OpenRead(string sha) =>
        new HashCheckingStream(new FileStream(PathOf(sha), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan), sha, () => Damaged(sha));

    private InvalidDataException Damaged(string sha) => new($"object {sha} in {Root} is damaged (its content hash differs)");

    /// <summary>A read-only stream over <paramref name="inner"/> that checks its sha256 once the end is reached.</summary>
    private sealed class HashCheckingStream(Stream inner, string sha, Func<Exception> damaged) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private bool _checked;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            if (n > 0) _hash.AppendData(buffer[..n]);
            else if (!_checked && buffer.Length > 0)
            {
                _checked = true;
                if (Convert.ToHexStringLower(_hash.GetHashAndReset()) != sha) throw damaged();
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) { inner.Dispose(); _hash.Dispose(); }
            base.Dispose(disposing);
        }
    }
}

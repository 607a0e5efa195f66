namespace GmaiBench.Model;

/// <summary>Content-addressed image storage: stages put PNG bytes and get their sha256; writers read them back by it.</summary>
public interface IObjectStore
{
    /// <summary>Stores the bytes (once) and returns their sha256.</summary>
    string Put(byte[] bytes);

    /// <summary>The bytes stored under <paramref name="sha"/>, checked against it.</summary>
    byte[] Get(string sha);

    /// <summary>
    /// The size in bytes of what <see cref="Get"/> would return, without reading it: writers plan shards, row groups and
    /// parts from sizes alone, so planning holds no image in memory.
    /// </summary>
    long SizeOf(string sha) => Get(sha).LongLength;

    /// <summary>
    /// The stored bytes as a stream, for writers that copy an image straight into a file. Reading it to the end checks the
    /// bytes against <paramref name="sha"/> as <see cref="Get"/> does (an <see cref="InvalidDataException"/> at the end when
    /// they differ), so a damaged object is noticed before the file it went into is published.
    /// </summary>
    Stream OpenRead(string sha) => new MemoryStream(Get(sha), writable: false);
}

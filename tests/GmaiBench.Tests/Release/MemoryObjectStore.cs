using GmaiBench.Model;

namespace GmaiBench.Tests.Release;

/// <summary>An object store over a dictionary of images by name, for writer tests that need no work folder.</summary>
public sealed class MemoryObjectStore(IReadOnlyDictionary<string, byte[]> images) : IObjectStore
{
    public string Put(byte[] bytes) => throw new NotSupportedException("a read-only test store");

    public byte[] Get(string sha) => images[sha];
}

using System.Buffers;

namespace GmaiBench.Imaging;

/// <summary>
/// The pool for the large scratch arrays of slice rendering and PNG encoding (planes of doubles, pixels, deflate tables):
/// one per element type, shared by every thread, at most four arrays of each size kept. <see cref="ArrayPool{T}.Shared"/>
/// keeps arrays per thread and per core, so a build whose pool threads each rendered a few slices held several megabytes
/// per thread for its whole life (about 50 MB in a CT build of two jobs); here what is kept is bounded by how many renders
/// run at once, and <see cref="PixelMemory.Release"/> drops it when the pixel work is done.
/// </summary>
internal static class ScratchPool<T>
{
    private static ArrayPool<T> _shared = Create();

    static ScratchPool() => PixelMemory.OnRelease(() => Volatile.Write(ref _shared, Create()));

    /// <summary>Arrays up to 16M elements are pooled (a 4096 x 4096 plane); larger ones are allocated and dropped.</summary>
    public static ArrayPool<T> Shared => Volatile.Read(ref _shared);

    private static ArrayPool<T> Create() => ArrayPool<T>.Create(1 << 24, 4);
}

/// <summary>
/// Memory the pixel work keeps for reuse (the scratch pools, ImageSharp's pool) and the garbage it leaves: handed back
/// once a build's pixel stages are done, so the whole-benchmark stages and the writers start from what the process
/// really holds rather than from the pixel work's high-water mark (measured on a 12-volume CT build: the writers then
/// added 5-10 MiB on top of the decoding peak).
/// </summary>
public static class PixelMemory
{
    private static readonly List<Action> Releases = [];

    internal static void OnRelease(Action release)
    {
        lock (Releases) Releases.Add(release);
    }

    /// <summary>Drops what the pools keep (later rents allocate afresh) and compacts the heap. Call with no pixel work running.</summary>
    public static void Release()
    {
        Action[] releases;
        lock (Releases) releases = [.. Releases];
        foreach (var release in releases) release();
        SixLabors.ImageSharp.Configuration.Default.MemoryAllocator.ReleaseRetainedResources();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}

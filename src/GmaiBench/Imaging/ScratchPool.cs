using System.Buffers;

namespace GmaiBench.Imaging;

/// <summary>
/// The pool for the large scratch arrays of slice rendering and PNG encoding (planes of doubles, pixels, deflate tables):
/// one per element type, shared by every thread, at most four arrays of each size kept. <see cref="ArrayPool{T}.Shared"/>
/// keeps arrays per thread and per core, so a build whose pool threads each rendered a few slices held several megabytes
/// per thread for its whole life (about 50 MB in a CT build of two jobs); here what is kept is bounded by how many renders
/// run at once.
/// </summary>
internal static class ScratchPool<T>
{
    /// <summary>Arrays up to 16M elements are pooled (a 4096 x 4096 plane); larger ones are allocated and dropped.</summary>
    public static ArrayPool<T> Shared { get; } = ArrayPool<T>.Create(1 << 24, 4);
}

namespace GmaiBench.Release;

/// <summary>
/// Where the writers and the verifier hand a large block of memory back. A Parquet row group held whole (its images, and
/// Parquet.Net's page and compression buffers, each about as large as the group: only where the image column cannot be
/// streamed, see <see cref="ParquetPages.StreamedImageColumn"/>) and a TSV row's text live on the large
/// object heap, which the runtime collects only when that heap's budget is spent, and whose freed memory it keeps
/// committed for later: left alone, the garbage of several row groups piles up (measured on a 600-image release:
/// resident memory grew by about two row groups' size per group written or verified). An aggressive blocking
/// collection (which also returns the freed memory) once a group is written and dropped keeps the process at about
/// one group's worth; it costs tens of milliseconds against the second or so a 100 MB group takes to read, compress and
/// write.
/// </summary>
internal static class ReleaseMemory
{
    public static void AfterLargeBlock() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}

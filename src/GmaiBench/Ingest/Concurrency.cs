namespace GmaiBench.Ingest;

/// <summary>
/// The two shapes of parallel work inside one item: two independent reads at once, and a list of independent pieces
/// whose results keep their input order. Results never depend on the degree of parallelism: output order is fixed by
/// index, and a failure is reported as the serial code would have reported it (the first failing piece in order).
/// </summary>
public static class Concurrency
{
    /// <summary>
    /// Runs <paramref name="first"/> on this thread and <paramref name="second"/> beside it when <paramref name="parallel"/>.
    /// If both fail, the first one's exception is thrown, as in serial order; the second is always awaited.
    /// </summary>
    public static (T1, T2) Both<T1, T2>(Func<T1> first, Func<T2> second, bool parallel)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!parallel) return (first(), second());
        var other = Task.Run(second);
        T1 a;
        try
        {
            a = first();
        }
        catch
        {
            try { other.Wait(); }
            catch (AggregateException) { /* the first failure wins, as in serial order */ }
            throw;
        }
        return (a, other.GetAwaiter().GetResult());
    }

    /// <summary>
    /// <paramref name="map"/> over indices 0..count-1 with at most <paramref name="degree"/> at once; results in index order.
    /// If pieces fail, the exception of the lowest failing index is thrown.
    /// </summary>
    public static T[] Map<T>(int count, int degree, Func<int, T> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var results = new T[count];
        if (degree <= 1 || count <= 1)
        {
            for (var i = 0; i < count; i++) results[i] = map(i);
            return results;
        }
        var failures = new Exception?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = degree }, i =>
        {
            try { results[i] = map(i); }
            catch (Exception e) { failures[i] = e; }
        });
        var failed = Array.FindIndex(failures, f => f is not null);
        if (failed >= 0) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failures[failed]!).Throw();
        return results;
    }
}

using GmaiBench.Pipeline;
using GmaiBench.Ingest;

namespace GmaiBench.Tests.Pipeline;

public class ConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void Map_keeps_index_order_whatever_the_degree(int degree)
    {
        var results = Concurrency.Map(200, degree, i =>
        {
            if (i % 7 == 0) Thread.Sleep(1);   // let later pieces finish first
            return i * i;
        });
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * i), results);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Map_reports_the_lowest_failing_index_as_serial_code_would(int degree)
    {
        var e = Assert.Throws<InvalidDataException>(() => Concurrency.Map(50, degree, i =>
        {
            if (i == 40) throw new InvalidDataException("piece 40");
            if (i == 13) { Thread.Sleep(20); throw new InvalidDataException("piece 13"); }
            return i;
        }));
        Assert.Equal("piece 13", e.Message);
    }

    [Fact]
    public void Both_runs_the_two_at_once_and_returns_both()
    {
        using var bothStarted = new Barrier(2);
        // Each side waits for the other: this only completes if they really run at the same time.
        var (a, b) = Concurrency.Both(
            () => bothStarted.SignalAndWait(TimeSpan.FromSeconds(10)) ? "image" : "timed out",
            () => bothStarted.SignalAndWait(TimeSpan.FromSeconds(10)) ? "labels" : "timed out",
            parallel: true);
        Assert.Equal(("image", "labels"), (a, b));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Both_throws_the_first_failure_when_both_fail_and_the_second_when_only_it_fails(bool parallel)
    {
        var first = Assert.Throws<InvalidDataException>(() => Concurrency.Both<int, int>(
            () => throw new InvalidDataException("image"), () => throw new IOException("labels"), parallel));
        Assert.Equal("image", first.Message);
        var second = Assert.Throws<IOException>(() => Concurrency.Both<int, int>(() => 1, () => throw new IOException("labels"), parallel));
        Assert.Equal("labels", second.Message);
    }
}

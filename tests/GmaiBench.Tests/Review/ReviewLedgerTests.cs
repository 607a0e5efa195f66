using GmaiBench.Review;

namespace GmaiBench.Tests.Review;

/// <summary>The review file's lines and the standing decisions they make, on literal lines.</summary>
public class ReviewLedgerTests
{
    private static ReviewDecision D(string item, string reviewer, string verdict, string time, string reason = "") =>
        new() { Item = item, Reviewer = reviewer, Verdict = verdict, Time = time, Reason = reason };

    private static ReviewLedger LedgerOf(string path) => new(ReviewFile.Read(path).Lines);

    private static string Write(params ReviewDecision[] decisions)
    {
        var path = Path.Combine(TestData.TempDir("review-ledger"), "r.jsonl");
        foreach (var d in decisions) ReviewFile.Append(path, d);
        return path;
    }

    [Fact]
    public void The_latest_standing_decision_of_any_reviewer_wins_and_disagreement_is_seen()
    {
        var path = Write(
            D("x", "alice", "accept", "2026-01-01T10:00:00.000Z"),
            D("x", "bob", "reject", "2026-01-01T11:00:00.000Z", "wrong answer"),
            D("y", "alice", "flag", "2026-01-01T10:00:00.000Z"));
        var ledger = LedgerOf(path);
        Assert.Equal(new ReviewState("reject", "bob", "wrong answer", "2026-01-01T11:00:00.000Z"), ledger.Current("x"));
        Assert.True(ledger.Disagrees("x"));
        Assert.Equal(["alice", "bob"], ledger.ByReviewer("x").Keys);
        Assert.Equal("flag", ledger.Current("y")!.Verdict);
        Assert.False(ledger.Disagrees("y"));
        Assert.Null(ledger.Current("z"));
    }

    [Fact]
    public void Undo_withdraws_the_reviewers_own_latest_decision_only()
    {
        var path = Write(
            D("x", "alice", "flag", "2026-01-01T10:00:00.000Z"),
            D("x", "alice", "reject", "2026-01-01T10:01:00.000Z", "blank"),
            D("x", "bob", "accept", "2026-01-01T10:02:00.000Z"),
            D("x", "alice", "undo", "2026-01-01T10:03:00.000Z"));
        var ledger = LedgerOf(path);
        // Alice's reject is gone (her flag stands again, and it is older than Bob's accept).
        Assert.Equal("flag", ledger.ByReviewer("x")["alice"].Verdict);
        Assert.Equal("accept", ledger.Current("x")!.Verdict);
        var path2 = Write(D("x", "alice", "accept", "2026-01-01T10:00:00.000Z"), D("x", "alice", "undo", "2026-01-01T10:00:01.000Z"));
        Assert.Null(LedgerOf(path2).Current("x"));
    }

    [Fact]
    public void Line_order_does_not_matter_even_for_equal_times()
    {
        var lines = new[]
        {
            D("x", "alice", "accept", "2026-01-01T10:00:00.000Z"),
            D("x", "bob", "reject", "2026-01-01T10:00:00.000Z", "misaligned"),
            D("x", "alice", "reject", "2026-01-01T10:00:00.000Z", "blank"),
            D("y", "carol", "flag", "2026-01-01T09:00:00+00:00"),
            D("y", "carol", "accept", "2026-01-01T10:00:00+01:00"),
        };
        var expected = LedgerOf(Write(lines));
        var rng = new Random(7);
        for (var k = 0; k < 20; k++)
        {
            var ledger = LedgerOf(Write([.. lines.OrderBy(_ => rng.Next())]));
            Assert.Equal(expected.Current("x"), ledger.Current("x"));
            Assert.Equal(expected.Current("y"), ledger.Current("y"));
            Assert.Equal(expected.ByReviewer("x"), ledger.ByReviewer("x"));
        }
        // 10:00+01:00 is 09:00 UTC, which ties with the flag: the tie goes by reviewer, then by the line's text.
        Assert.Equal("flag", expected.Current("y")!.Verdict);
    }

    [Fact]
    public void A_line_that_is_not_a_decision_is_named_and_skipped()
    {
        var path = Write(D("x", "alice", "accept", "2026-01-01T10:00:00.000Z"));
        File.AppendAllText(path, "<<<<<<< HEAD\n{\"item\":\"x\",\"reviewer\":\"bob\",\"verdict\":\"maybe\",\"time\":\"2026-01-01T10:00:00Z\"}\n\n");
        var (lines, problems) = ReviewFile.Read(path);
        Assert.Single(lines);
        Assert.Equal(2, problems.Count);
        Assert.Contains("line 2", problems[0]);
        Assert.Contains("maybe", problems[1]);
    }

    [Fact]
    public void A_decision_is_one_compact_json_line_with_its_fields_named()
    {
        var line = ReviewFile.Line(D("abc", "alice", "reject", "2026-01-01T10:00:00.000Z", "mark \"off\""));
        Assert.Equal("{\"item\":\"abc\",\"reviewer\":\"alice\",\"verdict\":\"reject\",\"reason\":\"mark \\\"off\\\"\",\"time\":\"2026-01-01T10:00:00.000Z\"}", line);
    }
}

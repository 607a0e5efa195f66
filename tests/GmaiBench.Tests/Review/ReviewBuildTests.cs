using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Review;

namespace GmaiBench.Tests.Review;

/// <summary>A review file applied by the build: rejects with reasons, coverage, disagreements, merge order, require_review.</summary>
public class ReviewBuildTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    private static ReviewDecision D(Model.Question q, string reviewer, string verdict, string time, string reason = "") =>
        new() { Item = ReviewFingerprint.Of(q), Index = q.Index, Reviewer = reviewer, Verdict = verdict, Time = time, Reason = reason };

    [Fact]
    public void A_review_file_from_two_reviewers_merged_in_any_line_order_gives_byte_identical_build_output()
    {
        var project = corpus.NewProject("review-merge");
        var first = project.Build();
        var settings = first.Config.Settings;
        var qs = first.Questions;
        var path = ReviewFile.PathFor(settings.ReviewsDir, settings.Name);
        Assert.Equal(Path.Combine(project.Root, "reviews", "gmai-demo.jsonl"), path);
        // Alice accepts the first 12 items and rejects item 3; Bob, later, rejects item 0 (they disagree) and accepts item 3
        // at the same instant as Alice's reject (the tie goes to the reviewer name), and flags item 20.
        foreach (var q in qs.Take(12).Where(q => q != qs[3])) ReviewFile.Append(path, D(q, "alice", "accept", "2026-03-01T09:00:00.000Z"));
        ReviewFile.Append(path, D(qs[3], "alice", "reject", "2026-03-01T09:05:00.000Z", "mark misaligned with the target"));
        ReviewFile.Append(path, D(qs[3], "bob", "accept", "2026-03-01T09:05:00.000Z"));
        ReviewFile.Append(path, D(qs[0], "bob", "reject", "2026-03-01T10:00:00.000Z", "wrong answer"));
        ReviewFile.Append(path, D(qs[20], "bob", "flag", "2026-03-01T10:00:00.000Z", "check the distractors"));
        ReviewFile.Append(path, new ReviewDecision { Item = "gone", Reviewer = "bob", Verdict = "accept", Time = "2026-03-01T10:00:00.000Z" });

        var reviewed = project.Build();
        var dir = Workflows.WriteBuildOutputs(reviewed);
        var expected = Files(dir);
        var report = reviewed.Report;

        // Bob's reject of item 0 is the latest decision on it; item 3's two decisions tie in time and "bob" sorts last.
        var reject = Assert.Single(report.Rejects, r => r.Reason == ReviewApplication.RejectReason);
        Assert.Equal(qs[0].Key, reject.Key);
        Assert.Contains("bob", reject.Message);
        Assert.Contains("wrong answer", reject.Message);
        Assert.DoesNotContain(reviewed.Questions, q => q.Key == qs[0].Key);
        Assert.Equal(qs.Count - 1, reviewed.Questions.Count);
        Assert.All(reviewed.Questions, q => Assert.Equal(qs.Single(p => p.Key == q.Key).Index, q.Index));
        Assert.Equal(0, report.Unaccounted);
        Assert.Equal(report.InputsDiscovered, report.ItemsEmitted + report.InputsRejected);

        var review = report.Review;
        Assert.Equal(["alice", "bob"], review.Reviewers);
        Assert.Equal(1, review.Lapsed);
        Assert.Equal(qs.Count, review.Splits.Values.Sum(s => s.Items));
        Assert.Equal(1, review.Splits.Values.Sum(s => s.Rejected));
        Assert.Equal(1, review.Splits.Values.Sum(s => s.Flagged));
        Assert.Equal(11, review.Splits.Values.Sum(s => s.Accepted));
        Assert.Equal([qs[0].Index, qs[3].Index], review.Disagreements.Select(d => d.Index));
        var md = File.ReadAllText(Path.Combine(dir, "build-report.md"));
        Assert.Contains("## Review (reviews/gmai-demo.jsonl)", md);
        Assert.Contains("Reviewers disagree on 2 item(s)", md);
        Assert.Contains("reviewer-rejected", File.ReadAllText(Path.Combine(dir, "rejects.tsv")));

        // The same lines in other orders (as a git merge may leave them) give the same bytes in every output file.
        var lines = File.ReadAllLines(path);
        var rng = new Random(15);
        foreach (var round in Enumerable.Range(0, 2))
        {
            File.WriteAllLines(path, round == 0 ? lines.Reverse() : lines.OrderBy(_ => rng.Next()));
            var again = Files(Workflows.WriteBuildOutputs(project.Build()));
            Assert.Equal(expected.Keys.Order(), again.Keys.Order());
            foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(again[name]), $"{name} differs after reordering the review file");
        }
    }

    [Fact]
    public void Require_review_refuses_a_release_until_each_split_is_accepted_enough()
    {
        var project = corpus.NewProject("review-release");
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("require_review: 0 ", "require_review: 0.95 "));
        var build = project.Build();
        Assert.Equal(0.95, build.Config.Settings.Release.RequireReview);
        var e = Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0"));
        Assert.Contains("VAL: 0 of", e.Message);
        Assert.Contains("require_review", e.Message);

        // Accept every TEST item and all VAL items but just over 5 %: VAL stays short; rejecting those lets the release through.
        var settings = build.Config.Settings;
        var path = ReviewFile.PathFor(settings.ReviewsDir, settings.Name);
        var val = build.Questions.Where(q => q.Split == "VAL").ToList();
        var open = val.Take(val.Count / 20 + 1).ToList();
        foreach (var q in build.Questions.Except(open)) ReviewFile.Append(path, D(q, "alice", "accept", "2026-03-01T09:00:00.000Z"));
        var nearly = project.Build();
        var refused = Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(nearly), "1.0.0"));
        Assert.Contains($"VAL: {val.Count - open.Count} of {val.Count} items accepted", refused.Message);
        Assert.DoesNotContain("TEST:", refused.Message);

        foreach (var q in open) ReviewFile.Append(path, D(q, "bob", "reject", "2026-03-01T09:30:00.000Z", "image unreadable or blank"));
        var done = project.Build();
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(done), "1.0.0");
        var changelog = File.ReadAllText(Path.Combine(folder, "CHANGELOG.md"));
        Assert.Contains("## Review", changelog);
        Assert.Contains("image unreadable or blank", changelog);
    }

    [Fact]
    public void A_decision_follows_the_content_not_the_letters_and_lapses_when_the_content_changes()
    {
        var project = corpus.NewProject("review-fingerprint");
        var q = project.Build().Questions.First(x => !x.Multi && x.Options.Count >= 3);
        var fp = ReviewFingerprint.Of(q);
        var reordered = q with { Options = q.Options.Reverse().ToList(), Answer = ((char)('A' + q.Options.Count - 1 - (q.Answer[0] - 'A'))).ToString(), Split = "X", Index = 999 };
        Assert.Equal(fp, ReviewFingerprint.Of(reordered));
        Assert.NotEqual(fp, ReviewFingerprint.Of(q with { Text = q.Text + " " }));
        Assert.NotEqual(fp, ReviewFingerprint.Of(q with { Options = [.. q.Options.Take(q.Options.Count - 1), "something else"] }));
        Assert.NotEqual(fp, ReviewFingerprint.Of(q with { Case = q.Case with { ImageSha = new string('0', 64) } }));
        var otherAnswer = q with { Answer = q.Answer == "A" ? "B" : "A" };
        Assert.NotEqual(fp, ReviewFingerprint.Of(otherAnswer));
    }
}

using GmaiBench.Model;

namespace GmaiBench.Review;

/// <summary>
/// Review figures of one split. <see cref="Items"/> counts the split's drafted items, reviewer-rejected ones included;
/// <see cref="Coverage"/> is the share of the items that stay (not rejected) that a reviewer accepted. Flagged items
/// wait for a decision and count as not reviewed.
/// </summary>
public sealed record ReviewSplitCoverage(int Items, int Accepted, int Rejected, int Flagged, int Unreviewed)
{
    public int Emitted => Items - Rejected;
    public double Coverage => Emitted == 0 ? 1.0 : (double)Accepted / Emitted;
}

/// <summary>Reviewers who disagree on one item: each one's standing verdict, and the one the build applied.</summary>
public sealed record ReviewDisagreement(int Index, string Key, string Item, IReadOnlyDictionary<string, string> Verdicts, string Applied);

/// <summary>What the review file did to a build; the build report shows it and <c>release.require_review</c> checks it.</summary>
public sealed record ReviewSummary
{
    /// <summary>The file's name (not its folder, so the report does not depend on where the project lives).</summary>
    public string File { get; init; } = "";
    public int Decisions { get; init; }
    public IReadOnlyList<string> Reviewers { get; init; } = [];
    /// <summary>Items named by the file that this build does not have (their content changed, or they left): those decisions lapse.</summary>
    public int Lapsed { get; init; }
    public IReadOnlyDictionary<string, ReviewSplitCoverage> Splits { get; init; } = new SortedDictionary<string, ReviewSplitCoverage>(StringComparer.Ordinal);
    public IReadOnlyList<ReviewDisagreement> Disagreements { get; init; } = [];
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Splits whose coverage is under <paramref name="required"/>, as sentences.</summary>
    public List<string> Shortfalls(double required) =>
        Splits.Where(s => s.Value.Coverage + 1e-12 < required)
            .Select(s => $"{s.Key}: {s.Value.Accepted} of {s.Value.Emitted} items accepted by a reviewer ({s.Value.Coverage:P1}), below release.require_review {required:P1}")
            .ToList();
}

/// <summary>Applies a review file's standing decisions to a build's items: rejected items leave as <c>reviewer-rejected</c> rejects.</summary>
public static class ReviewApplication
{
    public const string RejectReason = "reviewer-rejected";
    public const string Stage = "review";

    public sealed record Outcome(List<Question> Kept, List<Reject> Rejects, ReviewSummary Summary);

    public static Outcome Apply(IReadOnlyList<Question> questions, ReviewLedger ledger, string fileName, IReadOnlyList<string> problems)
    {
        var kept = new List<Question>();
        var rejects = new List<Reject>();
        var disagreements = new List<ReviewDisagreement>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counts = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var q in questions)
        {
            var item = ReviewFingerprint.Of(q);
            seen.Add(item);
            var state = ledger.Current(item);
            if (!counts.TryGetValue(q.Split, out var c)) counts[q.Split] = c = new int[5];
            c[0]++;
            switch (state?.Verdict)
            {
                case Verdicts.Accept: c[1]++; break;
                case Verdicts.Reject: c[2]++; break;
                case Verdicts.Flag: c[3]++; break;
                default: c[4]++; break;
            }
            if (ledger.Disagrees(item))
                disagreements.Add(new ReviewDisagreement(q.Index, q.Key, item,
                    new SortedDictionary<string, string>(ledger.ByReviewer(item).ToDictionary(x => x.Key, x => x.Value.Verdict), StringComparer.Ordinal), state!.Verdict));
            if (state?.Verdict == Verdicts.Reject)
            {
                var why = state.Reason.Trim().Length == 0 ? "no reason given" : state.Reason.Trim();
                rejects.Add(Reject.OfCase(q.Key, q.Case.SourceId, q.Case.ItemKey, Stage, RejectReason,
                    $"rejected by reviewer {state.Reviewer} (item {q.Index}): {why}"));
            }
            else kept.Add(q);
        }
        var summary = new ReviewSummary
        {
            File = fileName,
            Decisions = ledger.Decisions,
            Reviewers = ledger.Items.SelectMany(i => ledger.ByReviewer(i).Keys).Distinct().Order(StringComparer.Ordinal).ToList(),
            Lapsed = ledger.Items.Count(i => !seen.Contains(i)),
            Splits = new SortedDictionary<string, ReviewSplitCoverage>(
                counts.ToDictionary(kv => kv.Key, kv => new ReviewSplitCoverage(kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3], kv.Value[4])), StringComparer.Ordinal),
            Disagreements = disagreements.OrderBy(d => d.Index).ToList(),
            Problems = problems,
        };
        return new Outcome(kept, rejects, summary);
    }
}

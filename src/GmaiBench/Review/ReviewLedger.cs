namespace GmaiBench.Review;

/// <summary>A reviewer's standing decision on an item.</summary>
public sealed record ReviewState(string Verdict, string Reviewer, string Reason, string Time);

/// <summary>
/// The standing decisions of a review file. Lines are put in one order whatever order the file holds them in (time, then
/// reviewer, then the line's text, all ordinal), so a file merged by git in any line order gives the same result. Per
/// item and reviewer, accept/reject/flag stack up and <c>undo</c> removes the top; an item's decision is the latest
/// standing one of any reviewer.
/// </summary>
public sealed class ReviewLedger
{
    private readonly Dictionary<string, Dictionary<string, List<(ReviewLine Line, int Order)>>> _stacks = new(StringComparer.Ordinal);

    public int Decisions { get; }

    public ReviewLedger(IEnumerable<ReviewLine> lines)
    {
        var ordered = lines
            .OrderBy(l => l.Time.UtcTicks)
            .ThenBy(l => l.Decision.Reviewer, StringComparer.Ordinal)
            .ThenBy(l => l.Text, StringComparer.Ordinal)
            .ToList();
        Decisions = ordered.Count;
        for (var i = 0; i < ordered.Count; i++)
        {
            var d = ordered[i].Decision;
            if (!_stacks.TryGetValue(d.Item, out var byReviewer)) _stacks[d.Item] = byReviewer = new(StringComparer.Ordinal);
            if (!byReviewer.TryGetValue(d.Reviewer, out var stack)) byReviewer[d.Reviewer] = stack = [];
            if (d.Verdict == Verdicts.Undo) { if (stack.Count > 0) stack.RemoveAt(stack.Count - 1); }
            else stack.Add((ordered[i], i));
        }
    }

    public static ReviewLedger Empty { get; } = new([]);

    /// <summary>Every item fingerprint the file names.</summary>
    public IEnumerable<string> Items => _stacks.Keys;

    /// <summary>Each reviewer's standing decision on the item (reviewers whose decisions were all undone are left out).</summary>
    public SortedDictionary<string, ReviewState> ByReviewer(string item)
    {
        var result = new SortedDictionary<string, ReviewState>(StringComparer.Ordinal);
        if (!_stacks.TryGetValue(item, out var byReviewer)) return result;
        foreach (var (reviewer, stack) in byReviewer)
            if (stack.Count > 0) result[reviewer] = State(stack[^1].Line);
        return result;
    }

    /// <summary>The item's decision: the latest standing decision of any reviewer, or null.</summary>
    public ReviewState? Current(string item)
    {
        if (!_stacks.TryGetValue(item, out var byReviewer)) return null;
        var tops = byReviewer.Values.Where(s => s.Count > 0).Select(s => s[^1]).ToList();
        return tops.Count == 0 ? null : State(tops.MaxBy(t => t.Order).Line);
    }

    /// <summary>Whether reviewers' standing decisions on the item differ.</summary>
    public bool Disagrees(string item) => ByReviewer(item).Values.Select(s => s.Verdict).Distinct(StringComparer.Ordinal).Count() > 1;

    private static ReviewState State(ReviewLine l) => new(l.Decision.Verdict, l.Decision.Reviewer, l.Decision.Reason, l.Decision.Time);
}

using System.Text.Json.Serialization;
using GmaiBench.Model;

namespace GmaiBench.Review;

/// <summary>What a reviewer said of an item. <c>undo</c> withdraws that reviewer's latest standing decision on it.</summary>
public static class Verdicts
{
    public const string Accept = "accept";
    public const string Reject = "reject";
    public const string Flag = "flag";
    public const string Undo = "undo";

    public static readonly string[] All = [Accept, Reject, Flag, Undo];

    public static bool IsValid(string verdict) => All.Contains(verdict, StringComparer.Ordinal);
}

/// <summary>
/// One line of a review file: the item's content fingerprint (<see cref="ReviewFingerprint"/>), who decided, what, why
/// and when (UTC, ISO 8601). <see cref="Index"/> is the item's index when it was decided, for people reading the file;
/// decisions are keyed by <see cref="Item"/> alone.
/// </summary>
public sealed record ReviewDecision
{
    [JsonPropertyName("item")] public required string Item { get; init; }
    [JsonPropertyName("index")] public int? Index { get; init; }
    [JsonPropertyName("reviewer")] public required string Reviewer { get; init; }
    [JsonPropertyName("verdict")] public required string Verdict { get; init; }
    [JsonPropertyName("reason")] public string Reason { get; init; } = "";
    [JsonPropertyName("time")] public required string Time { get; init; }
}

/// <summary>
/// The content fingerprint a decision is keyed by: the item's image, question, option texts and answer texts (as sets, so
/// a new letter order keeps the decision). Not its split, index or tags: a decision is about what a model is shown, so it
/// follows the item across rebuilds and lapses exactly when the image, question, options or answer change.
/// </summary>
public static class ReviewFingerprint
{
    public static string Of(Question q) =>
        Of(q.Case.ImageSha, q.Text, q.Options, q.Answer.Split(',').Select(l => q.Options[l[0] - 'A']));

    public static string Of(string imageSha, string question, IEnumerable<string> options, IEnumerable<string> answers) =>
        Fingerprints.Of("review/1", imageSha, question,
            string.Join('\u0002', options.Order(StringComparer.Ordinal)), string.Join('\u0002', answers.Order(StringComparer.Ordinal)));
}

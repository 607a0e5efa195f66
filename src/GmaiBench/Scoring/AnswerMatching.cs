namespace GmaiBench.Scoring;

/// <summary>
/// Reads the answer out of a model's prediction text. Single-answer items follow VLMEvalKit's exact matching
/// (<c>vlmeval/utils/matching_util.py</c>, <c>can_infer</c>): punctuation <c>.()[],:;!*#{}</c> becomes spaces, the text is
/// split on white space, and exactly one option letter among the words is the answer; else exactly one option text
/// contained in the lower-cased prediction; a refusal phrase, or a lone <c>Z</c>, is <c>Z</c>; anything else is no answer.
/// Multi-answer items: every option letter among the words (e.g. "A, C"), else every option text the prediction
/// contains; the answer is that set.
/// </summary>
public static class AnswerMatching
{
    private const string Punctuation = ".()[],:;!*#{}";

    private static readonly string[] Refusals =
    [
        "Sorry, I can't help with images of people yet.",
        "I can't process this file.",
        "I'm sorry, but without the image provided",
        "Cannot determine the answer",
    ];

    /// <summary>The words of a prediction as VLMEvalKit splits them.</summary>
    public static string[] Words(string prediction)
    {
        var chars = prediction.ToCharArray();
        for (var i = 0; i < chars.Length; i++) if (Punctuation.Contains(chars[i])) chars[i] = ' ';
        return new string(chars).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The single letter VLMEvalKit's <c>can_infer</c> reads from <paramref name="prediction"/> given the options
    /// (letter -> text, empty options left out): a letter, <c>"Z"</c>, or null when it infers nothing.
    /// </summary>
    public static string? Single(string prediction, IReadOnlyDictionary<string, string> options)
    {
        if (prediction.Contains("Failed to obtain answer via API", StringComparison.Ordinal)) return null;
        if (Refusals.Any(r => prediction.Contains(r, StringComparison.Ordinal))) return "Z";
        var words = Words(prediction);
        var letters = options.Keys.Where(words.Contains).ToList();
        if (letters.Count == 1) return letters[0];
        if (letters.Count == 0 && words.Count(w => w == "Z") == 1) return "Z";
        if (letters.Count > 0) return null;
        var lower = prediction.ToLowerInvariant();
        var texts = options.Where(o => lower.Contains(o.Value.ToLowerInvariant(), StringComparison.Ordinal)).Select(o => o.Key).ToList();
        return texts.Count == 1 ? texts[0] : null;
    }

    /// <summary>The set of letters a multi-answer prediction names (sorted), empty when it names none.</summary>
    public static IReadOnlyList<string> Multi(string prediction, IReadOnlyDictionary<string, string> options)
    {
        var words = Words(prediction);
        var letters = options.Keys.Where(words.Contains).Order(StringComparer.Ordinal).ToList();
        if (letters.Count > 0) return letters;
        var lower = prediction.ToLowerInvariant();
        return options.Where(o => lower.Contains(o.Value.ToLowerInvariant(), StringComparison.Ordinal)).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
    }
}

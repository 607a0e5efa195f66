using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Curation;

/// <summary>
/// How far text-only strategies get on TEST single-choice items, next to chance: answering always the same letter
/// (the best letter reported), the longest option, and the option text most often correct in VAL for the same
/// question text. A strategy well above chance means the benchmark can be passed without looking at the image.
/// </summary>
public sealed record ShortcutAudit
{
    public int TestItems { get; init; }
    /// <summary>Expected accuracy of guessing uniformly among each item's options.</summary>
    public double Chance { get; init; }
    public IReadOnlyDictionary<string, double> SameLetter { get; init; } = new Dictionary<string, double>();
    public double BestSameLetter { get; init; }
    public double LongestOption { get; init; }
    public double ValMostOftenCorrect { get; init; }
    /// <summary>option count -> letter -> share of single-choice answers (whole release).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> LetterShares { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, double>>();

    public static ShortcutAudit Of(IReadOnlyList<Question> questions)
    {
        var single = questions.Where(q => !q.Multi).ToList();
        var test = single.Where(q => q.Split == "TEST").ToList();
        var val = single.Where(q => q.Split == "VAL").ToList();
        double Acc(Func<Question, int> pick) => test.Count == 0 ? 0 : test.Count(q => AnswerIndex(q) == pick(q)) / (double)test.Count;
        var letters = test.Select(q => q.Options.Count).DefaultIfEmpty(0).Max();
        var sameLetter = Enumerable.Range(0, letters).ToDictionary(i => AnswerLayout.Letters[i].ToString(), i => Acc(_ => i));
        // In VAL: how often each option text was the answer for each question text.
        var correct = val.GroupBy(q => q.Text).ToDictionary(g => g.Key, g => g.GroupBy(q => q.Options[AnswerIndex(q)]).ToDictionary(x => x.Key, x => x.Count()));
        int MostOften(Question q)
        {
            if (!correct.TryGetValue(q.Text, out var counts)) return 0;
            var best = 0;
            for (var i = 1; i < q.Options.Count; i++)
                if (counts.GetValueOrDefault(q.Options[i]) > counts.GetValueOrDefault(q.Options[best])) best = i;
            return best;
        }
        int Longest(Question q)
        {
            var best = 0;
            for (var i = 1; i < q.Options.Count; i++) if (q.Options[i].Length > q.Options[best].Length) best = i;
            return best;
        }
        var shares = single.GroupBy(q => q.Options.Count).OrderBy(g => g.Key).ToDictionary(
            g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
            g => (IReadOnlyDictionary<string, double>)Enumerable.Range(0, g.Key).ToDictionary(i => AnswerLayout.Letters[i].ToString(), i => g.Count(q => AnswerIndex(q) == i) / (double)g.Count()));
        return new ShortcutAudit
        {
            TestItems = test.Count,
            Chance = test.Count == 0 ? 0 : test.Average(q => 1.0 / q.Options.Count),
            SameLetter = sameLetter,
            BestSameLetter = sameLetter.Values.DefaultIfEmpty(0).Max(),
            LongestOption = Acc(Longest),
            ValMostOftenCorrect = Acc(MostOften),
            LetterShares = shares,
        };
    }

    private static int AnswerIndex(Question q) => AnswerLayout.Letters.IndexOf(q.Answer[0]);
}

using System.Globalization;
using GmaiBench.Model;

namespace GmaiBench.Questions;

/// <summary>Item counts by the subjects of the lexical tree and by answer layout, sorted for stable output.</summary>
public static class QuestionStats
{
    public static IReadOnlyDictionary<string, int> Count(IEnumerable<Question> questions, Func<Question, string> key) =>
        new SortedDictionary<string, int>(questions.GroupBy(key).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Distributions(IReadOnlyCollection<Question> questions) =>
        new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
        {
            ["task"] = Count(questions, q => q.TaskName),
            ["department"] = Count(questions, q => q.DepartmentName),
            ["modality"] = Count(questions, q => q.Case.Modality),
            ["granularity"] = Count(questions, q => q.Case.Granularity.Text()),
            ["source"] = Count(questions, q => q.Case.SourceId),
            ["answer"] = Count(questions, q => q.Answer),
            ["options"] = Count(questions, q => q.Options.Count.ToString(CultureInfo.InvariantCulture)),
            ["distractor pool"] = Count(questions, q => QuestionDrafter.PoolLevel(q.Pool)),
        };

    public static IReadOnlyDictionary<string, int> Splits(IEnumerable<Question> questions) => Count(questions, q => q.Split);
}

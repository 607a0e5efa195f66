using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Questions;

/// <summary>
/// Places answers among the option letters. Single-choice answers are balanced by construction: within each
/// (split, option count) group, items are ordered by a keyed hash and the answer goes to letter rank mod n,
/// so every letter's share is uniform to within one item. Distractor order and multi-choice layouts are drawn
/// from the keyed PRNG.
/// </summary>
public static class AnswerLayout
{
    public static readonly string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static List<Question> Assign(IReadOnlyList<(DraftQuestion Draft, string Split)> items, LabelTaxonomy taxonomy, ulong seed)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in items.Where(i => !i.Draft.Multi).GroupBy(i => (i.Split, i.Draft.OptionCount)))
        {
            var rank = 0;
            foreach (var (draft, _) in group.OrderBy(i => Prng.Mix(seed, "letter\u0001" + i.Draft.Key)).ThenBy(i => i.Draft.Key, StringComparer.Ordinal))
                position[draft.Key] = rank++ % group.Key.OptionCount;
        }
        var questions = new List<Question>();
        var index = 0;
        foreach (var (draft, split) in items.OrderBy(i => i.Draft.Key, StringComparer.Ordinal))
        {
            var rng = Prng.For(seed, draft.Key, "order");
            List<string> labels;
            if (draft.Multi)
            {
                labels = draft.Answers.Concat(draft.Distractors).ToList();
                rng.Shuffle(labels);
            }
            else
            {
                labels = draft.Distractors.ToList();
                rng.Shuffle(labels);
                labels.Insert(position[draft.Key], draft.Answers[0]);
            }
            var answerLetters = labels.Select((l, i) => (l, i)).Where(t => draft.Answers.Contains(t.l)).Select(t => Letters[t.i].ToString());
            var dept = draft.Case.Departments.Count == 0 ? "None" : draft.Case.Departments[0];
            questions.Add(new Question
            {
                Key = draft.Key,
                Index = index++,
                Case = draft.Case,
                Text = draft.Text,
                Options = labels.Select(l => taxonomy.Label(l)!.Name).ToList(),
                OptionLabels = labels,
                Answer = string.Join(',', answerLetters),
                AnswerLabels = draft.Answers,
                Category = string.Join(", ", draft.Answers.Select(a => taxonomy.Label(a)!.Name)),
                TaskName = taxonomy.Task(draft.Case.Task)?.Name ?? draft.Case.Task,
                DepartmentName = taxonomy.Department(dept)?.Name ?? dept,
                Split = split,
                Pool = draft.Pool,
            });
        }
        return questions;
    }
}

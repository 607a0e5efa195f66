using GmaiBench.Model;
using GmaiBench.Taxonomy;

namespace GmaiBench.Questions;

/// <summary>
/// Places answers among the option letters and gives items their indices, keeping what earlier releases published:
/// an item whose identity (image, question, split, option and answer texts) the latest release holds keeps that
/// release's index and option order, so its answer letter too. New items get indices after every index any release
/// issued, in a keyed-hash order (never by source path or label), and their single-choice answers go to the letter
/// least used so far in their (split, option count) group, so letters stay balanced without reshuffling old items.
/// Distractor order and multi-choice layouts are drawn from the keyed PRNG.
/// </summary>
public static class AnswerLayout
{
    public static readonly string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static List<Question> Assign(IReadOnlyList<(DraftQuestion Draft, string Split)> items, LabelTaxonomy taxonomy, ulong seed) =>
        Assign(items, taxonomy, seed, ReleaseHistory.Empty);

    public static List<Question> Assign(IReadOnlyList<(DraftQuestion Draft, string Split)> items, LabelTaxonomy taxonomy, ulong seed, ReleaseHistory history)
    {
        string Name(string label) => taxonomy.Label(label)!.Name;
        var ordered = items.OrderBy(i => i.Draft.Key, StringComparer.Ordinal).ToList();

        // Items an earlier release published unchanged keep their option order and index.
        var layout = new Dictionary<string, (List<string> Labels, int? Index)>(StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (draft, split) in ordered)
        {
            var labels = draft.Answers.Concat(draft.Distractors).ToList();
            var identity = ReleaseHistory.IdentityOf(draft.Case.ImageSha, draft.Text, split, labels.Select(Name), draft.Answers.Select(Name));
            if (!history.Items.TryGetValue(identity, out var published) || !claimed.Add(identity)) continue;
            var byName = labels.ToDictionary(Name, l => l, StringComparer.Ordinal);
            layout[draft.Key] = (published.Options.Select(o => byName[o]).ToList(), published.Index);
        }

        // New single-choice items: the least used letter of their (split, option count) group, in keyed-hash order.
        foreach (var group in ordered.Where(i => !i.Draft.Multi).GroupBy(i => (i.Split, i.Draft.OptionCount)))
        {
            var n = group.Key.OptionCount;
            var used = new int[n];
            foreach (var (draft, _) in group.Where(i => layout.ContainsKey(i.Draft.Key)))
                used[layout[draft.Key].Labels.IndexOf(draft.Answers[0])]++;
            foreach (var (draft, _) in group.Where(i => !layout.ContainsKey(i.Draft.Key))
                         .OrderBy(i => Prng.Mix(seed, "letter\u0001" + i.Draft.Key)).ThenBy(i => i.Draft.Key, StringComparer.Ordinal))
            {
                var position = Array.IndexOf(used, used.Min());
                used[position]++;
                var labels = draft.Distractors.ToList();
                Prng.For(seed, draft.Key, "order").Shuffle(labels);
                labels.Insert(position, draft.Answers[0]);
                layout[draft.Key] = (labels, null);
            }
        }
        foreach (var (draft, _) in ordered.Where(i => i.Draft.Multi && !layout.ContainsKey(i.Draft.Key)))
        {
            var labels = draft.Answers.Concat(draft.Distractors).ToList();
            Prng.For(seed, draft.Key, "order").Shuffle(labels);
            layout[draft.Key] = (labels, null);
        }

        // New indices after every index issued before, in keyed-hash order.
        var next = history.NextIndex;
        foreach (var (draft, _) in ordered.Where(i => layout[i.Draft.Key].Index is null)
                     .OrderBy(i => Prng.Mix(seed, "index\u0001" + i.Draft.Key)).ThenBy(i => i.Draft.Key, StringComparer.Ordinal))
            layout[draft.Key] = (layout[draft.Key].Labels, next++);

        var questions = new List<Question>();
        foreach (var (draft, split) in ordered)
        {
            var (labels, index) = layout[draft.Key];
            var answerLetters = labels.Select((l, i) => (l, i)).Where(t => draft.Answers.Contains(t.l)).Select(t => Letters[t.i].ToString());
            var dept = draft.Case.PrimaryDepartment;
            questions.Add(new Question
            {
                Key = draft.Key,
                Index = index!.Value,
                Case = draft.Case,
                Text = draft.Text,
                Options = labels.Select(Name).ToList(),
                OptionLabels = labels,
                Answer = string.Join(',', answerLetters),
                AnswerLabels = draft.Answers,
                Category = string.Join(", ", draft.Answers.Select(Name)),
                TaskName = taxonomy.Task(draft.Case.Task)?.Name ?? draft.Case.Task,
                DepartmentName = taxonomy.Department(dept)?.Name ?? dept,
                Split = split,
                Pool = draft.Pool,
            });
        }
        return [.. questions.OrderBy(q => q.Index)];
    }
}

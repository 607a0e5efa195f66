using GmaiBench.Pipeline;
using GmaiBench.Sources;
using GmaiBench.Taxonomy;

namespace GmaiBench.Questions;

/// <summary>
/// Draws one template and the distractors for each case. Image-level distractors are the other classes of
/// the answer's own source (for the same task); never a synonym, parent or child of an answer. Every choice
/// comes from <see cref="Prng.For"/>, so a case's question depends only on (seed, case, its source's classes).
/// </summary>
public static class QuestionDrafter
{
    public static (List<DraftQuestion> Drafts, List<Reject> Rejects) Draft(
        IReadOnlyList<TaggedCase> cases, LabelTaxonomy taxonomy, QuestionSettings settings, ulong seed)
    {
        var drafts = new List<DraftQuestion>();
        var rejects = new List<Reject>();
        // Option pool per (source, task, granularity): the classes the source itself offers.
        var classes = cases
            .GroupBy(c => (c.SourceId, c.Task, c.Granularity))
            .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal).ToList());

        foreach (var c in cases.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            Reject Fail(string reason, string message) => Reject.OfCase(c.Key, c.SourceId, c.ItemKey, "questions", reason, message);
            var pool = taxonomy.Pool(c.Task, c.Granularity, c.Modality);
            if (pool is null)
            {
                rejects.Add(Fail("no-template-pool", $"no question templates for task {c.Task}, granularity {c.Granularity}, modality {c.Modality}"));
                continue;
            }
            var template = pool.Templates[Prng.For(seed, c.Key, "template").NextInt(pool.Templates.Count)];
            var text = TemplateText.Fill(template, c.Modality);
            var answers = c.Labels.Order(StringComparer.Ordinal).ToList();
            var multi = answers.Count > 1;
            if (multi)
            {
                if (answers.Count >= settings.MaxOptions)
                {
                    rejects.Add(Fail("too-many-answers", $"{answers.Count} answers leave no room for a distractor within {settings.MaxOptions} options"));
                    continue;
                }
                text = $"{text} {taxonomy.MultiChoiceInstruction}";
            }
            var candidates = classes[(c.SourceId, c.Task, c.Granularity)]
                .Where(l => answers.All(a => !taxonomy.Related(a, l)))
                .ToList();
            var wanted = settings.MaxOptions - answers.Count;
            var distractors = Prng.For(seed, c.Key, "distractors").Sample(candidates, wanted);
            if (answers.Count + distractors.Count < settings.MinOptions || distractors.Count == 0)
            {
                rejects.Add(Fail("too-few-options",
                    $"only {answers.Count + distractors.Count} option(s) possible (answer plus {distractors.Count} distractor(s) from source {c.SourceId}); at least {Math.Max(2, settings.MinOptions)} needed"));
                continue;
            }
            drafts.Add(new DraftQuestion { Case = c, Text = text, Answers = answers, Distractors = distractors, Pool = pool.Key });
        }
        return (drafts, rejects);
    }
}

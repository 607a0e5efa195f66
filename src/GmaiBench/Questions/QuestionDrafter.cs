using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Questions;

/// <summary>
/// Draws one template and the distractors for each case. Image-level distractors are the other classes of
/// the answer's own source (for the same task); region-level ones come from the shared (modality, task,
/// granularity) pool limited to the answer's body region (or department); never a synonym, parent or child of
/// an answer. The pool used is recorded with each item. Every choice
/// comes from <see cref="Prng.For"/>, so a case's question depends only on (seed, case, its source's classes).
/// </summary>
public static class QuestionDrafter
{
    public static (List<DraftQuestion> Drafts, List<Reject> Rejects) Draft(
        IReadOnlyList<TaggedCase> cases, LabelTaxonomy taxonomy, QuestionSettings settings, ulong seed)
    {
        var drafts = new List<DraftQuestion>();
        var rejects = new List<Reject>();
        // Image level: the classes the answer's own source offers for the task.
        var classes = cases.Where(c => c.Granularity == Granularity.Image)
            .GroupBy(c => (c.SourceId, c.Task))
            .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal).ToList());
        // Region level: one shared pool per (modality, task, granularity), as the original, across sources.
        var regionPools = cases.Where(c => c.Granularity != Granularity.Image)
            .GroupBy(c => (c.Modality, c.Task, c.Granularity))
            .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal).ToList());
        // Fallbacks when that pool is too small (documented order): the other labels the same source annotates, then the
        // same modality and granularity across tasks; each limited to the answer's scope, never related to the answer.
        var sourcePools = cases.Where(c => c.Granularity != Granularity.Image)
            .GroupBy(c => c.SourceId)
            .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal).ToList());
        var modalityPools = cases.Where(c => c.Granularity != Granularity.Image)
            .GroupBy(c => (c.Modality, c.Granularity))
            .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal).ToList());

        foreach (var c in cases.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            Reject Fail(string reason, string message) => Reject.OfCase(c.Key, c.SourceId, c.ItemKey, "questions", reason, message);
            var pool = taxonomy.Pool(c.Task, c.Granularity, c.Modality);
            if (pool is null)
            {
                rejects.Add(Fail("no-template-pool", $"no question templates for task {c.Task}, granularity {c.Granularity.Text()}, modality {c.Modality}"));
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
            var image = c.Granularity == Granularity.Image;
            var candidates = (image ? classes[(c.SourceId, c.Task)] : regionPools[(c.Modality, c.Task, c.Granularity)])
                .Where(l => answers.All(a => !taxonomy.Related(a, l)))
                .Where(l => image || answers.All(a => InScope(taxonomy, a, l, settings.Distractors)))
                .ToList();
            var poolKey = image ? $"{pool.Key} | source {c.SourceId} classes"
                : $"{pool.Key} | region pool {c.Modality}/{c.Task}/{c.Granularity.Text()} ({ScopeName(settings.Distractors)})";
            var wanted = settings.MaxOptions - answers.Count;
            var needed = Math.Max(1, settings.MinOptions - answers.Count);
            var distractors = Prng.For(seed, c.Key, "distractors").Sample(candidates, wanted);
            if (!image && distractors.Count < needed)
            {
                foreach (var (level, more, scoped) in new[]
                {
                    (FallbackSameSource, sourcePools[c.SourceId], true),
                    (FallbackSameModality, modalityPools[(c.Modality, c.Granularity)], true),
                    (FallbackSourceAnyRegion, sourcePools[c.SourceId], false),
                })
                {
                    var extra = more.Where(l => !answers.Contains(l) && !distractors.Contains(l))
                        .Where(l => answers.All(a => !taxonomy.Related(a, l) && (!scoped || InScope(taxonomy, a, l, settings.Distractors))))
                        .ToList();
                    distractors = [.. distractors, .. Prng.For(seed, c.Key, "distractors/" + level).Sample(extra, needed - distractors.Count)];
                    poolKey += $" | fallback: {level}";
                    if (distractors.Count >= needed) break;
                }
            }
            if (answers.Count + distractors.Count < settings.MinOptions || distractors.Count == 0)
            {
                rejects.Add(Fail("too-few-options",
                    $"only {answers.Count + distractors.Count} option(s) possible (answer plus {distractors.Count} distractor(s) from {poolKey}); at least {Math.Max(2, settings.MinOptions)} needed"));
                continue;
            }
            var optionTexts = answers.Concat(distractors).Select(l => LabelNormaliser.Fold(taxonomy.Label(l)!.Name)).ToList();
            if (optionTexts.Distinct().Count() != optionTexts.Count)
            {
                rejects.Add(Fail("duplicate-options", $"two options read the same after normalisation: {string.Join(", ", answers.Concat(distractors))}"));
                continue;
            }
            var folded = $" {LabelNormaliser.Fold(text)} ";
            var given = answers.FirstOrDefault(a => folded.Contains($" {LabelNormaliser.Fold(taxonomy.Label(a)!.Name)} ", StringComparison.Ordinal));
            if (given is not null)
            {
                rejects.Add(Fail("answer-in-question", $"the question text names its answer '{taxonomy.Label(given)!.Name}'"));
                continue;
            }
            drafts.Add(new DraftQuestion { Case = c, Text = text, Answers = answers, Distractors = distractors, Pool = poolKey });
        }
        return (drafts, rejects);
    }

    /// <summary>Pool fallback levels, in the order they are tried (recorded in the item's pool and counted in the report).</summary>
    public const string FallbackSameSource = "other labels of the same source";
    public const string FallbackSameModality = "same modality and granularity, any task";
    public const string FallbackSourceAnyRegion = "other labels of the same source, any body region";

    /// <summary>The distractor pool level an item's pool text records.</summary>
    public static string PoolLevel(string pool) =>
        pool.Contains(FallbackSourceAnyRegion, StringComparison.Ordinal) ? FallbackSourceAnyRegion
        : pool.Contains(FallbackSameModality, StringComparison.Ordinal) ? FallbackSameModality
        : pool.Contains(FallbackSameSource, StringComparison.Ordinal) ? FallbackSameSource
        : pool.Contains("| region pool", StringComparison.Ordinal) ? "region pool (modality, task, granularity)" : "source classes (image level)";

    /// <summary>Whether <paramref name="candidate"/> may stand beside <paramref name="answer"/>: same body region or a shared department.</summary>
    public static bool InScope(LabelTaxonomy taxonomy, string answer, string candidate, DistractorScope scope)
    {
        var a = taxonomy.Label(answer)!;
        var c = taxonomy.Label(candidate)!;
        return scope switch
        {
            DistractorScope.SameRegion => a.Region is null || c.Region is null || a.Region == c.Region,
            DistractorScope.SameDepartment => a.Departments.Count == 0 || c.Departments.Count == 0 || a.Departments.Intersect(c.Departments).Any(),
            _ => true,
        };
    }

    private static string ScopeName(DistractorScope s) => s switch
    {
        DistractorScope.SameRegion => "same body region",
        DistractorScope.SameDepartment => "same department",
        _ => "any label",
    };
}

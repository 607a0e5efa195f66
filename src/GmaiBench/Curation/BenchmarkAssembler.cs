using GmaiBench.Questions;
using GmaiBench.Taxonomy;
using GmaiBench.Model;

namespace GmaiBench.Curation;

/// <summary>What the whole-benchmark stages made of the tagged cases.</summary>
public sealed record Assembly(List<Question> Questions, List<Reject> Rejects, List<DuplicateCluster> Clusters, ShortcutAudit Audit)
{
    /// <summary>Items each composition target had to choose from (after the label cap).</summary>
    public IReadOnlyDictionary<CompositionTarget, int> TargetCandidates { get; init; } = new Dictionary<CompositionTarget, int>();
}

/// <summary>
/// The whole-benchmark stages, on metadata only: quality checks, questions, duplicate removal, the per-label cap, the
/// composition targets, the patient-level split, answer placement and the shortcut audit. A pure function of (cases,
/// taxonomy, settings): the same inputs give the same benchmark whatever their order.
/// </summary>
public static class BenchmarkAssembler
{
    public static Assembly Assemble(IReadOnlyList<TaggedCase> cases, LabelTaxonomy taxonomy, QuestionSettings questionSettings, CurationSettings curation, ulong seed,
        ReleaseHistory? history = null)
    {
        var rejects = new List<Reject>();
        var usable = new List<TaggedCase>();
        foreach (var c in cases.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(c.Task) || string.IsNullOrWhiteSpace(c.Modality) || c.Departments.Count == 0)
                rejects.Add(Reject.OfCase(c.Key, c.SourceId, c.ItemKey, "curate", "missing-tag", "the case has no task, department or modality"));
            else if (c.Contrast is { } contrast && contrast < curation.MinContrast)
                rejects.Add(Reject.OfCase(c.Key, c.SourceId, c.ItemKey, "curate", "blank-image",
                    $"the image is blank or near-constant (luminance standard deviation {contrast:0.##} < {curation.MinContrast:0.##})"));
            else usable.Add(c);
        }
        var (drafts, draftRejects) = QuestionDrafter.Draft(usable, taxonomy, questionSettings, seed);
        rejects.AddRange(draftRejects);
        var dedup = Deduplication.Run(drafts, curation.NearDuplicateBits);
        rejects.AddRange(dedup.Rejects);
        var (capped, capRejects) = Curator.ApplyLabelCap(dedup.Kept, curation.MaxPerLabel, seed);
        rejects.AddRange(capRejects);
        var fill = CompositionTargets.Apply(capped, curation.Targets, seed);
        capped = fill.Kept;
        rejects.AddRange(fill.Rejects);
        var splitOf = Curator.SplitByGroup(capped, curation.ValShare, seed, dedup.GroupOf, history?.Splits);
        var questions = AnswerLayout.Assign(capped.Select(d => (d, splitOf[dedup.GroupOf[d.Case.GroupKey]])).ToList(), taxonomy, seed, history ?? ReleaseHistory.Empty);
        return new Assembly(questions, rejects, dedup.Clusters, ShortcutAudit.Of(questions)) { TargetCandidates = fill.Candidates };
    }
}

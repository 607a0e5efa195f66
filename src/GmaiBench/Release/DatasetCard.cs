using System.Globalization;
using System.Text;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>Per-split figures for the card's <c>dataset_info.splits</c>.</summary>
public sealed record SplitInfo(string Name, long NumBytes, int NumExamples)
{
    /// <summary>The Hub config the split belongs to (<see cref="ReleaseConfig"/>).</summary>
    public string Config { get; init; } = ReleaseConfig.Default;
}

/// <summary>
/// The dataset card (<c>README.md</c>) for the Hugging Face Hub: a YAML header the Hub and <c>datasets</c> read
/// (configs and data_files, features, splits with byte and example counts, licences, task categories, size
/// category) and a body for people (what it is, counts, sources with licence and citation, how it was built).
/// </summary>
public static class DatasetCard
{
    public static string SizeCategory(int n) => n switch
    {
        < 1_000 => "n<1K",
        < 10_000 => "1K<n<10K",
        < 100_000 => "10K<n<100K",
        < 1_000_000 => "100K<n<1M",
        _ => "1M<n<10M",
    };

    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string Render(ReleaseManifest manifest, ReleaseInput settings, IReadOnlyList<SplitInfo> splits, long downloadSize)
    {
        var sources = settings.Sources;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var used = sources.Where(s => manifest.Counts.Values.Any(c => c["source"].ContainsKey(s.Id))).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var licenses = used.Select(s => s.License.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        var total = splits.Sum(s => s.NumExamples);
        sb.Append("---\n");
        sb.Append(ci, $"pretty_name: {Q(settings.Release.PrettyName ?? manifest.DisplayName)}\n");
        sb.Append("license:\n");
        foreach (var l in licenses) sb.Append(ci, $"- {Q(l)}\n");
        sb.Append("task_categories:\n- visual-question-answering\n- multiple-choice\n");
        sb.Append("task_ids:\n- multiple-choice-qa\n- visual-question-answering\n");
        sb.Append(ci, $"size_categories:\n- {Q(SizeCategory(total))}\n");
        sb.Append("language:\n- en\n");
        sb.Append("tags:\n");
        foreach (var t in settings.Release.Tags) sb.Append(ci, $"- {Q(t)}\n");
        var configs = splits.GroupBy(x => x.Config).ToList();
        sb.Append("configs:\n");
        foreach (var c in configs)
        {
            sb.Append(ci, $"- config_name: {c.Key}\n  data_files:\n");
            foreach (var x in c) sb.Append(ci, $"  - split: {x.Name}\n    path: {ReleaseConfig.DataFolderOf(c.Key)}/{x.Name}-*\n");
        }
        sb.Append("dataset_info:\n");
        foreach (var c in configs)
        {
            sb.Append(ci, $"- config_name: {c.Key}\n  features:\n  - name: index\n    dtype: int64\n");
            foreach (var col in BenchmarkParquet.StringColumns) sb.Append(ci, $"  - name: {col}\n    dtype: string\n");
            sb.Append("  - name: image\n    dtype: image\n  splits:\n");
            foreach (var x in c) sb.Append(ci, $"  - name: {x.Name}\n    num_bytes: {x.NumBytes}\n    num_examples: {x.NumExamples}\n");
            if (c.Key == ReleaseConfig.Default) sb.Append(ci, $"  download_size: {downloadSize}\n");
            sb.Append(ci, $"  dataset_size: {c.Sum(x => x.NumBytes)}\n");
        }
        sb.Append("---\n\n");

        sb.Append(ci, $"# {settings.Release.PrettyName ?? manifest.DisplayName}\n\n");
        sb.Append(ci, $"Version {manifest.Version} of `{manifest.Name}`: {total} single- and multiple-choice medical visual question answering items ");
        sb.Append(ci, $"in the style of GMAI-MMBench, built from {used.Count} source dataset(s) by GmaiBench {manifest.Fingerprints["tool"]}. ");
        sb.Append("Every item is placed in the lexical tree (clinical VQA task, department, modality, perceptual granularity); ");
        sb.Append("the VAL split carries answers, the TEST split does not.\n\n");
        sb.Append("## Load it\n\n```python\nfrom datasets import load_dataset\nds = load_dataset(\"<owner>/<this-repo>\")\n```\n\n");
        sb.Append(ci, $"VLMEvalKit: `vlmevalkit/{manifest.DisplayName}_VAL.tsv` (with answers) and `vlmevalkit/{manifest.DisplayName}_TEST_part_k.tsv` (without), single-answer items only.\n");
        if (configs.Count > 1)
        {
            sb.Append(ci, $"Items with more than one correct option are apart, in the `{ReleaseConfig.MultiAnswer}` config (`{ReleaseConfig.DataFolderOf(ReleaseConfig.MultiAnswer)}/`) and in ");
            sb.Append(ci, $"`vlmevalkit/{manifest.DisplayName}_MC_VAL.tsv` / `_MC_TEST_part_k.tsv`: their answer is the set of correct letters (`A,C`), scored by exact set match ");
            sb.Append("with `gmai score` (partial credit, the Jaccard overlap of predicted and true sets, is reported separately); VLMEvalKit's exact matching infers one letter only, so do not score them with it.\n");
        }
        sb.Append('\n');
        sb.Append("## How to evaluate\n\n");
        sb.Append(ci, $"- VAL: copy `vlmevalkit/{manifest.DisplayName}_VAL.tsv` into `$LMUData` and run VLMEvalKit with `--data {manifest.DisplayName}_VAL`; answers are included and scored by its exact matching.\n");
        sb.Append(ci, $"- TEST: the `vlmevalkit/{manifest.DisplayName}_TEST_part_k.tsv` files and the `test` split carry no answers and nothing derived from them (no `category`, `department` or `source`); run inference only (`--mode infer`) and send the predictions to the maintainers, who hold the answer key.\n");
        sb.Append("- An item keeps its `index`, option order and answer letter across versions while its content is unchanged; indices are never reused.\n\n");
        sb.Append("## Splits\n\n| split | items |\n|---|---:|\n");
        foreach (var s in splits) sb.Append(ci, $"| {s.Name} | {s.NumExamples} |\n");
        foreach (var subject in new[] { "task", "department", "modality", "granularity" })
        {
            sb.Append(ci, $"\n## Items by {subject}\n\n| {subject} | {string.Join(" | ", manifest.Counts.Keys)} |\n|---|{string.Concat(manifest.Counts.Keys.Select(_ => "---:|"))}\n");
            // A split without this subject (TEST has no answer-derived counts) shows a dash.
            var values = manifest.Counts.Values.SelectMany(c => c.TryGetValue(subject, out var x) ? x.Keys : []).Distinct().Order(StringComparer.Ordinal);
            foreach (var v in values)
                sb.Append(ci, $"| {v} | {string.Join(" | ", manifest.Counts.Values.Select(c => c.TryGetValue(subject, out var x) ? x.GetValueOrDefault(v).ToString(ci) : "-"))} |\n");
        }
        sb.Append("\n## Sources\n\n| source | name | licence | items | citation |\n|---|---|---|---:|---|\n");
        foreach (var s in used)
        {
            var n = manifest.Counts.Values.Sum(c => c["source"].GetValueOrDefault(s.Id));
            var cite = (s.Citation ?? "") + (s.Homepage is null ? "" : $" {s.Homepage}");
            sb.Append(ci, $"| {s.Id} | {s.Name} | {s.License} | {n} | {cite.Replace("|", "\\|").Trim()} |\n");
        }
        sb.Append("\n## How it was built\n\n");
        sb.Append(ci, $"- Images: 8-bit RGB PNG, longer side at most {settings.Image.MaxSide} px; 16-bit sources windowed at the {settings.Image.LowPercentile.ToString(ci)}-{settings.Image.HighPercentile.ToString(ci)} percentiles; metadata stripped.\n");
        sb.Append(ci, $"- Questions: one template per item from its (task, granularity[, modality]) pool; {settings.QuestionSettings.MinOptions}-{settings.QuestionSettings.MaxOptions} options; ");
        sb.Append("image-level distractors from the other classes of the item's own source, never a synonym, parent or child of the answer; answer letters balanced by construction.\n");
        sb.Append(ci, $"- Curation: exact duplicates removed; at most {settings.Curation.MaxPerLabel} items per answer label per (task, granularity), round-robin over sources and patients; ");
        sb.Append(ci, $"VAL/TEST split by patient group (no patient in both), stratified by task x granularity, VAL share {settings.Curation.ValShare.ToString(ci)}.\n");
        sb.Append(ci, $"- Randomness: the project's own PRNG seeded by (seed {settings.Seed}, item key): the same inputs give the same release, byte for byte.\n\n");
        sb.Append("## Fingerprints\n\n");
        foreach (var (k, v) in manifest.Fingerprints) sb.Append(ci, $"- {k}: `{v}`\n");
        sb.Append("\nChecksums of every file are in `manifest.json`; `CHANGELOG.md` lists what changed since the previous version.\n");
        return sb.ToString();
    }
}

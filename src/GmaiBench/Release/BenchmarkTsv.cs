using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>
/// VLMEvalKit TSV with GMAI-MMBench's column set. An image shared by several questions is stored once; later
/// rows carry the earlier row's index in the <c>image</c> cell (VLMEvalKit reads a cell of 64 characters or
/// fewer as such a reference).
/// </summary>
public static class BenchmarkTsv
{
    public static readonly string[] OptionColumns = ["A", "B", "C", "D", "E"];

    /// <summary>
    /// GMAI-MMBench's columns. Without answers (a public TEST part) the answer-derived columns go too: <c>category</c> is
    /// the answer's label text and <c>department</c> the answer label's department, so either would give the answer away.
    /// </summary>
    public static IReadOnlyList<string> Columns(bool withAnswer) => withAnswer
        ? ["index", "question", .. OptionColumns, "answer", "category", "clinical VQA task", "department", "perceptual granularity", "modality", "original task", "image"]
        : ["index", "question", .. OptionColumns, "clinical VQA task", "perceptual granularity", "modality", "original task", "image"];

    /// <param name="image">Loads an image's PNG bytes by sha256.</param>
    public static void Write(TextWriter writer, IEnumerable<Question> questions, Func<string, byte[]> image, bool withAnswer, bool shareImages = true)
    {
        TsvFormat.WriteRow(writer, Columns(withAnswer));
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var q in questions)
        {
            string imageCell;
            if (shareImages && firstIndex.TryGetValue(q.Case.ImageSha, out var earlier)) imageCell = earlier.ToString(System.Globalization.CultureInfo.InvariantCulture);
            else
            {
                imageCell = Convert.ToBase64String(image(q.Case.ImageSha));
                firstIndex[q.Case.ImageSha] = q.Index;
            }
            var row = new List<string?> { q.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), q.Text };
            row.AddRange(OptionColumns.Select((_, i) => i < q.Options.Count ? q.Options[i] : ""));
            if (withAnswer) row.AddRange([q.Answer, q.Category, q.TaskName, q.DepartmentName]);
            else row.Add(q.TaskName);
            row.AddRange([q.Case.Granularity.Text(), q.Case.Modality, q.Case.OriginalTask, imageCell]);
            TsvFormat.WriteRow(writer, row);
        }
    }

    public static void WriteFile(string path, IEnumerable<Question> questions, Func<string, byte[]> image, bool withAnswer)
    {
        using var writer = new StreamWriter(path, false, TsvFormat.Utf8);
        Write(writer, questions, image, withAnswer);
    }
}

/// <summary><c>&lt;DisplayName&gt;.tsv</c>: the VLMEvalKit TSV of a build or subset, with answers.</summary>
public sealed class BenchmarkTsvOutput : IOutputWriter
{
    public IReadOnlyList<string> Files(OutputContext context) => [$"{context.DisplayName}.tsv"];

    public void Write(OutputContext context, string folder) =>
        BenchmarkTsv.WriteFile(Path.Combine(folder, $"{context.DisplayName}.tsv"), context.Questions, context.Image, withAnswer: true);
}

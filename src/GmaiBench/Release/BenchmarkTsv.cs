using System.Buffers;
using System.Globalization;
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

    /// <summary>Bytes of PNG encoded per step of an image cell: a multiple of 3, so the chunks' base64 joins up with no padding.</summary>
    private const int Base64Chunk = 3 * 16 * 1024;

    /// <summary>
    /// GMAI-MMBench's columns. Without answers (a public TEST part) the answer-derived columns go too: <c>category</c> is
    /// the answer's label text and <c>department</c> the answer label's department, so either would give the answer away.
    /// </summary>
    public static IReadOnlyList<string> Columns(bool withAnswer) => withAnswer
        ? ["index", "question", .. OptionColumns, "answer", "category", "clinical VQA task", "department", "perceptual granularity", "modality", "original task", "image"]
        : ["index", "question", .. OptionColumns, "clinical VQA task", "perceptual granularity", "modality", "original task", "image"];

    /// <summary>
    /// Writes the header and one row per question. Each image goes from the object store into its cell as base64 in
    /// chunks of <see cref="Base64Chunk"/> bytes: no image, and no whole cell, is ever held in memory.
    /// </summary>
    /// <param name="images">The store holding the images by sha256 (read as a stream, checked against its hash).</param>
    public static void Write(TextWriter writer, IEnumerable<Question> questions, IObjectStore images, bool withAnswer, bool shareImages = true)
    {
        TsvFormat.WriteRow(writer, Columns(withAnswer));
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytes = ArrayPool<byte>.Shared.Rent(Base64Chunk);
        var chars = ArrayPool<char>.Shared.Rent(Base64Chunk / 3 * 4);
        try
        {
            foreach (var q in questions)
            {
                var row = new List<string?> { q.Index.ToString(CultureInfo.InvariantCulture), q.Text };
                row.AddRange(OptionColumns.Select((_, i) => i < q.Options.Count ? q.Options[i] : ""));
                if (withAnswer) row.AddRange([q.Answer, q.Category, q.TaskName, q.DepartmentName]);
                else row.Add(q.TaskName);
                row.AddRange([q.Case.Granularity.Text(), q.Case.Modality, q.Case.OriginalTask]);
                TsvFormat.WriteFields(writer, row);
                writer.Write('\t');
                // Base64 holds no tab, quote or line break, so the cell is never quoted and can be written as it is encoded.
                if (shareImages && firstIndex.TryGetValue(q.Case.ImageSha, out var earlier)) writer.Write(earlier.ToString(CultureInfo.InvariantCulture));
                else
                {
                    WriteBase64(writer, images, q.Case.ImageSha, bytes, chars);
                    firstIndex[q.Case.ImageSha] = q.Index;
                }
                writer.Write('\n');
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The image's base64, as <see cref="Convert.ToBase64String(byte[])"/> would give it, one chunk at a time.</summary>
    private static void WriteBase64(TextWriter writer, IObjectStore images, string sha, byte[] bytes, char[] chars)
    {
        using var stream = images.OpenRead(sha);
        while (true)
        {
            // A full chunk unless the stream ended (a short read mid-stream would put padding inside the cell).
            var n = 0;
            int read;
            while (n < Base64Chunk && (read = stream.Read(bytes, n, Base64Chunk - n)) > 0) n += read;
            if (n == 0) break;
            if (!Convert.TryToBase64Chars(bytes.AsSpan(0, n), chars, out var written)) throw new InvalidOperationException("base64 buffer too small");
            writer.Write(chars, 0, written);
            if (n < Base64Chunk) break;   // the stream has ended (and checked its hash on the read that returned 0)
        }
    }

    public static void WriteFile(string path, IEnumerable<Question> questions, IObjectStore images, bool withAnswer)
    {
        using var writer = new StreamWriter(path, false, TsvFormat.Utf8);
        Write(writer, questions, images, withAnswer);
    }
}

/// <summary><c>&lt;DisplayName&gt;.tsv</c>: the VLMEvalKit TSV of a build or subset, with answers.</summary>
public sealed class BenchmarkTsvOutput : IOutputWriter
{
    public IReadOnlyList<string> Files(OutputContext context) => [$"{context.DisplayName}.tsv"];

    public void Write(OutputContext context, string folder) =>
        BenchmarkTsv.WriteFile(Path.Combine(folder, $"{context.DisplayName}.tsv"), context.Questions, context.Objects, withAnswer: true);
}

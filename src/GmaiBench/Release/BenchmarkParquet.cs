using System.Text.Json;
using System.Text.Json.Nodes;
using GmaiBench.Questions;
using Parquet;
using Parquet.Schema;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>
/// Parquet in the Hugging Face <c>datasets</c> layout: the image is a struct of <c>bytes</c> then <c>path</c>,
/// and the file's key-value metadata <c>huggingface</c> names every feature, so <c>load_dataset</c> decodes
/// images without a loading script. Rows go in row groups bounded by bytes, for the Hub's dataset viewer.
/// </summary>
public static class BenchmarkParquet
{
    public static readonly string[] StringColumns =
        ["question", "A", "B", "C", "D", "E", "answer", "category", "clinical_vqa_task", "department", "perceptual_granularity", "modality", "original_task", "split", "source"];

    private static readonly DataField IndexField = new DataField<long>("index");
    private static readonly Dictionary<string, DataField> Fields = StringColumns.ToDictionary(c => c, c => (DataField)new DataField<string>(c, nullable: true));
    private static readonly DataField ImageBytes = new DataField<byte[]>("bytes", nullable: true);
    private static readonly DataField ImagePath = new DataField<string>("path", nullable: true);
    private static readonly StructField ImageField = new("image", ImageBytes, ImagePath);

    public static ParquetSchema Schema { get; } = new([IndexField, .. StringColumns.Select(c => Fields[c]), ImageField]);

    /// <summary>The <c>huggingface</c> metadata value: <c>{"info": {"features": {...}}}</c> in column order.</summary>
    public static string HuggingFaceMetadata()
    {
        var features = new JsonObject { ["index"] = new JsonObject { ["dtype"] = "int64", ["_type"] = "Value" } };
        foreach (var c in StringColumns) features[c] = new JsonObject { ["dtype"] = "string", ["_type"] = "Value" };
        features["image"] = new JsonObject { ["_type"] = "Image" };
        return new JsonObject { ["info"] = new JsonObject { ["features"] = features } }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>
    /// A row's string columns. Without answers (public TEST) every answer-derived column is null: the answer, its label text
    /// (<c>category</c>), its label's department, and the source (whose label set narrows the options); the schema stays the
    /// same for every split, as the datasets library needs.
    /// </summary>
    public static string?[] Values(Question q, bool withAnswer) =>
    [
        q.Text,
        .. Enumerable.Range(0, 5).Select(i => i < q.Options.Count ? q.Options[i] : null),
        withAnswer ? q.Answer : null,
        withAnswer ? q.Category : null, q.TaskName, withAnswer ? q.DepartmentName : null, q.Case.Granularity.Text(), q.Case.Modality, q.Case.OriginalTask,
        q.Split, withAnswer ? q.Case.SourceId : null,
    ];

    /// <param name="rowGroupBytes">Rows are grouped so a group's image bytes stay under this many bytes.</param>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<Question> questions, Func<string, byte[]> image, bool withAnswer, long rowGroupBytes = 100L * 1024 * 1024)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy });
        writer.CustomMetadata = new Dictionary<string, string> { ["huggingface"] = HuggingFaceMetadata() };
        var start = 0;
        while (start < questions.Count || (questions.Count == 0 && start == 0))
        {
            var rows = new List<(Question Q, byte[] Png)>();
            long bytes = 0;
            for (var i = start; i < questions.Count; i++)
            {
                var png = image(questions[i].Case.ImageSha);
                if (rows.Count > 0 && bytes + png.Length > rowGroupBytes) break;
                rows.Add((questions[i], png));
                bytes += png.Length;
            }
            using (var group = writer.CreateRowGroup())
            {
                await group.WriteAsync<long>(IndexField, rows.Select(r => (long)r.Q.Index).ToArray().AsMemory());
                var values = rows.Select(r => Values(r.Q, withAnswer)).ToList();
                for (var c = 0; c < StringColumns.Length; c++)
                    await group.WriteAsync(Fields[StringColumns[c]], values.Select(v => v[c]!).ToList());
                await group.WriteAsync(ImageBytes, rows.Select(r => r.Png).ToList());
                await group.WriteAsync(ImagePath, rows.Select(r => $"{r.Q.Case.ImageSha}.png").ToList());
            }
            start += rows.Count;
            if (questions.Count == 0) break;
        }
    }

    public static void WriteFile(string path, IReadOnlyList<Question> questions, Func<string, byte[]> image, bool withAnswer, long rowGroupBytes = 100L * 1024 * 1024)
    {
        using var fs = File.Create(path);
        WriteAsync(fs, questions, image, withAnswer, rowGroupBytes).GetAwaiter().GetResult();
    }
}

/// <summary><c>&lt;DisplayName&gt;.parquet</c>: the Hugging Face Parquet file of a build or subset, with answers.</summary>
public sealed class BenchmarkParquetOutput : IOutputWriter
{
    public IReadOnlyList<string> Files(OutputContext context) => [$"{context.DisplayName}.parquet"];

    public void Write(OutputContext context, string folder) =>
        BenchmarkParquet.WriteFile(Path.Combine(folder, $"{context.DisplayName}.parquet"), context.Questions, context.Image, withAnswer: true);
}

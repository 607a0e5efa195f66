using System.Text.Json;
using System.Text.Json.Nodes;
using GmaiBench.Questions;
using Parquet;
using Parquet.Schema;
using GmaiBench.Model;
using GmaiBench.Release.ParquetPages;

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

    /// <summary>
    /// The rows of each row group: consecutive runs whose image bytes stay under <paramref name="rowGroupBytes"/> (a row
    /// larger than that alone is a group of its own), planned from the images' sizes alone. No questions make one empty group.
    /// </summary>
    public static List<(int Start, int Count)> RowGroups(IReadOnlyList<Question> questions, IObjectStore images, long rowGroupBytes)
    {
        var groups = new List<(int Start, int Count)>();
        var start = 0;
        long bytes = 0;
        for (var i = 0; i < questions.Count; i++)
        {
            var size = images.SizeOf(questions[i].Case.ImageSha);
            if (i > start && bytes + size > rowGroupBytes)
            {
                groups.Add((start, i - start));
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        groups.Add((start, questions.Count - start));
        return groups;
    }

    /// <summary>
    /// Writes the file one row group at a time. The image column is streamed from the store (<see cref="StreamedImageColumn"/>):
    /// a group holds its other columns and 64 KiB of its images, whatever its size. Where this Parquet.Net cannot stream it,
    /// a group's images are read from the store just before it is written and dropped once it is (same bytes).
    /// </summary>
    /// <param name="rowGroupBytes">Rows are grouped so a group's image bytes stay under this many bytes.</param>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<Question> questions, IObjectStore images, bool withAnswer, long rowGroupBytes = 100L * 1024 * 1024)
    {
        var groups = RowGroups(questions, images, rowGroupBytes);
        var splicing = StreamedImageColumn.Available ? new SplicingStream(stream) : null;
        await using var writer = await ParquetWriter.CreateAsync(Schema, splicing ?? stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy });
        writer.CustomMetadata = new Dictionary<string, string> { ["huggingface"] = HuggingFaceMetadata() };
        foreach (var (start, count) in groups)
            await WriteGroupAsync(writer, questions.Skip(start).Take(count).ToList(), images, withAnswer, splicing);
    }

    private static async Task WriteGroupAsync(ParquetWriter writer, List<Question> rows, IObjectStore images, bool withAnswer, SplicingStream? splicing)
    {
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(IndexField, rows.Select(q => (long)q.Index).ToArray().AsMemory());
        var values = rows.Select(q => Values(q, withAnswer)).ToList();
        for (var c = 0; c < StringColumns.Length; c++)
            await group.WriteAsync(Fields[StringColumns[c]], values.Select(v => v[c]!).ToList());
        if (splicing is not null && rows.Count > 0)
            await StreamedImageColumn.WriteAsync(group, splicing, ImageBytes, rows.Select(q => q.Case.ImageSha).ToList(), images);
        else
        {
            await group.WriteAsync(ImageBytes, rows.Select(q => images.Get(q.Case.ImageSha)).ToList());
            if (rows.Count > 0) ReleaseMemory.AfterLargeBlock();
        }
        await group.WriteAsync(ImagePath, rows.Select(q => $"{q.Case.ImageSha}.png").ToList());
    }

    public static void WriteFile(string path, IReadOnlyList<Question> questions, IObjectStore images, bool withAnswer, long rowGroupBytes = 100L * 1024 * 1024)
    {
        using var fs = new SynchronousStream(File.Create(path));
        WriteAsync(fs, questions, images, withAnswer, rowGroupBytes).GetAwaiter().GetResult();
    }
}

/// <summary><c>&lt;DisplayName&gt;.parquet</c>: the Hugging Face Parquet file of a build or subset, with answers.</summary>
public sealed class BenchmarkParquetOutput : IOutputWriter
{
    public IReadOnlyList<string> Files(OutputContext context) => [$"{context.DisplayName}.parquet"];

    public void Write(OutputContext context, string folder) =>
        BenchmarkParquet.WriteFile(Path.Combine(folder, $"{context.DisplayName}.parquet"), context.Questions, context.Objects, withAnswer: true);
}

using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using GmaiBench.Questions;
using GmaiBench.Release;
using GmaiBench.Tests.Questions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GmaiBench.Model;

namespace GmaiBench.Tests.Release;

public class FormatTests
{
    public static byte[] TinyPng(byte shade)
    {
        using var img = new Image<Rgb24>(2, 2, new Rgb24(shade, shade, shade));
        return GmaiBench.Ingest.Raster.RasterDecoder.EncodePng(img);
    }

    private static Question Q(int index, string key, string sha, string answer, params string[] options) => new()
    {
        Key = key, Index = index,
        Case = QuestionTests.Case(key, "src", "normal") with { ImageSha = sha },
        Text = "This is a X-ray image. What is shown?", Options = options, OptionLabels = options, Answer = answer,
        AnswerLabels = ["normal"], Category = "normal", TaskName = "Disease Diagnosis", DepartmentName = "Pulmonary Medicine",
        Split = index == 0 ? "VAL" : "TEST", Pool = "DD/image",
    };

    private static readonly Dictionary<string, byte[]> Images = new() { ["s1"] = TinyPng(10), ["s2"] = TinyPng(200) };

    private static readonly List<Question> Sample =
    [
        Q(0, "src/a", "s1", "A", "normal", "pneumonia"),
        Q(1, "src/b", "s2", "C", "pneumonia", "say \"no\"", "normal", "tab\there"),
        Q(2, "src/c", "s1", "B", "pneumonia", "normal"),
    ];

    [Fact]
    public void Tsv_matches_the_golden_rows_and_shares_repeated_images_by_index()
    {
        var w = new StringWriter();
        BenchmarkTsv.Write(w, Sample, new MemoryObjectStore(Images), withAnswer: true);
        var b64 = Convert.ToBase64String(Images["s1"]);
        var b64b = Convert.ToBase64String(Images["s2"]);
        var expected =
            "index\tquestion\tA\tB\tC\tD\tE\tanswer\tcategory\tclinical VQA task\tdepartment\tperceptual granularity\tmodality\toriginal task\timage\n" +
            $"0\tThis is a X-ray image. What is shown?\tnormal\tpneumonia\t\t\t\tA\tnormal\tDisease Diagnosis\tPulmonary Medicine\timage\tX-ray\tCLS_2D\t{b64}\n" +
            $"1\tThis is a X-ray image. What is shown?\tpneumonia\t\"say \"\"no\"\"\"\tnormal\t\"tab\there\"\t\tC\tnormal\tDisease Diagnosis\tPulmonary Medicine\timage\tX-ray\tCLS_2D\t{b64b}\n" +
            "2\tThis is a X-ray image. What is shown?\tpneumonia\tnormal\t\t\t\tB\tnormal\tDisease Diagnosis\tPulmonary Medicine\timage\tX-ray\tCLS_2D\t0\n";
        Assert.Equal(expected, w.ToString());
        var parsed = TsvFormat.Parse(w.ToString());
        Assert.Equal("say \"no\"", parsed[2][3]);
        Assert.Equal("tab\there", parsed[2][5]);
    }

    [Fact]
    public void Tsv_rows_stream_from_a_file_with_quoting_intact_across_read_buffers()
    {
        // Fields as large as an image cell, with doubled quotes, tabs and line breaks placed on both sides of the 64 KiB
        // boundaries the reader refills at.
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 40).Select(i => new[]
        {
            $"{i}",
            new string('x', rng.Next(1, 70_000)) + (i % 3 == 0 ? "\"q\"" : "") + (i % 4 == 0 ? "a\tb" : "") + (i % 5 == 0 ? "line\nbreak" : ""),
            i % 2 == 0 ? "\"" : "",
            "end",
        }).ToList();
        var path = Path.Combine(TestData.TempDir("tsv-stream"), "rows.tsv");
        using (var w = new StreamWriter(path, false, TsvFormat.Utf8))
            foreach (var r in rows) TsvFormat.WriteRow(w, r);
        var read = TsvFormat.ReadRows(path).ToList();
        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++) Assert.Equal(rows[i], read[i]);
        Assert.Equal(read, TsvFormat.Parse(File.ReadAllText(path)));
    }

    [Fact]
    public void Tsv_without_answers_has_no_answer_or_answer_derived_column()
    {
        var w = new StringWriter();
        BenchmarkTsv.Write(w, Sample, new MemoryObjectStore(Images), withAnswer: false);
        var rows = TsvFormat.Parse(w.ToString());
        // category is the answer's label text and department the answer label's department: both would reveal a TEST answer.
        Assert.DoesNotContain("answer", rows[0]);
        Assert.DoesNotContain("category", rows[0]);
        Assert.DoesNotContain("department", rows[0]);
        Assert.All(rows, r => Assert.Equal(12, r.Length));
    }

    [Fact]
    public void Parquet_reads_in_duckdb_with_the_image_struct_and_huggingface_features()
    {
        var path = Path.Combine(TestData.TempDir("parquet"), "t.parquet");
        BenchmarkParquet.WriteFile(path, Sample, new MemoryObjectStore(Images), withAnswer: true, rowGroupBytes: 100);
        var check = ParquetCheck.Read(path);
        Assert.Equal("STRUCT(bytes BLOB, path VARCHAR)", check.Types["image"]);
        Assert.Equal("BIGINT", check.Types["index"]);
        Assert.Equal("VARCHAR", check.Types["question"]);
        Assert.Equal(3, check.Rows);
        Assert.Equal(3, check.RowGroups);
        Assert.Equal([0L, 1L, 2L], check.Indexes);
        Assert.Equal(["A", "C", "B"], check.Answers);
        Assert.All(check.Images, png => Assert.Equal(2, Image.Load<Rgb24>(png).Width));
        var features = JsonNode.Parse(check.HuggingFace)!["info"]!["features"]!.AsObject();
        Assert.Equal(check.Types.Keys.Order(), features.Select(f => f.Key).Order());
        Assert.Equal("Image", (string?)features["image"]!["_type"]);
        Assert.Equal("string", (string?)features["A"]!["dtype"]);
        Assert.Null(check.Options[0][2]);
    }
}

/// <summary>Reads a Parquet file back through DuckDB, an independent reader.</summary>
public sealed record ParquetCheck(Dictionary<string, string> Types, long Rows, long RowGroups, List<long> Indexes, List<string?> Answers, List<byte[]> Images, List<string?[]> Options, string HuggingFace)
{
    public static ParquetCheck Read(string path)
    {
        using var con = new DuckDBConnection("Data Source=:memory:");
        con.Open();
        string q(string sql) => sql.Replace("$f", "'" + path.Replace("'", "''") + "'");
        var types = new Dictionary<string, string>();
        using (var cmd = con.CreateCommand())
        {
            cmd.CommandText = q("DESCRIBE SELECT * FROM read_parquet($f)");
            using var r = cmd.ExecuteReader();
            while (r.Read()) types[r.GetString(0)] = r.GetString(1);
        }
        long Scalar(string sql)
        {
            using var cmd = con.CreateCommand();
            cmd.CommandText = q(sql);
            return Convert.ToInt64(cmd.ExecuteScalar());
        }
        var indexes = new List<long>();
        var answers = new List<string?>();
        var images = new List<byte[]>();
        var options = new List<string?[]>();
        using (var cmd = con.CreateCommand())
        {
            cmd.CommandText = q("SELECT \"index\", answer, image.bytes, A, B, C, D, E FROM read_parquet($f) ORDER BY \"index\"");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                indexes.Add(r.GetInt64(0));
                answers.Add(r.IsDBNull(1) ? null : r.GetString(1));
                using var s = r.GetStream(2);
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                images.Add(ms.ToArray());
                options.Add(Enumerable.Range(3, 5).Select(i => r.IsDBNull(i) ? null : r.GetString(i)).ToArray());
            }
        }
        string hf;
        using (var cmd = con.CreateCommand())
        {
            cmd.CommandText = q("SELECT decode(value) FROM parquet_kv_metadata($f) WHERE decode(key) = 'huggingface'");
            hf = (string)cmd.ExecuteScalar()!;
        }
        return new ParquetCheck(types, Scalar("SELECT count(*) FROM read_parquet($f)"),
            Scalar("SELECT count(DISTINCT row_group_id) FROM parquet_metadata($f)"), indexes, answers, images, options, hf);
    }
}

using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using YamlDotNet.RepresentationModel;
using GmaiBench.Model;
using GmaiBench.Release.ParquetPages;

namespace GmaiBench.Release;

/// <summary>
/// <c>gmai verify</c>: every checksum and size in the manifest, no unlisted file, the schema of every Parquet shard
/// and TSV, counts against the manifest and the card, answers consistent between Parquet, TSV and the key, and
/// every image decoding as PNG. Returns the problems found (none means the release is sound).
/// </summary>
public static partial class ReleaseVerifier
{
    [GeneratedRegex(@"^data/(?:multi_answer/)?(val|test)-(\d{5})-of-(\d{5})\.parquet$")]
    private static partial Regex ShardName();

    private const string PrivatePrefix = "private/";

    public static List<string> Verify(string folder)
    {
        var problems = new List<string>();
        ReleaseManifest manifest;
        try { manifest = ReleaseManifest.Read(folder); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            return [$"{ReleaseManifest.FileName}: cannot be read: {e.Message}"];
        }

        // Checksums: every listed file present and unchanged, every present file listed. The public copy (everything but
        // private/, as uploaded) verifies without the private folder; when it is there, it is checked like the rest.
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var hasPrivate = Directory.Exists(Path.Combine(folder, "private"));
        foreach (var f in manifest.Files)
        {
            var full = Path.Combine(folder, f.Path);
            if (!File.Exists(full))
            {
                if (hasPrivate || !f.Path.StartsWith(PrivatePrefix, StringComparison.Ordinal)) problems.Add($"{f.Path}: missing");
                continue;
            }
            var size = new FileInfo(full).Length;
            if (size != f.Size) problems.Add($"{f.Path}: size {size} differs from the manifest's {f.Size}");
            else if (Fingerprints.OfFile(full) != f.Sha256) problems.Add($"{f.Path}: sha256 differs from the manifest");
        }
        foreach (var f in ReleaseWriter.Checksums(folder).Where(f => !listed.ContainsKey(f.Path)))
            problems.Add($"{f.Path}: not listed in the manifest");

        var rows = new Dictionary<string, Dictionary<long, string?>>(); // split -> index -> answer (Parquet)
        VerifyParquet(folder, manifest, problems, rows);
        var tsv = VerifyTsv(folder, manifest, problems);
        VerifyAnswers(folder, rows, tsv, problems, hasPrivate);
        VerifyCard(folder, manifest, problems);
        return problems;
    }

    private static void VerifyParquet(string folder, ReleaseManifest manifest, List<string> problems, Dictionary<string, Dictionary<long, string?>> rows)
    {
        var shards = manifest.Files.Select(f => f.Path).Where(p => p.StartsWith("data/", StringComparison.Ordinal)).ToList();
        foreach (var split in new[] { "val", "test" }) rows[split.ToUpperInvariant()] = new Dictionary<long, string?>();
        foreach (var (config, split) in ConfigsOf(manifest).SelectMany(c => new[] { "val", "test" }.Select(x => (c, x))))
        {
            var folderOf = ReleaseConfig.DataFolderOf(config);
            var mine = shards.Where(s => s.StartsWith($"{folderOf}/{split}-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            for (var k = 0; k < mine.Count; k++)
            {
                var m = ShardName().Match(mine[k]);
                if (!m.Success || int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) != k || int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) != mine.Count)
                    problems.Add($"{mine[k]}: shard name does not follow {folderOf}/{split}-{{i:05d}}-of-{mine.Count:00000}.parquet");
            }
            var answers = new Dictionary<long, string?>();
            foreach (var shard in mine)
            {
                var full = Path.Combine(folder, shard);
                if (!File.Exists(full)) continue;
                try { ReadShard(full, shard, answers, problems); }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    problems.Add($"{shard}: cannot be read as Parquet: {e.Message}");
                }
            }
            var expected = ExpectedRows(manifest, config, split.ToUpperInvariant());
            if (answers.Count != expected) problems.Add($"{folderOf}/{split}-*: {answers.Count} rows, the manifest counts {expected}");
            foreach (var (index, answer) in answers)
                if (!rows[split.ToUpperInvariant()].TryAdd(index, answer)) problems.Add($"{folderOf}/{split}-*: index {index} appears in two configs");
        }
    }

    /// <summary>The configs the manifest names (a release written before configs existed has the default one only).</summary>
    private static IEnumerable<string> ConfigsOf(ReleaseManifest manifest) =>
        manifest.Configs.Count == 0 ? [ReleaseConfig.Default] : manifest.Configs.Keys.Order(StringComparer.Ordinal);

    private static int ExpectedRows(ReleaseManifest manifest, string config, string split) =>
        manifest.Configs.Count == 0 ? manifest.Splits.GetValueOrDefault(split) : manifest.Configs.GetValueOrDefault(config)?.GetValueOrDefault(split) ?? 0;

    private static void ReadShard(string full, string name, Dictionary<long, string?> answers, List<string> problems)
    {
        using var stream = new SynchronousStream(File.OpenRead(full));
        // The image column is read by a page reader of the project's own, over a handle of its own (it buffers itself).
        using var imageFile = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try { ReadRows(reader, new ByteArrayChunkReader(imageFile), name, answers, problems); }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    private static void ReadRows(ParquetReader reader, ByteArrayChunkReader images, string name, Dictionary<long, string?> answers, List<string> problems)
    {
        if (!reader.Schema.Equals(BenchmarkParquet.Schema))
            problems.Add($"{name}: schema differs: {reader.Schema.GetNotEqualsMessage(BenchmarkParquet.Schema, "file", "expected")}");
        if (!reader.CustomMetadata.TryGetValue("huggingface", out var hf))
            problems.Add($"{name}: no 'huggingface' key-value metadata");
        else
        {
            var features = JsonNode.Parse(hf)?["info"]?["features"]?.AsObject();
            var names = reader.Schema.Fields.Select(f => f.Name).ToList();
            if (features is null || !names.All(features.ContainsKey))
                problems.Add($"{name}: the 'huggingface' metadata does not describe every column");
        }
        var fields = reader.Schema.GetDataFields();
        DataField Field(string n) => fields.First(f => f.Name == n);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var n = (int)rg.RowCount;
            var index = new long[n];
            rg.ReadAsync<long>(Field("index"), index.AsMemory()).GetAwaiter().GetResult();
            var answer = new string?[n];
            rg.ReadAsync(Field("answer"), answer.AsMemory()).GetAwaiter().GetResult();
            for (var i = 0; i < n; i++)
                if (!answers.TryAdd(index[i], answer[i])) problems.Add($"{name}: index {index[i]} appears twice");
            try { CheckImages(rg, Field("bytes"), images, index, name, problems); }
            catch (MalformedPageException e) { problems.Add($"{name}: row group {g}, column image.bytes: {e.Message}"); }
        }
    }

    /// <summary>
    /// Decodes each image of a row group as PNG, one at a time: Parquet.Net would read the whole column chunk at once (the
    /// compressed chunk, its decompressed copy and an array per row: about 850 MB for a 100 MB row group), where
    /// <see cref="ByteArrayChunkReader"/> holds one image and its fixed buffers.
    /// </summary>
    private static void CheckImages(ParquetRowGroupReader rg, DataField field, ByteArrayChunkReader images, long[] index, string name, List<string> problems)
    {
        var chunk = ColumnChunkLocation.Of(rg.GetMetadata(field), field);
        if (chunk.NumValues != index.Length) throw new MalformedPageException($"the footer counts {chunk.NumValues} values for the row group's {index.Length} rows");
        images.Open(chunk);
        for (var i = 0; images.Next(); i++)
            if (images.IsNull || !DecodesAsPng(images.Value)) problems.Add($"{name}: the image of index {index[i]} does not decode as PNG");
    }

    /// <summary>
    /// Decoding for the check only: the pixels are thrown away at once, so ImageSharp's pool (by default up to a share of
    /// the machine's memory, kept between images) is held small; a release of thousands of large images then verifies in
    /// about one image's worth of pixel memory.
    /// </summary>
    private static readonly SixLabors.ImageSharp.Configuration DecodeCheck = CheckConfiguration();

    private static SixLabors.ImageSharp.Configuration CheckConfiguration()
    {
        var config = SixLabors.ImageSharp.Configuration.Default.Clone();
        config.MemoryAllocator = SixLabors.ImageSharp.Memory.MemoryAllocator.Create(
            new SixLabors.ImageSharp.Memory.MemoryAllocatorOptions { MaximumPoolSizeMegabytes = 16 });
        return config;
    }

    private static bool DecodesAsPng(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || bytes[0] != 0x89 || bytes[1] != 0x50) return false;
        try
        {
            using var img = Image.Load<Rgb24>(DecodeCheck, bytes);
            return img.Width > 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; }
    }

    /// <summary>Characters of image cells read between collections while reading a TSV (about 100 MB of text).</summary>
    private const long CollectEveryChars = 50L * 1024 * 1024;

    private sealed record TsvRows(Dictionary<long, string> ValAnswers, Dictionary<long, string[]> TestOptions)
    {
        public List<(PublicRow Row, string Answer)> Val { get; } = [];
        public List<PublicRow> Test { get; } = [];
    }

    private static TsvRows VerifyTsv(string folder, ReleaseManifest manifest, List<string> problems)
    {
        var result = new TsvRows([], []);
        var files = manifest.Files.Select(f => f.Path).Where(p => p.StartsWith("vlmevalkit/", StringComparison.Ordinal)).ToList();
        var valNames = ConfigsOf(manifest).Select(c => $"vlmevalkit/{ReleaseConfig.TsvNameOf(c, manifest.DisplayName)}_VAL.tsv").ToList();
        var testParts = files.Where(f => ConfigsOf(manifest).Any(c =>
            f.StartsWith($"vlmevalkit/{ReleaseConfig.TsvNameOf(c, manifest.DisplayName)}_TEST_part_", StringComparison.Ordinal))).ToList();
        foreach (var name in valNames.Where(n => !files.Contains(n))) problems.Add($"{name}: missing from the manifest");
        foreach (var f in files)
        {
            var full = Path.Combine(folder, f);
            if (!File.Exists(full)) continue;
            var withAnswer = valNames.Contains(f);
            if (!withAnswer && !testParts.Contains(f)) { problems.Add($"{f}: neither the VAL file nor a TEST part"); continue; }
            // Row by row: a VLMEvalKit file can be gigabytes; only each row's index is kept to resolve image references.
            using var rows = TsvFormat.ReadRows(full).GetEnumerator();
            var header = BenchmarkTsv.Columns(withAnswer);
            if (!rows.MoveNext() || !rows.Current.SequenceEqual(header)) { problems.Add($"{f}: header differs from {string.Join(",", header)}"); continue; }
            var names = rows.Current;
            var col = (string c) => Array.IndexOf(names, c);
            var withImage = new HashSet<string>(StringComparer.Ordinal);
            long sinceCollect = 0;
            while (rows.MoveNext())
            {
                var r = rows.Current;
                if (r.Length != header.Count) { problems.Add($"{f}: a row has {r.Length} fields, not {header.Count}"); continue; }
                var index = long.Parse(r[0], CultureInfo.InvariantCulture);
                var cell = r[col("image")];
                if (cell.Length <= 64)
                {
                    if (!withImage.Contains(cell)) { problems.Add($"{f}: index {index} refers to image of index {cell}, which is not an earlier row"); continue; }
                }
                else
                {
                    // Decoded into a pooled buffer: each row's image is checked and dropped, never kept.
                    var png = ArrayPool<byte>.Shared.Rent(cell.Length / 4 * 3 + 3);
                    try
                    {
                        if (!Convert.TryFromBase64String(cell, png, out var length)) { problems.Add($"{f}: the image of index {index} is not base64"); continue; }
                        if (!DecodesAsPng(png.AsSpan(0, length))) problems.Add($"{f}: the image of index {index} does not decode as PNG");
                    }
                    finally { ArrayPool<byte>.Shared.Return(png); }
                    // A row's text is large-object garbage once read; collect it every so often so rows never pile up.
                    if ((sinceCollect += cell.Length) > CollectEveryChars) { ReleaseMemory.AfterLargeBlock(); sinceCollect = 0; }
                }
                withImage.Add(r[0]);
                var options = BenchmarkTsv.OptionColumns.Select(o => r[col(o)]).ToArray();
                var publicRow = new PublicRow(index, header.Select((c, i) => (c, i)).Where(x => x.c != "image" && x.c != "answer")
                    .ToDictionary(x => x.c, x => r[x.i], StringComparer.Ordinal), options);
                if (withAnswer)
                {
                    result.ValAnswers[index] = r[col("answer")];
                    result.Val.Add((publicRow, r[col("answer")]));
                }
                else
                {
                    result.TestOptions[index] = options;
                    result.Test.Add(publicRow);
                }
            }
        }
        if (result.ValAnswers.Count != manifest.Splits.GetValueOrDefault("VAL"))
            problems.Add($"vlmevalkit VAL files: {result.ValAnswers.Count} rows, the manifest counts {manifest.Splits.GetValueOrDefault("VAL")}");
        if (result.TestOptions.Count != manifest.Splits.GetValueOrDefault("TEST"))
            problems.Add($"vlmevalkit TEST parts: {result.TestOptions.Count} rows, the manifest counts {manifest.Splits.GetValueOrDefault("TEST")}");
        return result;
    }

    private static void VerifyAnswers(string folder, Dictionary<string, Dictionary<long, string?>> parquet, TsvRows tsv, List<string> problems, bool hasPrivate)
    {
        foreach (var (index, answer) in tsv.ValAnswers)
        {
            if (!parquet.TryGetValue("VAL", out var val) || !val.TryGetValue(index, out var pa)) { problems.Add($"VAL index {index}: in the TSV, not in Parquet"); continue; }
            if (pa != answer) problems.Add($"VAL index {index}: answer '{answer}' in the TSV, '{pa}' in Parquet");
        }
        if (parquet.TryGetValue("TEST", out var test))
            foreach (var (index, answer) in test.Where(kv => kv.Value is not null))
                problems.Add($"TEST index {index}: Parquet carries an answer ('{answer}'); TEST answers belong in private/ only");
        if (!hasPrivate) return;   // the public copy: no key to check against
        var keyPath = Path.Combine(folder, "private", "test_answers.tsv");
        if (!File.Exists(keyPath)) { problems.Add("private/test_answers.tsv: missing"); return; }
        var key = new Dictionary<long, string>();
        foreach (var r in TsvFormat.ReadRows(keyPath).Skip(1))
        {
            if (r.Length < 2 || !long.TryParse(r[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                problems.Add($"private/test_answers.tsv: a row does not start with an index and an answer ({string.Join(" ", r.Take(2))})");
            else if (!key.TryAdd(index, r[1])) problems.Add($"private/test_answers.tsv: index {index} appears twice");
        }
        foreach (var index in tsv.TestOptions.Keys.Where(i => !key.ContainsKey(i))) problems.Add($"TEST index {index}: no answer in the key");
        foreach (var (index, answer) in key)
        {
            if (!tsv.TestOptions.TryGetValue(index, out var options)) { problems.Add($"answer key index {index}: not in the TEST TSVs"); continue; }
            foreach (var letter in answer.Split(','))
            {
                var at = BenchmarkTsv.OptionColumns.ToList().IndexOf(letter);
                if (at < 0 || string.IsNullOrEmpty(options[at])) problems.Add($"answer key index {index}: '{answer}' names no option of the question");
            }
        }
        if (test is not null && !test.Keys.ToHashSet().SetEquals(key.Keys)) problems.Add("TEST: the indices in Parquet and in the answer key differ");
        problems.AddRange(LeakAudit.Run(tsv.Val, tsv.Test, key));
    }

    private static void VerifyCard(string folder, ReleaseManifest manifest, List<string> problems)
    {
        var path = Path.Combine(folder, "README.md");
        if (!File.Exists(path)) return;
        var text = File.ReadAllText(path);
        var parts = text.Split("---\n");
        if (!text.StartsWith("---\n", StringComparison.Ordinal) || parts.Length < 3) { problems.Add("README.md: no YAML header"); return; }
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(parts[1]));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (YamlMappingNode info in (YamlSequenceNode)root["dataset_info"])
            {
                var config = ((YamlScalarNode)info["config_name"]).Value!;
                foreach (YamlMappingNode s in (YamlSequenceNode)info["splits"])
                {
                    var name = ((YamlScalarNode)s["name"]).Value!.ToUpperInvariant();
                    var n = int.Parse(((YamlScalarNode)s["num_examples"]).Value!, CultureInfo.InvariantCulture);
                    var expected = ExpectedRows(manifest, config, name);
                    if (n != expected) problems.Add($"README.md: {config} {name} num_examples {n}, the manifest counts {expected}");
                }
            }
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidCastException or KeyNotFoundException or FormatException)
        {
            problems.Add($"README.md: the YAML header cannot be read: {e.Message}");
        }
    }
}

using System.Text.Json.Nodes;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Release.ParquetPages;
using Parquet;
using YamlDotNet.RepresentationModel;
using GmaiBench.Model;

namespace GmaiBench.Tests.Release;

public class ReleaseTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void A_demo_release_reads_in_duckdb_and_its_card_counts_equal_the_data()
    {
        var project = corpus.NewProject("release");
        var build = project.Build();
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0");
        Assert.Equal(Path.Combine(project.Root, "releases", "gmai-demo", "1.0.0"), folder);
        Assert.Empty(ReleaseVerifier.Verify(folder));

        var manifest = ReleaseManifest.Read(folder);
        var counts = new Dictionary<string, long>();
        foreach (var split in new[] { "val", "test" })
        {
            var shards = Directory.GetFiles(Path.Combine(folder, "data"), $"{split}-*.parquet");
            Assert.Equal([$"{split}-00000-of-00001.parquet"], shards.Select(Path.GetFileName));
            var check = ParquetCheck.Read(shards[0]);
            Assert.Equal("STRUCT(bytes BLOB, path VARCHAR)", check.Types["image"]);
            Assert.Equal("BIGINT", check.Types["index"]);
            Assert.All(BenchmarkParquet.StringColumns, c => Assert.Equal("VARCHAR", check.Types[c]));
            var features = JsonNode.Parse(check.HuggingFace)!["info"]!["features"]!.AsObject();
            Assert.Equal(check.Types.Keys.Order(), features.Select(f => f.Key).Order());
            Assert.Equal(split == "val", check.Answers.All(a => a is not null));
            Assert.Equal(split == "test", check.Answers.All(a => a is null));
            counts[split] = check.Rows;
        }
        // data/ holds the single-answer items (the default config); multi-answer ones are in data/multi_answer/.
        Assert.Equal(build.Questions.Count(q => q.Split == "VAL" && !q.Multi), counts["val"]);
        Assert.Equal(build.Questions.Count(q => q.Multi), Directory.GetFiles(Path.Combine(folder, "data", "multi_answer"), "*.parquet").Sum(f => ParquetCheck.Read(f).Rows));

        var card = File.ReadAllText(Path.Combine(folder, "README.md"));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(card.Split("---\n")[1]));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var info = (YamlSequenceNode)root["dataset_info"];
        Assert.Equal(["default", "multi_answer"], info.Select(i => ((YamlScalarNode)((YamlMappingNode)i)["config_name"]).Value));
        var splits = (YamlSequenceNode)((YamlMappingNode)info[0])["splits"];
        foreach (YamlMappingNode s in splits)
            Assert.Equal(counts[((YamlScalarNode)s["name"]).Value!], long.Parse(((YamlScalarNode)s["num_examples"]).Value!));
        Assert.Equal("cc0-1.0", ((YamlScalarNode)((YamlSequenceNode)root["license"])[0]).Value);
        Assert.Equal("n<1K", ((YamlScalarNode)((YamlSequenceNode)root["size_categories"])[0]).Value);
        var configs = (YamlMappingNode)((YamlSequenceNode)root["configs"])[0];
        Assert.Equal("data/val-*", ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)configs["data_files"])[0])["path"]).Value);
        Assert.Contains("| demo-fundus | Demo fundus photographs | CC0-1.0 |", card);
        Assert.Equal(manifest.Splits["TEST"], File.ReadAllLines(Path.Combine(folder, "private", "test_answers.tsv")).Length - 1);
        Assert.DoesNotContain(manifest.Files, f => f.Path == ReleaseManifest.FileName);
        Assert.Contains("First release", File.ReadAllText(Path.Combine(folder, "CHANGELOG.md")));
        Assert.DoesNotContain("mmbench", string.Join(" ", Directory.GetFiles(Path.Combine(folder, "vlmevalkit")).Select(Path.GetFileName)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Verify_detects_a_flipped_byte_in_any_file_a_missing_file_and_a_wrong_count()
    {
        var project = corpus.NewProject("verify");
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
        var manifest = ReleaseManifest.Read(folder);
        Assert.True(manifest.Files.Count >= 7);
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(folder, file.Path);
            var original = File.ReadAllBytes(path);
            var damaged = original.ToArray();
            damaged[damaged.Length / 2] ^= 0x01;
            File.WriteAllBytes(path, damaged);
            Assert.Contains(ReleaseVerifier.Verify(folder), p => p.StartsWith(file.Path + ": sha256 differs", StringComparison.Ordinal));
            File.WriteAllBytes(path, original);
        }
        Assert.Empty(ReleaseVerifier.Verify(folder));

        var key = Path.Combine(folder, "private", "test_answers.tsv");
        var keyBytes = File.ReadAllBytes(key);
        File.Delete(key);
        Assert.Contains(ReleaseVerifier.Verify(folder), p => p == "private/test_answers.tsv: missing");
        File.WriteAllBytes(key, keyBytes);

        var manifestPath = Path.Combine(folder, ReleaseManifest.FileName);
        var text = File.ReadAllText(manifestPath);
        File.WriteAllText(manifestPath, text.Replace($"\"VAL\": {manifest.Splits["VAL"]}", $"\"VAL\": {manifest.Splits["VAL"] + 1}"));
        var problems = ReleaseVerifier.Verify(folder);
        Assert.Contains(problems, p => p.Contains($"the manifest counts {manifest.Splits["VAL"] + 1}"));
        File.WriteAllText(manifestPath, text);

        File.WriteAllText(Path.Combine(folder, "extra.txt"), "x");
        Assert.Contains(ReleaseVerifier.Verify(folder), p => p == "extra.txt: not listed in the manifest");
    }

    [Fact]
    public async Task Verify_reads_images_page_by_page_and_names_shard_row_group_and_reason_of_a_damaged_page()
    {
        var project = corpus.NewProject("verify-pages");
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
        const string shard = "data/test-00000-of-00001.parquet";
        var path = Path.Combine(folder, shard);
        ColumnChunkLocation chunk;
        await using (var reader = await ParquetReader.CreateAsync(path))
        {
            var field = reader.Schema.GetDataFields().Single(f => f.Name == "bytes");
            chunk = ColumnChunkLocation.Of(reader.OpenRowGroupReader(0).GetMetadata(field), field);
        }
        var original = File.ReadAllBytes(path);
        List<string> VerifyWith(Func<byte[], byte[]> damage)
        {
            File.WriteAllBytes(path, damage(original.ToArray()));
            try { return ReleaseVerifier.Verify(folder); }
            finally { File.WriteAllBytes(path, original); }
        }
        Assert.Empty(VerifyWith(b => b));

        // The page type (field 1 of the header, a zigzag varint) changed from DATA_PAGE (0) to 5: no such page type.
        Assert.Equal([0x15, 0x00], original[(int)chunk.Start..(int)(chunk.Start + 2)]);
        var problems = VerifyWith(b => { b[chunk.Start + 1] = 10; return b; });
        Assert.Equal([$"{shard}: sha256 differs from the manifest", $"{shard}: row group 0, column image.bytes: the page at byte {chunk.Start} has an unknown page type 5"], problems);

        // The first image's PNG signature (a Snappy literal: nothing precedes it to copy) made "\x89QNG": that image, and any
        // whose signature Snappy copied from it, fails to decode; the walk itself goes on.
        var signature = original.AsSpan((int)chunk.Start).IndexOf(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }) + (int)chunk.Start;
        problems = VerifyWith(b => { b[signature + 1] = (byte)'Q'; return b; });
        Assert.Equal($"{shard}: sha256 differs from the manifest", problems[0]);
        Assert.Equal($"{shard}: the image of index {ParquetCheck.Read(path).Indexes.First()} does not decode as PNG", problems[1]);
        Assert.All(problems.Skip(1), p => Assert.EndsWith("does not decode as PNG", p));

        // Cut short inside the image page: the footer is gone, which Parquet.Net reports; nothing throws.
        problems = VerifyWith(b => b[..(int)(chunk.Start + chunk.Length / 2)]);
        Assert.Contains($"{shard}: size {chunk.Start + chunk.Length / 2} differs from the manifest's {original.Length}", problems);
        Assert.Contains(problems, p => p.StartsWith($"{shard}: cannot be read as Parquet: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Different_jobs_and_shuffled_discovery_give_identical_files()
    {
        var a = corpus.NewProject("det-a");
        var b = corpus.NewProject("det-b");
        foreach (var table in new[] { "demo/corpus/chest-xray/labels.csv", "demo/corpus/dermoscopy/metadata.csv" })
        {
            var lines = File.ReadAllLines(b.PathOf(table));
            File.WriteAllLines(b.PathOf(table), lines.Take(1).Concat(lines.Skip(1).Reverse()));
        }
        var ra = ReleaseWriter.Write(Workflows.ReleaseInputOf(BuildRunner.Run(a.Config(), new BuildOptions { Jobs = 1 })), "1.0.0");
        var rb = ReleaseWriter.Write(Workflows.ReleaseInputOf(BuildRunner.Run(b.Config(), new BuildOptions { Jobs = 4 })), "1.0.0");
        var fa = ReleaseWriter.Checksums(ra);
        Assert.Equal(fa, ReleaseWriter.Checksums(rb));
        Assert.Equal(File.ReadAllBytes(Path.Combine(ra, ReleaseManifest.FileName)), File.ReadAllBytes(Path.Combine(rb, ReleaseManifest.FileName)));
    }

    [Fact]
    public void The_changelog_lists_an_added_source_and_a_removed_item_and_the_version_policy_holds()
    {
        var project = corpus.NewProject("changelog");
        var sources = project.PathOf("sources.yaml");
        var full = File.ReadAllText(sources);
        var cut = full.IndexOf("  - id: demo-dermoscopy", StringComparison.Ordinal);
        var next = full.IndexOf("  - id: ", cut + 5, StringComparison.Ordinal);
        File.WriteAllText(sources, full[..cut] + full[next..]);
        ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");

        File.WriteAllText(sources, full);
        File.Delete(project.PathOf("demo/corpus/fundus/glaucoma/p200_OD.png"));
        var build = project.Build();
        var minor = Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.1.0"));
        Assert.Contains("need a major version bump", minor.Message);
        Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "0.9.0"));
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "2.0.0");
        var log = File.ReadAllText(Path.Combine(folder, "CHANGELOG.md"));
        Assert.Contains("Against 1.0.0", log);
        Assert.Contains("Sources added: demo-dermoscopy", log);
        Assert.Contains("`demo-fundus/glaucoma/p200_OD.png`", log[log.IndexOf("## Removed items", StringComparison.Ordinal)..]);
        Assert.Contains($"| demo-dermoscopy | {build.Questions.Count(q => q.Case.SourceId == "demo-dermoscopy")} | 0 | 0 |", log);
        Assert.Equal("1.0.0", ReleaseManifest.Read(folder).PreviousVersion);
        Assert.Empty(ReleaseVerifier.Verify(folder));
    }

    [Fact]
    public void An_existing_version_is_refused_and_a_failure_halfway_leaves_no_release()
    {
        var project = corpus.NewProject("refuse");
        var build = project.Build();
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0");
        var before = ReleaseWriter.Checksums(folder);
        var e = Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0"));
        Assert.Contains("already published", e.Message);
        Assert.Equal(before, ReleaseWriter.Checksums(folder));
        Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0"));

        // Damage the object store so writing fails partway through the TEST split.
        var victim = build.Questions.Last(q => q.Split == "TEST").Case.ImageSha;
        File.WriteAllBytes(build.Objects.PathOf(victim), [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.1"));
        Assert.False(Directory.Exists(ReleaseWriter.ReleaseFolder(build.Config.Settings.Release, build.Config.Settings.Name, "1.0.1")));
        Assert.Equal([new SemVer(1, 0, 0)], ReleaseWriter.Published(build.Config.Settings.Release, build.Config.Settings.Name));
    }
}

public class ReleaseShardingTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void Shard_row_group_and_tsv_part_limits_split_the_files_and_the_release_still_verifies()
    {
        var project = corpus.NewProject("shards");
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline)
            .Replace("shard_mb: 500", "shard_mb: 2").Replace("row_group_mb: 100", "row_group_mb: 0.5").Replace("tsv_part_mb: 1000", "tsv_part_mb: 3"));
        var build = project.Build();
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0");
        Assert.Empty(ReleaseVerifier.Verify(folder));
        var shards = Directory.GetFiles(Path.Combine(folder, "data"), "test-*.parquet").Order().ToList();
        Assert.True(shards.Count > 1, $"{shards.Count} TEST shards");
        Assert.Equal(Enumerable.Range(0, shards.Count).Select(k => $"test-{k:00000}-of-{shards.Count:00000}.parquet"), shards.Select(Path.GetFileName));
        Assert.All(shards, s => Assert.True(ParquetCheck.Read(s).RowGroups > 1 || ParquetCheck.Read(s).Rows == 1));
        var parts = Directory.GetFiles(Path.Combine(folder, "vlmevalkit"), "GmaiDemo_TEST_part_*.tsv");
        Assert.True(parts.Length > 1, $"{parts.Length} TEST parts");
        Assert.All(parts, p => Assert.True(new FileInfo(p).Length < 3_000_000 + 200_000));
        Assert.Equal(build.Questions.Count(q => q.Split == "TEST" && !q.Multi), shards.Sum(s => ParquetCheck.Read(s).Rows));   // data/ is the single-answer config
    }
}

using GmaiBench.Pipeline;
using GmaiBench.Release;

namespace GmaiBench.Tests.Release;

/// <summary>What a release promises evaluators: no public TEST answer, a verifiable public copy, stable item identity.</summary>
public class EvaluationContractTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void Unchanged_items_keep_index_options_and_letter_when_an_input_is_removed()
    {
        var project = corpus.NewProject("identity");
        var first = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
        File.Delete(project.PathOf("demo/corpus/fundus/AMD/p300_OD.png"));
        var second = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "2.0.0");

        var a = ReleaseItems.Read(Path.Combine(first, ReleaseItems.FileName)).ToDictionary(i => i.Key);
        var b = ReleaseItems.Read(Path.Combine(second, ReleaseItems.FileName)).ToDictionary(i => i.Key);
        Assert.Equal(["demo-fundus/AMD/p300_OD.png"], a.Keys.Except(b.Keys));
        Assert.Empty(b.Keys.Except(a.Keys));
        foreach (var (key, item) in b)
            Assert.Equal((a[key].Index, a[key].Split, a[key].Answer, string.Join("|", a[key].Options)),
                         (item.Index, item.Split, item.Answer, string.Join("|", item.Options)));
        var log = File.ReadAllText(Path.Combine(second, "CHANGELOG.md"));
        Assert.Contains("0 added, 1 removed, 0 changed", log);
        Assert.Empty(ReleaseVerifier.Verify(second));
    }

    [Fact]
    public void New_items_get_indices_never_issued_before()
    {
        var project = corpus.NewProject("identity-new");
        var sources = project.PathOf("sources.yaml");
        var full = File.ReadAllText(sources);
        var cut = full.IndexOf("  - id: demo-dermoscopy", StringComparison.Ordinal);
        var next = full.IndexOf("  - id: ", cut + 5, StringComparison.Ordinal);
        File.WriteAllText(sources, full[..cut] + full[next..]);
        var first = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
        File.WriteAllText(sources, full);
        var second = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.1.0");

        var a = ReleaseItems.Read(Path.Combine(first, ReleaseItems.FileName));
        var b = ReleaseItems.Read(Path.Combine(second, ReleaseItems.FileName));
        // Regression: a slice of a DICOM study (case key != input key) moved from TEST to VAL, publishing its TEST answer.
        var before = a.ToDictionary(i => i.Key);
        Assert.All(b.Where(i => before.ContainsKey(i.Key)), i => Assert.Equal(before[i.Key].Split, i.Split));
        var added = b.Where(i => i.Source == "demo-dermoscopy").ToList();
        Assert.NotEmpty(added);
        Assert.All(added, i => Assert.True(i.Index > a.Max(x => x.Index), $"{i.Key} got index {i.Index}"));
        // Letters stay balanced over each split without reshuffling old items.
        foreach (var split in b.GroupBy(i => i.Split))
        {
            var single = split.Where(i => !i.Answer.Contains(',')).ToList();
            foreach (var n in single.Select(i => i.Options.Count).Distinct())
            {
                var group = single.Where(i => i.Options.Count == n).ToList();
                if (group.Count < 20) continue;
                foreach (var letter in "ABCDE"[..n])
                    Assert.InRange(group.Count(i => i.Answer[0] == letter) / (double)group.Count, 1.0 / n - 0.02 - 1.0 / group.Count, 1.0 / n + 0.02 + 1.0 / group.Count);
            }
        }
    }

    [Fact]
    public void The_public_copy_verifies_and_a_flipped_byte_in_it_does_not()
    {
        var project = corpus.NewProject("public-copy");
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
        var copy = Path.Combine(TestData.TempDir("public-copy-upload"), "1.0.0");
        CopyTree(folder, copy, skip: "private");
        Assert.Empty(ReleaseVerifier.Verify(copy));

        var tsv = Path.Combine(copy, "vlmevalkit", "GmaiDemo_TEST_part_1.tsv");
        var header = File.ReadLines(tsv).First().Split('\t');
        Assert.DoesNotContain("category", header);
        Assert.DoesNotContain("department", header);
        Assert.DoesNotContain("answer", header);

        var bytes = File.ReadAllBytes(tsv);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(tsv, bytes);
        Assert.Contains(ReleaseVerifier.Verify(copy), p => p.StartsWith("vlmevalkit/GmaiDemo_TEST_part_1.tsv: sha256 differs", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_fails_on_a_planted_leaking_column_naming_it_and_the_figure()
    {
        var project = corpus.NewProject("leak");
        var folder = ReleaseWriter.Write(Workflows.ReleaseInputOf(project.Build()), "1.0.0");
        Assert.Empty(ReleaseVerifier.Verify(folder));

        // Plant the answer's text in the public TEST 'modality' column, then re-sign the manifest so only the audit can tell.
        var key = TsvFormat.Parse(File.ReadAllText(Path.Combine(folder, "private", "test_answers.tsv"))).Skip(1).ToDictionary(r => r[0], r => r[2]);
        var tsv = Path.Combine(folder, "vlmevalkit", "GmaiDemo_TEST_part_1.tsv");
        var rows = TsvFormat.Parse(File.ReadAllText(tsv));
        var modality = Array.IndexOf(rows[0], "modality");
        using (var w = new StreamWriter(tsv, false, TsvFormat.Utf8))
        {
            TsvFormat.WriteRow(w, rows[0]);
            foreach (var r in rows.Skip(1))
            {
                r[modality] = key[r[0]];
                TsvFormat.WriteRow(w, r);
            }
        }
        var manifest = ReleaseManifest.Read(folder);
        File.WriteAllText(Path.Combine(folder, ReleaseManifest.FileName), (manifest with { Files = ReleaseWriter.Checksums(folder) }).ToJson());

        var problems = ReleaseVerifier.Verify(folder);
        var leak = Assert.Single(problems, p => p.Contains("'modality' leaks the answer", StringComparison.Ordinal));
        Assert.Matches(@"scores \d+\.\d% on \d+ single-answer items, chance scores \d+\.\d%", leak);
    }

    [Fact]
    public void The_audit_scores_a_neutral_column_at_chance_and_a_prior_column_above_it()
    {
        static PublicRow Row(long i, string tag, params string[] options) =>
            new(i, new Dictionary<string, string> { ["tag"] = tag, ["question"] = "q" }, options);
        var val = Enumerable.Range(0, 40).Select(i => (Row(i, i % 2 == 0 ? "x" : "y", "a", "b"), i % 2 == 0 ? "A" : "B")).ToList();
        // TEST rows whose answer follows the tag exactly as in VAL: the prior strategy is always right.
        var test = Enumerable.Range(100, 40).Select(i => Row(i, i % 2 == 0 ? "x" : "y", "a", "b")).ToList();
        var key = test.ToDictionary(r => r.Index, r => r.Columns["tag"] == "x" ? "A" : "B");
        Assert.Contains(LeakAudit.Run(val, test, key), p => p.Contains("most often right in VAL", StringComparison.Ordinal) && p.Contains("100.0%", StringComparison.Ordinal));
        // The same tag, unrelated to the answer: chance.
        var shuffled = test.ToDictionary(r => r.Index, r => (r.Index / 2) % 2 == 0 ? "A" : "B");
        Assert.Empty(LeakAudit.Run(val, test, shuffled));
    }

    [Fact]
    public void Tree_subset_and_files_count_an_item_under_its_one_department()
    {
        var project = corpus.NewProject("departments");
        var config = project.Config();
        var (build, folder) = Workflows.Build(config, new BuildOptions { Jobs = 2 });
        var tree = Workflows.Tree(config).Single(n => n.Name == "department");
        Assert.Equal(build.Questions.Count, tree.Children.Sum(d => d.Items));
        var tsv = TsvFormat.Parse(File.ReadAllText(Path.Combine(folder, "GmaiDemo.tsv")));
        var column = Array.IndexOf(tsv[0], "department");
        foreach (var department in tree.Children.Where(d => d.Items > 0))
        {
            var (_, report) = Workflows.Subset(config, $"department = '{department.Name}'", Path.Combine(project.Root, "out", "dept-subset"));
            Assert.Equal(department.Items, report.Items);
            Assert.Equal(department.Items, tsv.Skip(1).Count(r => r[column] == department.Name));
        }

        // The release's card and manifest (VAL) and gmai score (with the key) count the same departments.
        var release = ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0");
        var manifest = ReleaseManifest.Read(release);
        var valByDepartment = build.Questions.Where(q => q.Split == "VAL").GroupBy(q => q.DepartmentName).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(valByDepartment.OrderBy(kv => kv.Key), manifest.Counts["VAL"]["department"].OrderBy(kv => kv.Key));
        Assert.DoesNotContain("department", manifest.Counts["TEST"].Keys);
        var predictions = Path.Combine(TestData.TempDir("departments-score"), "all.tsv");
        File.WriteAllLines(predictions, ["index\tprediction", .. build.Questions.Select(q => $"{q.Index}\t{q.Answer}")]);
        var (score, _) = Workflows.Score(config.Settings, predictions, release, null);
        Assert.Equal(tree.Children.Where(d => d.Items > 0).ToDictionary(d => d.Name, d => d.Items).OrderBy(kv => kv.Key),
                     score.ByNode["department"].ToDictionary(kv => kv.Key, kv => kv.Value.Items).OrderBy(kv => kv.Key));
    }

    private static void CopyTree(string from, string to, string skip)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(from, file);
            if (rel.StartsWith(skip + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, rel))!);
            File.Copy(file, Path.Combine(to, rel));
        }
    }
}

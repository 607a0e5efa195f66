using GmaiBench.Curation;
using GmaiBench.Imaging;
using GmaiBench.Pipeline;
using GmaiBench.Questions;
using GmaiBench.Taxonomy;
using GmaiBench.Tests.Questions;
using SixLabors.ImageSharp.Processing;
using GmaiBench.Model;

namespace GmaiBench.Tests.Curation;

/// <summary>
/// Curation on generated metadata large enough for the figures to mean something: thousands of cases from many
/// sources and patients, with planted duplicates and near-duplicates. No pixels are needed.
/// </summary>
public class CurationTests
{
    private static readonly LabelTaxonomy Taxonomy = LabelTaxonomy.Load(TestData.Taxonomy);

    private static readonly (string Modality, string Task, string Granularity, string[] Labels)[] Pools =
    [
        ("X-ray", "DD", "image", ["normal", "pneumonia", "pneumothorax", "cardiomegaly", "atelectasis"]),
        ("Fundus Photography", "DD", "image", ["normal", "glaucoma", "diabetic-retinopathy", "age-related-macular-degeneration", "cataract"]),
        ("Dermoscopy", "DD", "image", ["melanoma", "melanocytic-nevus", "seborrheic-keratosis", "basal-cell-carcinoma"]),
        ("CT", "OR-A", "mask", ["liver", "spleen", "kidney", "pancreas", "stomach", "gallbladder"]),
        ("CT", "OR-A", "contour", ["liver", "spleen", "kidney", "pancreas", "stomach", "gallbladder"]),
        ("Microscopy", "CR", "box", ["lymphocyte", "neutrophil", "eosinophil", "monocyte"]),
    ];

    /// <summary>~6,000 cases; 3 % re-use another input's image hash within 0-3 bits (some with another answer).</summary>
    public static List<TaggedCase> Generate(int perSource = 200, int sourcesPerPool = 5, ulong seed = 99)
    {
        var rng = new Prng(seed);
        var cases = new List<TaggedCase>();
        for (var p = 0; p < Pools.Length; p++)
        for (var s = 0; s < sourcesPerPool; s++)
        {
            var (modality, task, granularity, labels) = Pools[p];
            var source = $"src{p}-{s}";
            var classes = labels.Take(2 + rng.NextInt(labels.Length - 1)).ToArray();
            for (var i = 0; i < perSource; i++)
            {
                var item = $"{source}/img{i:0000}.png";
                var label = classes[rng.NextInt(classes.Length)];
                var hash = rng.NextUInt64();
                if (cases.Count > 10 && rng.NextInt(100) < 3)
                {
                    var other = cases[rng.NextInt(cases.Count)];
                    hash = other.PHash!.Value;
                    for (var f = rng.NextInt(4); f > 0; f--) hash ^= 1UL << rng.NextInt(64);
                }
                cases.Add(new TaggedCase
                {
                    Key = granularity == "image" ? item : $"{item}/{label}/{granularity}", ItemKey = item, SourceId = source,
                    ImageSha = $"sha-{item}-{granularity}", Granularity = GranularityNames.Parse(granularity), OriginalTask = granularity == "image" ? "CLS_2D" : "SEG_2D",
                    GroupKey = $"{source}/patient{i / (1 + rng.NextInt(3)):0000}", Labels = [label], Task = task,
                    Departments = Taxonomy.Label(label)!.Departments.DefaultIfEmpty("None").ToList(), Modality = modality,
                    PHash = hash, Contrast = rng.NextInt(200) == 0 ? 0.5 : 40,
                });
            }
        }
        return cases;
    }

    private static Assembly Assemble(IReadOnlyList<TaggedCase> cases, LabelTaxonomy taxonomy, PipelineSettings s) =>
        BenchmarkAssembler.Assemble(cases, taxonomy, s.Questions, s.Curation, s.Seed);

    private static PipelineSettings Settings(int cap = 1000) => new()
    {
        Seed = 2024, Curation = new CurationSettings { MaxPerLabel = cap, ValShare = 0.176, NearDuplicateBits = 4, MinContrast = 2 },
    };

    [Fact]
    public void On_thousands_of_items_the_release_figures_hold()
    {
        var cases = Generate();
        var a = Assemble(cases, Taxonomy, Settings());
        var q = a.Questions;
        Assert.True(q.Count > 4000, $"{q.Count} items");

        // Letter shares within 2 points of uniform, for every option count with enough items.
        foreach (var (n, shares) in a.Audit.LetterShares.Where(kv => q.Count(x => x.Options.Count == int.Parse(kv.Key)) >= 200))
            Assert.All(shares.Values, share => Assert.InRange(share, 1.0 / int.Parse(n) - 0.02, 1.0 / int.Parse(n) + 0.02));

        // No patient group in both splits.
        Assert.All(q.GroupBy(x => x.Case.GroupKey), g => Assert.Single(g.Select(x => x.Split).Distinct()));

        // No near-duplicate pair across splits.
        var emitted = q.Where(x => x.Case.PHash is not null).ToList();
        var crossing = 0;
        for (var i = 0; i < emitted.Count; i++)
        for (var j = i + 1; j < emitted.Count; j++)
            if (emitted[i].Split != emitted[j].Split && PerceptualHash.Distance(emitted[i].Case.PHash!.Value, emitted[j].Case.PHash!.Value) <= 4) crossing++;
        Assert.Equal(0, crossing);

        // VAL share within 1 point of the setting.
        Assert.InRange(q.Count(x => x.Split == "VAL") / (double)q.Count, 0.166, 0.186);

        // Text-only strategies within 5 points of chance.
        var audit = a.Audit;
        Assert.True(audit.TestItems > 3000);
        Assert.InRange(audit.BestSameLetter, audit.Chance - 0.05, audit.Chance + 0.05);
        Assert.InRange(audit.LongestOption, audit.Chance - 0.05, audit.Chance + 0.05);
        Assert.InRange(audit.ValMostOftenCorrect, audit.Chance - 0.05, audit.Chance + 0.05);

        // Planted duplicates were found, and blank images rejected by name.
        Assert.Contains(a.Rejects, r => r.Reason == "duplicate-image" || r.Reason == "near-duplicate");
        Assert.NotEmpty(a.Clusters);
        Assert.Contains(a.Rejects, r => r.Reason == "blank-image");
    }

    [Fact]
    public void Assembly_does_not_depend_on_case_order()
    {
        var cases = Generate(perSource: 60, sourcesPerPool: 2);
        var shuffled = cases.ToList();
        new Prng(5).Shuffle(shuffled);
        var a = Assemble(cases, Taxonomy, Settings());
        var b = Assemble(shuffled, Taxonomy, Settings());
        Assert.Equal(a.Questions.Select(x => (x.Key, x.Index, x.Text, x.Answer, x.Split, string.Join('|', x.Options))),
                     b.Questions.Select(x => (x.Key, x.Index, x.Text, x.Answer, x.Split, string.Join('|', x.Options))));
        Assert.Equal(a.Rejects.Select(r => (r.Key, r.Reason)).Order(), b.Rejects.Select(r => (r.Key, r.Reason)).Order());
    }

    [Fact]
    public void The_cap_keeps_n_items_per_label_round_robin_over_sources_and_patients()
    {
        var cases = Enumerable.Range(0, 400).Select(i => QuestionTests.Case($"s{i % 4}/{i:000}", $"s{i % 4}", i / 4 % 2 == 0 ? "pneumonia" : "normal") with
        {
            GroupKey = $"s{i % 4}/p{i / 40}", PHash = (ulong)i * 0x9E3779B97F4A7C15UL,
        }).ToList();
        var a = Assemble(cases, Taxonomy, Settings(cap: 30));
        foreach (var label in new[] { "pneumonia", "normal" })
        {
            var kept = a.Questions.Where(x => x.AnswerLabels[0] == label).ToList();
            Assert.Equal(30, kept.Count);
            // Round-robin over the four sources: no source gets more than its share plus one.
            Assert.All(kept.GroupBy(x => x.Case.SourceId), g => Assert.InRange(g.Count(), 7, 8));
            // ...and over patient groups inside a source.
            Assert.All(kept.GroupBy(x => x.Case.SourceId), g => Assert.True(g.Select(x => x.Case.GroupKey).Distinct().Count() >= g.Count() - 1));
        }
        Assert.Equal(340, a.Rejects.Count(r => r.Reason == "label-cap"));
    }

    [Fact]
    public void Near_duplicates_collapse_when_they_ask_the_same_and_share_a_split_when_they_do_not()
    {
        TaggedCase C(string item, string label, ulong hash, string group) =>
            QuestionTests.Case(item, "s", label) with { PHash = hash, GroupKey = group };
        var cases = new List<TaggedCase>
        {
            C("s/a", "pneumonia", 0xF0F0F0F0F0F0F0F0, "s/p1"),
            C("s/b", "pneumonia", 0xF0F0F0F0F0F0F0F1, "s/p2"),   // 1 bit from a, same answer: removed
            C("s/c", "normal", 0xF0F0F0F0F0F0F0F3, "s/p3"),      // 2 bits from a, another answer: kept, same split as a
            C("s/d", "normal", 0x0F0F0F0F0F0F0F0F, "s/p4"),
            C("s/e", "pneumothorax", 0x123456789ABCDEF0, "s/p5"),
        };
        var r = Deduplication.Run(QuestionDrafter.Draft(cases, Taxonomy, new QuestionSettings(), 1).Drafts, 4);
        Assert.Equal(["s/a", "s/c", "s/d", "s/e"], r.Kept.Select(d => d.Key));
        var reject = Assert.Single(r.Rejects);
        Assert.Equal(("s/b", "near-duplicate"), (reject.Key, reject.Reason));
        var cluster = Assert.Single(r.Clusters);
        Assert.Equal(["s/a", "s/b", "s/c"], cluster.Items);
        Assert.Equal(r.GroupOf["s/p1"], r.GroupOf["s/p3"]);
        Assert.NotEqual(r.GroupOf["s/p1"], r.GroupOf["s/p4"]);
    }

    [Fact]
    public void Perceptual_hash_sees_a_rescaled_copy_as_near_and_another_image_as_far()
    {
        using var a = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(96, 96);
        using var b = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(96, 96);
        for (var y = 0; y < 96; y++)
        for (var x = 0; x < 96; x++)
        {
            a[x, y] = new((byte)(x * 2 + y), (byte)(x * 2 + y), (byte)(x * 2 + y));
            b[x, y] = new((byte)(255 - y * 2), (byte)((x * 7) % 256), 30);
        }
        using var small = a.Clone(c => c.Resize(64, 64));
        var (ha, ca) = PerceptualHash.Of(a);
        Assert.InRange(PerceptualHash.Distance(ha, PerceptualHash.Of(small).Hash), 0, 4);
        Assert.True(PerceptualHash.Distance(ha, PerceptualHash.Of(b).Hash) > 10);
        Assert.True(ca > 20);
        using var blank = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(16, 16, new(7, 7, 7));
        Assert.Equal(0, PerceptualHash.Contrast(blank), 6);
    }

    [Fact]
    public void Quality_checks_reject_with_named_reasons()
    {
        var dir = Path.Combine(TestData.TempDir("badtax"), "label-taxonomy");
        TestData.CopyDirectory(TestData.Taxonomy, dir);
        File.WriteAllText(Path.Combine(dir, "labels", "zz.yaml"), "labels:\n  - {id: pneumonia-twin, name: Pneumonia, task: DD}\n");
        var tpl = Path.Combine(dir, "templates.yaml");
        File.WriteAllText(tpl, File.ReadAllText(tpl).Replace("Which type of cell or tissue is predominantly shown?", "Is this lymphocyte tissue?"));
        var (taxonomy, issues) = LabelTaxonomy.TryLoad(dir);
        Assert.NotEmpty(issues);   // validate refuses both; the drafter still guards against them
        var cases = new List<TaggedCase>
        {
            QuestionTests.Case("x/1", "x", "pneumonia"), QuestionTests.Case("x/2", "x", "pneumonia-twin"),
            QuestionTests.Case("m/1", "m", "normal") with { Modality = "" },
        };
        var cr = Enumerable.Range(0, 30).Select(i => QuestionTests.Case($"c/{i:00}", "c", i % 3 == 0 ? "neutrophil" : "lymphocyte") with { Task = "CR", Modality = "Microscopy" }).ToList();
        var a = Assemble([.. cases, .. cr], taxonomy!, Settings());
        Assert.Contains(a.Rejects, r => r.Key == "x/1" && r.Reason == "duplicate-options");
        Assert.Contains(a.Rejects, r => r.Key == "m/1" && r.Reason == "missing-tag");
        // Some lymphocyte item draws the template that names its answer.
        Assert.Contains(a.Rejects, r => r.Key.StartsWith("c/") && r.Reason == "answer-in-question");
    }
}

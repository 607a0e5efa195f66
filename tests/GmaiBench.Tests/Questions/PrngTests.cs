using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Tests.Questions;

public class PrngTests
{
    [Fact]
    public void Xoshiro_seeded_by_splitmix_matches_the_reference_stream()
    {
        // SplitMix64 from seed 0 gives 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ... (Vigna's reference);
        // xoshiro256** outputs rotl(s1 * 5, 7) * 9 before advancing.
        var rng = new Prng(0);
        var s1 = 0x6E789E6AA1B965F4UL;
        Assert.Equal(ulong.RotateLeft(s1 * 5, 7) * 9, rng.NextUInt64());
    }

    [Fact]
    public void The_same_seed_and_key_give_the_same_stream_and_other_keys_differ()
    {
        var a = Prng.For(42, "src/a.png", "template");
        var b = Prng.For(42, "src/a.png", "template");
        var c = Prng.For(42, "src/b.png", "template");
        var d = Prng.For(43, "src/a.png", "template");
        var sa = Enumerable.Range(0, 8).Select(_ => a.NextUInt64()).ToList();
        Assert.Equal(sa, Enumerable.Range(0, 8).Select(_ => b.NextUInt64()));
        Assert.NotEqual(sa, Enumerable.Range(0, 8).Select(_ => c.NextUInt64()));
        Assert.NotEqual(sa, Enumerable.Range(0, 8).Select(_ => d.NextUInt64()));
    }

    [Fact]
    public void Mix_is_pinned_so_releases_stay_reproducible_across_versions()
    {
        // Golden: the first 8 bytes (little-endian) of SHA-256 over (seed as 8 LE bytes || UTF-8 text).
        var input = new byte[8 + 3];
        BitConverter.GetBytes(7UL).CopyTo(input, 0);
        "abc"u8.ToArray().CopyTo(input, 8);
        var expected = BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(input), 0);
        Assert.Equal(expected, Prng.Mix(7, "abc"));
    }

    [Fact]
    public void NextInt_is_in_range_and_roughly_uniform()
    {
        var rng = new Prng(1);
        var counts = new int[6];
        for (var i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, n => Assert.InRange(n, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void Sample_draws_distinct_items_and_never_more_than_there_are()
    {
        var rng = new Prng(9);
        var items = Enumerable.Range(0, 10).ToList();
        var s = rng.Sample(items, 4);
        Assert.Equal(4, s.Distinct().Count());
        Assert.Equal(10, rng.Sample(items, 50).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 10), items);
    }
}

public class TemplateTextTests
{
    [Theory]
    [InlineData("This is a {modality} image.", "X-ray", "This is an X-ray image.")]
    [InlineData("This is a {modality} image.", "MRI", "This is an MRI image.")]
    [InlineData("This is a {modality} image.", "CT", "This is a CT image.")]
    [InlineData("This is a {modality} image.", "OCT", "This is an OCT image.")]
    [InlineData("This is a {modality} image.", "FLAIR MRI", "This is a FLAIR MRI image.")]
    [InlineData("This is an {modality} image.", "Fundus Photography", "This is a Fundus Photography image.")]
    [InlineData("A {modality} image is shown.", "Endoscopy", "An Endoscopy image is shown.")]
    [InlineData("This is a {modality} image.", "Histopathology", "This is a Histopathology image.")]
    [InlineData("Observe the {modality} image.", "X-ray", "Observe the X-ray image.")]
    public void The_article_before_the_modality_follows_how_it_is_spoken(string template, string modality, string expected) =>
        Assert.Equal(expected, GmaiBench.Questions.TemplateText.Fill(template, modality));
}

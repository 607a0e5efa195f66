using GmaiBench.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>
/// <c>samples.png</c> in a build's folder: one row per perceptual granularity (image, box, mask, contour), a few items
/// each, spread over sources, so a person can see at a glance what the benchmark shows and that marks sit right.
/// </summary>
public static class ContactSheet
{
    public const int Tile = 160;
    public const int PerRow = 8;
    /// <summary>Space above each row for its name, and under each tile for two caption lines (source, answer).</summary>
    public const int Header = 12, Caption = 2 * (BitmapText.GlyphHeight + 3) + 2;
    private const int Gap = 4;

    /// <summary>The height of one row band: name, tiles, captions.</summary>
    public const int RowHeight = Header + Tile + Caption + Gap;

    public static byte[] Render(IReadOnlyList<Question> questions, IObjectStore objects)
    {
        var rows = Rows(questions);
        using var sheet = new Image<Rgb24>(PerRow * (Tile + Gap) + Gap, Math.Max(1, rows.Count) * RowHeight + Gap, new Rgb24(24, 24, 24));
        var name = new Rgb24(255, 210, 80);
        var caption = new Rgb24(220, 220, 220);
        for (var r = 0; r < rows.Count; r++)
        {
            var top = Gap + r * RowHeight;
            BitmapText.Draw(sheet, Gap, top + 2, rows[r].Granularity.Text().ToUpperInvariant(), name);
            for (var c = 0; c < rows[r].Items.Count; c++)
            {
                var q = rows[r].Items[c];
                using var img = Image.Load<Rgb24>(objects.Get(q.Case.ImageSha));
                img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(Tile, Tile), Mode = ResizeMode.Max, Sampler = KnownResamplers.Bicubic }));
                var left = Gap + c * (Tile + Gap);
                int ox = left + (Tile - img.Width) / 2, oy = top + Header + (Tile - img.Height) / 2;
                for (var y = 0; y < img.Height; y++)
                for (var x = 0; x < img.Width; x++) sheet[ox + x, oy + y] = img[x, y];
                // Under the tile: where it comes from, and what the answer is (#index, so it can be found in the files).
                var below = top + Header + Tile + 3;
                BitmapText.Draw(sheet, left, below, BitmapText.Fit($"#{q.Index} {q.Case.SourceId}", Tile), caption);
                BitmapText.Draw(sheet, left, below + BitmapText.GlyphHeight + 3, BitmapText.Fit($"{q.Answer}: {q.Category}", Tile), caption);
            }
        }
        return PngWriter.Encode(sheet);
    }

    /// <summary>The sheet's rows: each granularity that has items, with the items shown for it.</summary>
    public static List<(Granularity Granularity, List<Question> Items)> Rows(IReadOnlyList<Question> questions) =>
        GranularityNames.All.Select(g => (g, Pick(questions.Where(q => q.Case.Granularity == g).ToList()))).Where(r => r.Item2.Count > 0).ToList();

    /// <summary>Up to <see cref="PerRow"/> items, taking sources in turn so one large source does not fill the row.</summary>
    private static List<Question> Pick(List<Question> items)
    {
        var bySource = items.GroupBy(q => q.Case.SourceId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<Question>(g.OrderBy(q => q.Index))).ToList();
        var picked = new List<Question>();
        while (picked.Count < PerRow && bySource.Any(q => q.Count > 0))
            foreach (var q in bySource.Where(q => q.Count > 0))
                if (picked.Count < PerRow) picked.Add(q.Dequeue());
        return picked;
    }
}

/// <summary><c>samples.png</c> in a build's folder.</summary>
public sealed class ContactSheetOutput : IOutputWriter
{
    public const string FileName = "samples.png";

    public IReadOnlyList<string> Files(OutputContext context) => [FileName];

    public bool WritesAlongside => true;

    public void Write(OutputContext context, string folder) =>
        File.WriteAllBytes(Path.Combine(folder, FileName), ContactSheet.Render(context.Questions, context.Objects));
}

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
    public static byte[] Render(IReadOnlyList<Question> questions, IObjectStore objects)
    {
        var rows = Rows(questions).Select(r => r.Items).ToList();
        using var sheet = new Image<Rgb24>(PerRow * (Tile + 4) + 4, Math.Max(1, rows.Count) * (Tile + 4) + 4, new Rgb24(24, 24, 24));
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < rows[r].Count; c++)
        {
            using var img = Image.Load<Rgb24>(objects.Get(rows[r][c].Case.ImageSha));
            img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(Tile, Tile), Mode = ResizeMode.Max, Sampler = KnownResamplers.Bicubic }));
            int ox = 4 + c * (Tile + 4) + (Tile - img.Width) / 2, oy = 4 + r * (Tile + 4) + (Tile - img.Height) / 2;
            for (var y = 0; y < img.Height; y++)
            for (var x = 0; x < img.Width; x++) sheet[ox + x, oy + y] = img[x, y];
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

    public void Write(OutputContext context, string folder) =>
        File.WriteAllBytes(Path.Combine(folder, FileName), ContactSheet.Render(context.Questions, context.Objects));
}

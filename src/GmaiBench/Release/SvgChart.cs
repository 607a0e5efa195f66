using System.Globalization;
using System.Net;
using System.Text;

namespace GmaiBench.Release;

/// <summary>One bar of a chart: a label and its segments (values in the order of the chart's series).</summary>
public sealed record ChartBar(string Label, IReadOnlyList<double> Values)
{
    public double Total => Values.Sum();
}

/// <summary>
/// Horizontal (stacked) bar charts as inline SVG, drawn by the project: no script, no font file, no network, and the
/// same bytes for the same numbers, so a report that embeds them stays reproducible.
/// </summary>
public static class SvgChart
{
    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948"];
    private const int Width = 760, LabelWidth = 250, BarArea = 330, RowHeight = 22, Top = 30;

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A chart of <paramref name="bars"/>, each split into <paramref name="series"/> (one colour each, with a legend).</summary>
    public static string Bars(string title, IReadOnlyList<string> series, IReadOnlyList<ChartBar> bars, string unit = "items")
    {
        var ci = CultureInfo.InvariantCulture;
        var max = bars.Count == 0 ? 1 : Math.Max(1, bars.Max(b => b.Total));
        var height = Top + Math.Max(1, bars.Count) * RowHeight + 28;
        var sb = new StringBuilder();
        sb.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append(ci, $"<title>{E(title)}</title><text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{E(title)}</text>");
        if (bars.Count == 0) sb.Append(ci, $"<text x=\"0\" y=\"{Top + 14}\" fill=\"#666\">no {E(unit)}</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = Top + i * RowHeight;
            var label = b.Label.Length > 38 ? b.Label[..37] + "…" : b.Label;
            sb.Append(ci, $"<text x=\"{LabelWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\"><title>{E(b.Label)}</title>{E(label)}</text>");
            double x = LabelWidth;
            for (var s = 0; s < b.Values.Count; s++)
            {
                var w = b.Values[s] / max * BarArea;
                if (w <= 0) continue;
                var name = s < series.Count ? series[s] : "";
                sb.Append(ci, $"<rect x=\"{F(x)}\" y=\"{y + 3}\" width=\"{F(w)}\" height=\"{RowHeight - 6}\" fill=\"{Palette[s % Palette.Length]}\"><title>{E(b.Label)}: {E(name)} {F(b.Values[s])}</title></rect>");
                x += w;
            }
            var detail = b.Values.Count > 1 ? $" ({string.Join(" / ", b.Values.Select(F))})" : "";
            sb.Append(ci, $"<text x=\"{F(x + 6)}\" y=\"{y + 15}\" fill=\"#333\">{F(b.Total)}{E(detail)}</text>");
        }
        if (series.Count > 1)
        {
            var ly = Top + Math.Max(1, bars.Count) * RowHeight + 14;
            double lx = LabelWidth;
            for (var s = 0; s < series.Count; s++)
            {
                sb.Append(ci, $"<rect x=\"{F(lx)}\" y=\"{ly - 10}\" width=\"12\" height=\"12\" fill=\"{Palette[s % Palette.Length]}\"/><text x=\"{F(lx + 16)}\" y=\"{ly}\">{E(series[s])}</text>");
                lx += 24 + series[s].Length * 7;
            }
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}

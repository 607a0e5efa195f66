using System.Text.Json;
using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>The report of a custom evaluation set: the expression that cut it and what it holds.</summary>
public sealed record SubsetReport(
    string Expression, string Benchmark, int Items, int OfItems,
    IReadOnlyDictionary<string, int> Splits,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Distributions,
    IReadOnlyList<string> Outputs);

/// <summary><c>subset-report.json</c>: the expression that cut a custom evaluation set and what it holds.</summary>
public sealed class SubsetReportOutput : IOutputWriter
{
    public const string FileName = "subset-report.json";

    public IReadOnlyList<string> Files(OutputContext context) => [FileName];

    public void Write(OutputContext context, string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(context.SubsetReport, BuildOutput.Json) + "\n", TsvFormat.Utf8);
}

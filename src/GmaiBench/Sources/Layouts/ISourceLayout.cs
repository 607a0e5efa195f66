using GmaiBench.Configuration;
using GmaiBench.Model;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

/// <summary>A way a source dataset is laid out on disk: it parses its own options and discovers items.</summary>
public interface ISourceLayout
{
    string Name { get; }
    /// <summary>The perceptual granularity its items get (image, box, mask, contour).</summary>
    Granularity Granularity { get; }
    /// <summary>The original task name recorded with each item (e.g. CLS_2D).</summary>
    string OriginalTask { get; }
    /// <summary>The per-item pixel stage its items go through: raster (whole images), region (marked 2D regions) or volume.</summary>
    StageKind Stage => Granularity == Granularity.Image ? StageKind.Raster : StageKind.Region;
    /// <summary>
    /// Whether <paramref name="source"/>'s items carry a patient group (a <c>group_pattern</c>, a group column of the
    /// layout's table, or a patient named by the files themselves), so the split can keep a patient's images together.
    /// </summary>
    bool NamesPatientGroups(SourceDefinition source) => source.GroupPattern is not null || source.Options.NamesGroupColumn;
    string Describe { get; }
    /// <summary>Parses and validates <c>options:</c>; problems go to <paramref name="reader"/>.</summary>
    LayoutOptions ParseOptions(YamlConfigReader reader, YamlMappingNode? options, string path, string root);
    Discovery Discover(SourceDefinition source);
}

/// <summary>The explicit list of supported layouts (no reflection): an unknown name fails with this list.</summary>
public static class LayoutRegistry
{
    public static IReadOnlyList<ISourceLayout> All { get; } =
    [
        new ImageFolderLayout(),
        new CsvLabelsLayout(),
        new CocoLayout(),
        new VocLayout(),
        new CsvBoxesLayout(),
        new MaskPairsLayout(),
        new MsdLayout(),
        new NiftiPairsLayout(),
        new DicomLayout(),
    ];

    public static ISourceLayout? Find(string name) => All.FirstOrDefault(l => l.Name == name);

    public static IEnumerable<string> Names => All.Select(l => l.Name);
}

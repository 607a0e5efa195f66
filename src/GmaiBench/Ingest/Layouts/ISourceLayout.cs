using GmaiBench.Configuration;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Ingest.Layouts;

/// <summary>A way a source dataset is laid out on disk: it parses its own options and discovers items.</summary>
public interface ISourceLayout
{
    string Name { get; }
    /// <summary>The perceptual granularity its items get (image, box, mask, contour).</summary>
    string Granularity { get; }
    /// <summary>The original task name recorded with each item (e.g. CLS_2D).</summary>
    string OriginalTask { get; }
    /// <summary>The per-item pixel stage its items go through: raster (whole images), region (marked 2D regions) or volume.</summary>
    string Stage => Granularity == "image" ? "raster" : "region";
    /// <summary>Whether its items name their patient themselves (DICOM's Patient ID), so no group rule is needed.</summary>
    bool KnowsPatients => false;
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

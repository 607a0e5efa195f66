using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record ImageFolderOptions(IReadOnlyList<string> Extensions) : LayoutOptions
{
    /// <summary>Which folder level of the relative path names the class: 0 for <c>CLASS/x.png</c>, 1 for <c>train/CLASS/x.png</c>.</summary>
    public int ClassFolder { get; init; }
    /// <summary>Patterns (<c>*</c>, <c>?</c>) over the relative path of files that are not inputs, e.g. masks beside the images.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];
}

/// <summary>
/// <c>image-folder</c>: one subfolder per class under the source root (torchvision ImageFolder style);
/// the folder name is the raw label. Files deeper inside a class folder belong to that class. Downloads that split
/// first (<c>OCT2017/train/CNV/...</c>) name the class at a deeper level (<c>class_folder: 1</c>); files matching
/// <c>exclude</c> (masks stored beside their images) are ignored, not inputs.
/// </summary>
public sealed class ImageFolderLayout : ISourceLayout
{
    public static readonly string[] DefaultExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"];

    public string Name => "image-folder";
    public Granularity Granularity => Granularity.Image;
    public string OriginalTask => "CLS_2D";
    public string Describe => "one subfolder per class; options: extensions, class_folder (the folder level naming the class), exclude (path patterns)";

    public LayoutOptions ParseOptions(YamlConfigReader reader, YamlMappingNode? options, string path, string root)
    {
        if (options is null) return new ImageFolderOptions(DefaultExtensions);
        reader.CheckKeys(options, path, "extensions", "class_folder", "exclude");
        var ext = reader.StringList(options, "extensions", path);
        return new ImageFolderOptions(ext is null ? DefaultExtensions : NormaliseExtensions(ext))
        {
            ClassFolder = reader.Int(options, "class_folder", path, 0, 16) ?? 0,
            Exclude = reader.StringList(options, "exclude", path) ?? [],
        };
    }

    public Discovery Discover(SourceDefinition source)
    {
        var options = (ImageFolderOptions)source.Options;
        var items = new List<SourceItem>();
        var rejects = new List<Reject>();
        var ignored = new List<string>();
        var group = GroupKeys.Compile(source.GroupPattern);
        var walk = SourceTree.Files(source.Root, source.Root);
        rejects.AddRange(SourceTree.Rejects(source, walk));
        foreach (var full in walk.Files)
        {
            var rel = SourcePaths.Relative(source.Root, full);
            if (!options.Extensions.Contains(Path.GetExtension(full).ToLowerInvariant()))
            {
                ignored.Add(rel);
                continue;
            }
            if (options.Exclude.Any(p => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(p, rel, ignoreCase: false)))
            {
                ignored.Add(rel);
                continue;
            }
            var key = $"{source.Id}/{rel}";
            var folders = rel.Split('/')[..^1];
            if (folders.Length <= options.ClassFolder)
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "not-in-class-folder", options.ClassFolder == 0
                    ? "image-folder expects each image inside a class subfolder; this file sits at the source root"
                    : $"image-folder reads the class from folder level {options.ClassFolder} (class_folder), but this file sits only {folders.Length} folder(s) deep"));
                continue;
            }
            if (SourcePaths.ResolveInside(source.Root, rel, out var problem) is null)
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "path-escapes-root", problem!));
                continue;
            }
            items.Add(new SourceItem(key, source.Id, rel, full, [folders[options.ClassFolder]], GroupKeys.From(source.Id, rel, group, null)));
        }
        return new Discovery(items, rejects, ignored);
    }

    public static IReadOnlyList<string> NormaliseExtensions(IEnumerable<string> ext) =>
        ext.Select(e => (e.StartsWith('.') ? e : "." + e).ToLowerInvariant()).Distinct().ToList();
}

using GmaiBench.Configuration;
using GmaiBench.Model;
using GmaiBench.Sources;
using YamlDotNet.RepresentationModel;

namespace GmaiBench.Sources.Layouts;

public sealed record ImageFolderOptions(IReadOnlyList<string> Extensions) : LayoutOptions;

/// <summary>
/// <c>image-folder</c>: one subfolder per class under the source root (torchvision ImageFolder style);
/// the folder name is the raw label. Files deeper inside a class folder belong to that class.
/// </summary>
public sealed class ImageFolderLayout : ISourceLayout
{
    public static readonly string[] DefaultExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"];

    public string Name => "image-folder";
    public Granularity Granularity => Granularity.Image;
    public string OriginalTask => "CLS_2D";
    public string Describe => "one subfolder per class; options: extensions";

    public LayoutOptions ParseOptions(YamlConfigReader reader, YamlMappingNode? options, string path, string root)
    {
        if (options is null) return new ImageFolderOptions(DefaultExtensions);
        reader.CheckKeys(options, path, "extensions");
        var ext = reader.StringList(options, "extensions", path);
        return new ImageFolderOptions(ext is null ? DefaultExtensions : NormaliseExtensions(ext));
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
            var key = $"{source.Id}/{rel}";
            var slash = rel.IndexOf('/');
            if (slash <= 0)
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "not-in-class-folder",
                    "image-folder expects each image inside a class subfolder; this file sits at the source root"));
                continue;
            }
            if (SourcePaths.ResolveInside(source.Root, rel, out var problem) is null)
            {
                rejects.Add(new Reject(key, source.Id, rel, "discover", "path-escapes-root", problem!));
                continue;
            }
            items.Add(new SourceItem(key, source.Id, rel, full, [rel[..slash]], GroupKeys.From(source.Id, rel, group, null)));
        }
        return new Discovery(items, rejects, ignored);
    }

    public static IReadOnlyList<string> NormaliseExtensions(IEnumerable<string> ext) =>
        ext.Select(e => (e.StartsWith('.') ? e : "." + e).ToLowerInvariant()).Distinct().ToList();
}

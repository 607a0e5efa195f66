namespace GmaiBench.Catalog;

/// <summary>
/// The work folder's layout, in one place: the catalog (<c>catalog.sqlite</c>), the content-addressed object store
/// (<c>objects/</c>) and, for sharded builds, one area per shard (<c>shards/&lt;N&gt;/&lt;K&gt;/</c>) with its own catalog.
/// Everything that reads or writes under the work folder asks this type for the path.
/// </summary>
/// <remarks>
/// A shard never writes another's files: its catalog is its own SQLite file (SQLite over a network filesystem is not
/// safe for concurrent writers), and the object store it shares is content-addressed and written temp-then-rename.
/// </remarks>
public sealed class WorkArea
{
    public WorkArea(string root) : this(root, null) { }

    private WorkArea(string root, string? catalogFolder)
    {
        Root = Path.GetFullPath(root);
        CatalogFolder = catalogFolder ?? Root;
    }

    public string Root { get; }

    /// <summary>Where this area's catalog lives: the root, or a shard's own folder.</summary>
    public string CatalogFolder { get; }

    public string CatalogPath => Path.Combine(CatalogFolder, "catalog.sqlite");

    public string ObjectsPath => Path.Combine(Root, "objects");

    public ObjectStore Objects => new(ObjectsPath);

    /// <summary>The patient-key secret generated when the pipeline file names none (mode 0600; never copied into outputs).</summary>
    public string PatientKeyPath => Path.Combine(Root, "secrets", "patient-key");

    /// <summary>What the build folder <paramref name="name"/> was last written from, so an unchanged rebuild need not rewrite it.</summary>
    public string OutputStampPath(string name) => Path.Combine(Root, "outputs", name + ".json");

    /// <summary>The last whole-benchmark result and the digest of its inputs (a rebuild with nothing changed reuses it).</summary>
    public string BenchmarkMemoPath => Path.Combine(Root, "benchmark-memo.json");

    /// <summary>Whether a build has written a catalog here.</summary>
    public bool HasCatalog => File.Exists(CatalogPath);

    /// <summary>The folder holding the shard areas of an <paramref name="count"/>-way sharded build.</summary>
    public string ShardSetPath(int count) => Path.Combine(Root, "shards", count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>: its own catalog, the shared object store.</summary>
    public WorkArea Shard(int index, int count) =>
        new(Root, Path.Combine(ShardSetPath(count), index.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The marker a shard writes last, when all its pixel work is in its catalog.</summary>
    public string ShardManifestPath => Path.Combine(CatalogFolder, "shard.json");

    /// <summary>The shard counts with areas under <c>shards/</c>, ascending.</summary>
    public IReadOnlyList<int> ShardSets()
    {
        var folder = Path.Combine(Root, "shards");
        if (!Directory.Exists(folder)) return [];
        return Directory.GetDirectories(folder).Select(Path.GetFileName)
            .Select(n => int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : 0)
            .Where(c => c > 0).Order().ToList();
    }

    /// <summary>Opens (creating the folder and migrating the schema if needed) the catalog.</summary>
    public CatalogDb OpenCatalog()
    {
        Directory.CreateDirectory(CatalogFolder);
        return CatalogDb.Open(CatalogPath);
    }
}

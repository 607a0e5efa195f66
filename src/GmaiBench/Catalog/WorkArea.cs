namespace GmaiBench.Catalog;

/// <summary>
/// The work folder's layout, in one place: the catalog (<c>catalog.sqlite</c>) and the content-addressed object store
/// (<c>objects/</c>). Everything that reads or writes under the work folder asks this type for the path.
/// </summary>
public sealed class WorkArea(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string CatalogPath => Path.Combine(Root, "catalog.sqlite");

    public string ObjectsPath => Path.Combine(Root, "objects");

    public ObjectStore Objects => new(ObjectsPath);

    /// <summary>The patient-key secret generated when the pipeline file names none (mode 0600; never copied into outputs).</summary>
    public string PatientKeyPath => Path.Combine(Root, "secrets", "patient-key");

    /// <summary>Whether a build has written a catalog here.</summary>
    public bool HasCatalog => File.Exists(CatalogPath);

    /// <summary>Opens (creating the folder and migrating the schema if needed) the catalog.</summary>
    public CatalogDb OpenCatalog()
    {
        Directory.CreateDirectory(Root);
        return CatalogDb.Open(CatalogPath);
    }
}

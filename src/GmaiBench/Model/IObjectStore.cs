namespace GmaiBench.Model;

/// <summary>Content-addressed image storage: stages put PNG bytes and get their sha256; writers read them back by it.</summary>
public interface IObjectStore
{
    /// <summary>Stores the bytes (once) and returns their sha256.</summary>
    string Put(byte[] bytes);

    /// <summary>The bytes stored under <paramref name="sha"/>, checked against it.</summary>
    byte[] Get(string sha);
}

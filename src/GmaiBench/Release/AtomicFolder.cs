using System.Runtime.InteropServices;

namespace GmaiBench.Release;

/// <summary>
/// Puts a finished folder in place of another in one step: on Linux <c>renameat2(RENAME_EXCHANGE)</c> swaps the two
/// atomically, so a reader sees the old folder or the new one, never half of either, and a kill at any moment leaves one
/// of them whole at the final path. Where the exchange is not supported, the old folder is first renamed aside (the
/// final path is then briefly absent, never half-empty). The old content is deleted only after the new is in place.
/// </summary>
public static partial class AtomicFolder
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDir, string oldPath, int newDir, string newPath, uint flags);

    /// <summary>Moves <paramref name="ready"/> to <paramref name="final"/>, replacing what is there; returns <paramref name="final"/>.</summary>
    public static string Replace(string ready, string final)
    {
        if (!Directory.Exists(final))
        {
            Directory.Move(ready, final);   // rename(2): atomic when nothing is in the way
            return final;
        }
        if (OperatingSystem.IsLinux() && TryExchange(ready, final))
        {
            Directory.Delete(ready, recursive: true);   // now holds the old content
            return final;
        }
        var aside = $"{final}.old-{Environment.ProcessId}";
        if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
        Directory.Move(final, aside);
        Directory.Move(ready, final);
        Directory.Delete(aside, recursive: true);
        return final;
    }

    private static bool TryExchange(string a, string b)
    {
        try { return RenameAt2(AtFdCwd, Path.GetFullPath(a), AtFdCwd, Path.GetFullPath(b), RenameExchange) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Writes a file beside <paramref name="path"/> and renames it into place, so readers never see it half written.</summary>
    public static void WriteFile(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, text, TsvFormat.Utf8);
        File.Move(temp, path, overwrite: true);
    }
}

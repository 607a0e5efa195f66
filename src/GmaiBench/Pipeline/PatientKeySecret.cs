using System.Security.Cryptography;
using GmaiBench.Catalog;
using GmaiBench.Configuration;
using GmaiBench.Model;

namespace GmaiBench.Pipeline;

/// <summary>The pipeline file's <c>patient_key:</c>: an environment variable (wins when set) and/or a file (absolute path).</summary>
public sealed record PatientKeySetting(string? File, string? Env);

/// <summary>
/// Finds the patient-key secret of a build: the environment variable the pipeline file names, else its file, else the
/// work area's own (generated on the first build, mode 0600, and said so in the report). The secret stays outside
/// releases and the catalog; only its fingerprint is recorded.
/// </summary>
public static class PatientKeySecret
{
    public static (PatientKeys Keys, string? Notice) Resolve(PipelineSettings settings, WorkArea work)
    {
        var setting = settings.PatientKey;
        if (setting.Env is { } env && Environment.GetEnvironmentVariable(env) is { Length: > 0 } value)
            return (new PatientKeys(Bytes(value, $"environment variable {env}")), null);
        if (setting.File is { } file)
        {
            if (!File.Exists(file))
                throw new ConfigException([new ConfigIssue(settings.File, 0, "patient_key.file", $"the patient-key secret file {file} does not exist")]);
            return (new PatientKeys(Bytes(File.ReadAllText(file), file)), null);
        }
        var path = work.PatientKeyPath;
        if (!File.Exists(path))
        {
            // Shards of one build may start together: each writes its own temp file and only the first rename wins.
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temp, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try { File.Move(temp, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { File.Delete(temp); }
        }
        // Said on every build, not only the first, so a build's report reads the same however often the work folder was used.
        return (new PatientKeys(Bytes(File.ReadAllText(path), path)),
            "no patient_key in the pipeline file: the patient-key secret is the work folder's own (secrets/patient-key, mode 0600, " +
            "made by its first build). Keep it private and the same for every machine and shard of this benchmark (name it with " +
            "patient_key: {file: ...} or {env: ...}); another secret gives other splits");
    }

    private static byte[] Bytes(string text, string where)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 32)
            throw new ConfigException([new ConfigIssue(where, 0, "patient_key", "the patient-key secret must be at least 32 characters (e.g. 64 hex digits)")]);
        return System.Text.Encoding.UTF8.GetBytes(trimmed);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GmaiBench.Review;

/// <summary>A decision as read back, with the exact line it came from (the last tie-break of the order).</summary>
public sealed record ReviewLine(ReviewDecision Decision, DateTimeOffset Time, string Text);

/// <summary>
/// <c>reviews/&lt;pipeline name&gt;.jsonl</c>: one JSON object per line, appended at once for every decision. Lines are
/// independent and never rewritten, so two reviewers' files merge in git by keeping both sides' lines (in any order:
/// <see cref="ReviewLedger"/> orders them itself).
/// </summary>
public static class ReviewFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Lock AppendLock = new();

    /// <summary>The review file of a pipeline: <c>&lt;folder&gt;/&lt;name&gt;.jsonl</c>.</summary>
    public static string PathFor(string folder, string pipelineName) => Path.Combine(folder, pipelineName + ".jsonl");

    /// <summary>A decision's line (no newline): compact JSON, fields in a fixed order.</summary>
    public static string Line(ReviewDecision d) => JsonSerializer.Serialize(d, Json);

    /// <summary>The time format decisions are written in: UTC with milliseconds, so the text sorts as the instant does.</summary>
    public static string TimeText(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Appends one decision and flushes it to disk before returning, so a crash right after keeps it.</summary>
    public static void Append(string path, ReviewDecision decision)
    {
        Check(decision);
        var bytes = Encoding.UTF8.GetBytes(Line(decision) + "\n");
        lock (AppendLock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
    }

    /// <summary>Every well-formed decision of the file (none if it does not exist) and a problem per line that is not one.</summary>
    public static (List<ReviewLine> Lines, List<string> Problems) Read(string path)
    {
        var lines = new List<ReviewLine>();
        var problems = new List<string>();
        if (!File.Exists(path)) return (lines, problems);
        var n = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            n++;
            var text = raw.TrimEnd('\r');
            if (text.Trim().Length == 0) continue;
            try
            {
                var d = JsonSerializer.Deserialize<ReviewDecision>(text, Json) ?? throw new JsonException("null");
                Check(d);
                if (!DateTimeOffset.TryParse(d.Time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                    throw new FormatException($"time '{d.Time}' is not an ISO 8601 instant");
                lines.Add(new ReviewLine(d, time.ToUniversalTime(), text));
            }
            catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
            {
                problems.Add($"{Path.GetFileName(path)} line {n}: ignored, not a decision ({e.Message})");
            }
        }
        return (lines, problems);
    }

    private static void Check(ReviewDecision d)
    {
        if (string.IsNullOrWhiteSpace(d.Item)) throw new ArgumentException("a decision needs the item's fingerprint");
        if (string.IsNullOrWhiteSpace(d.Reviewer)) throw new ArgumentException("a decision needs a reviewer");
        if (!Verdicts.IsValid(d.Verdict)) throw new ArgumentException($"verdict '{d.Verdict}' is not one of {string.Join(", ", Verdicts.All)}");
    }
}

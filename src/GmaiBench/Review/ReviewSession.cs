using System.Text.Json;
using System.Text.Json.Serialization;
using GmaiBench.Model;

namespace GmaiBench.Review;

/// <summary>A filter expression the review app could not use, with the reason (the subset language's message).</summary>
public sealed class ReviewFilterException(string message) : Exception(message);

/// <summary>A decision the review app refuses (an unknown item or verdict, an undo with nothing to undo).</summary>
public sealed class ReviewRequestException(string message) : Exception(message);

/// <summary>One item as the review app shows it: what a model sees, its tags, and why it was drawn.</summary>
public sealed record ReviewItem
{
    public required int Index { get; init; }
    /// <summary>The content fingerprint decisions are keyed by.</summary>
    public required string Item { get; init; }
    public required string Key { get; init; }
    public required string Question { get; init; }
    public required IReadOnlyList<string> Options { get; init; }
    public required string Answer { get; init; }
    public required string Category { get; init; }
    public required string Source { get; init; }
    /// <summary>The input file (or series) relative to its source's root.</summary>
    public required string SourceFile { get; init; }
    public required string Task { get; init; }
    public required string Department { get; init; }
    public required string Modality { get; init; }
    public required string Granularity { get; init; }
    public required string Split { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    public required string OriginalTask { get; init; }
    /// <summary>The template and distractor pool the question was drawn from (<see cref="Model.Question.Pool"/>).</summary>
    public required string Pool { get; init; }
    /// <summary>The template pool (task / granularity / modality) the question text came from.</summary>
    public string TemplatePool => Pool.Split(" | ", 2)[0];
    /// <summary>Where the distractors came from: the source's classes, or a region pool and its scope.</summary>
    public string DistractorPool => Pool.Split(" | ", 2) is { Length: 2 } p ? p[1] : "";
    /// <summary>The raw label the mark outlines, for region items.</summary>
    public string? RegionLabel { get; init; }
    /// <summary>The slice a volume item was cut at ("axial/0042").</summary>
    public string? Plane { get; init; }
    public bool HasUnmarked => BaseImageSha is not null;
    [JsonIgnore] public string ImageSha { get; init; } = "";
    [JsonIgnore] public string? BaseImageSha { get; init; }
    /// <summary>The built question (filters run on it). Not sent to the browser, like the image hashes.</summary>
    [JsonIgnore] public Question BuiltQuestion { get; init; } = null!;

    /// <summary>The view of a built question; <paramref name="regionJson"/> is its case's region record (null for whole images).</summary>
    public static ReviewItem Of(Question q, string? regionJson)
    {
        string? label = null, plane = null, baseSha = null;
        if (regionJson is not null)
        {
            using var doc = JsonDocument.Parse(regionJson);
            var root = doc.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            label = Text("Label");
            plane = Text("Plane");
            baseSha = Text("BaseImage");
        }
        var prefix = q.Case.SourceId + "/";
        return new ReviewItem
        {
            Index = q.Index, Item = ReviewFingerprint.Of(q), Key = q.Key, Question = q.Text, Options = q.Options, Answer = q.Answer,
            Category = q.Category, Source = q.Case.SourceId,
            SourceFile = q.Case.ItemKey.StartsWith(prefix, StringComparison.Ordinal) ? q.Case.ItemKey[prefix.Length..] : q.Case.ItemKey,
            Task = q.TaskName, Department = q.DepartmentName, Modality = q.Case.Modality, Granularity = q.Case.Granularity.Text(),
            Split = q.Split, Labels = q.AnswerLabels, OriginalTask = q.Case.OriginalTask, Pool = q.Pool,
            RegionLabel = label, Plane = plane, ImageSha = q.Case.ImageSha, BaseImageSha = baseSha, BuiltQuestion = q,
        };
    }
}

/// <summary>Reviewed and total items of one group (a task, department or source).</summary>
public sealed record ReviewProgress(string Group, string Value, int Items, int Accepted, int Rejected, int Flagged)
{
    public int Decided => Accepted + Rejected;
}

/// <summary>
/// The review app's model, free of web code: the last build's items, the review file, and the reviewer. Decisions are
/// appended to the file at once; the standing state is read back from the file, so another reviewer's lines (or a
/// <c>git pull</c>) show up on the next request.
/// </summary>
public sealed class ReviewSession
{
    private readonly Dictionary<int, ReviewItem> _byIndex;
    private readonly Func<string, Func<Question, bool>> _compile;
    private readonly Func<string, byte[]> _image;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private DateTimeOffset _lastTime = DateTimeOffset.MinValue;

    public string Name { get; }
    public string FilePath { get; }
    public string Reviewer { get; }
    public string InitialFilter { get; }
    public IReadOnlyList<ReviewItem> Items { get; }

    /// <summary>Reasons offered for a reject (free text is accepted too): the defects screening exists to catch.</summary>
    public static readonly string[] Reasons =
    [
        "mark misaligned with the target",
        "wrong answer",
        "implausible or ambiguous distractor",
        "image and question do not match",
        "image unreadable or blank",
        "question unclear",
        "duplicate of another item",
    ];

    /// <param name="compile">Turns a subset expression into a predicate; throws <see cref="ReviewFilterException"/> on a bad one.</param>
    /// <param name="image">Reads an image by its content hash from the build's object store.</param>
    public ReviewSession(string name, string filePath, string reviewer, IReadOnlyList<ReviewItem> items,
        Func<string, Func<Question, bool>> compile, Func<string, byte[]> image, string? initialFilter = null, TimeProvider? clock = null)
    {
        if (string.IsNullOrWhiteSpace(reviewer)) throw new ArgumentException("a reviewer name is needed");
        Name = name;
        FilePath = filePath;
        Reviewer = reviewer.Trim();
        Items = items.OrderBy(i => i.Index).ToList();
        _byIndex = Items.ToDictionary(i => i.Index);
        _compile = compile;
        _image = image;
        InitialFilter = initialFilter ?? "";
        _clock = clock ?? TimeProvider.System;
        if (InitialFilter.Length > 0) compile(InitialFilter);
    }

    public ReviewItem? Find(int index) => _byIndex.GetValueOrDefault(index);

    /// <summary>The items a filter expression selects (all for an empty one).</summary>
    public List<ReviewItem> Select(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return [.. Items];
        var predicate = _compile(filter);
        return Items.Where(i => predicate(i.BuiltQuestion)).ToList();
    }

    /// <summary>The unmarked (<paramref name="unmarked"/>) or marked image of an item; null when it has none.</summary>
    public byte[]? Image(int index, bool unmarked)
    {
        var item = Find(index);
        var sha = item is null ? null : unmarked ? item.BaseImageSha : item.ImageSha;
        return sha is null ? null : _image(sha);
    }

    /// <summary>The standing decisions of the review file as it is now.</summary>
    public ReviewLedger Ledger()
    {
        var (lines, _) = ReviewFile.Read(FilePath);
        return new ReviewLedger(lines);
    }

    /// <summary>Appends this reviewer's decision on an item; returns the item's standing decision afterwards.</summary>
    public ReviewState? Decide(int index, string verdict, string? reason)
    {
        var item = Find(index) ?? throw new ReviewRequestException($"no item {index} in this build");
        if (!Verdicts.IsValid(verdict)) throw new ReviewRequestException($"verdict '{verdict}' is not one of {string.Join(", ", Verdicts.All)}");
        reason = (reason ?? "").Trim();
        if (reason.Length > 500) throw new ReviewRequestException("a reason is at most 500 characters");
        lock (_gate)
        {
            if (verdict == Verdicts.Undo && !Ledger().ByReviewer(item.Item).ContainsKey(Reviewer))
                throw new ReviewRequestException($"nothing of {Reviewer}'s to undo on item {index}");
            // Times strictly increase within a session, so the file's order (time first) is the order decisions were made.
            var now = _clock.GetUtcNow();
            now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            if (now <= _lastTime) now = _lastTime.AddMilliseconds(1);
            _lastTime = now;
            ReviewFile.Append(FilePath, new ReviewDecision
            {
                Item = item.Item, Index = item.Index, Reviewer = Reviewer, Verdict = verdict, Reason = reason, Time = ReviewFile.TimeText(now),
            });
            return Ledger().Current(item.Item);
        }
    }

    /// <summary>Review progress of <paramref name="items"/> by task, department and source.</summary>
    public static List<ReviewProgress> Progress(IReadOnlyList<ReviewItem> items, ReviewLedger ledger)
    {
        var result = new List<ReviewProgress>();
        foreach (var (group, key) in new (string, Func<ReviewItem, string>)[] { ("task", i => i.Task), ("department", i => i.Department), ("source", i => i.Source) })
            foreach (var g in items.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var verdicts = g.Select(i => ledger.Current(i.Item)?.Verdict).ToList();
                result.Add(new ReviewProgress(group, g.Key, g.Count(), verdicts.Count(v => v == Verdicts.Accept),
                    verdicts.Count(v => v == Verdicts.Reject), verdicts.Count(v => v == Verdicts.Flag)));
            }
        return result;
    }
}

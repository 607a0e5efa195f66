using GmaiBench.Model;

namespace GmaiBench.Release;

/// <summary>
/// The Hub configs a release holds: <c>default</c>, the single-answer items (VLMEvalKit's exact matching scores them), and
/// <c>multi_answer</c>, the items with more than one correct option (scored by exact set match with <c>gmai score</c>).
/// Each has its own Parquet folder and VLMEvalKit file prefix, so no single-answer file holds a row VLMEvalKit cannot score.
/// </summary>
public sealed record ReleaseConfig(string Name, string DataFolder, string TsvName, IReadOnlyList<Question> Items)
{
    public const string Default = "default";
    public const string MultiAnswer = "multi_answer";

    public static string DataFolderOf(string config) => config == MultiAnswer ? "data/multi_answer" : "data";

    /// <summary>The VLMEvalKit file prefix of a config: the display name, or the display name with <c>_MC</c>.</summary>
    public static string TsvNameOf(string config, string displayName) => config == MultiAnswer ? displayName + "_MC" : displayName;

    /// <summary>The default config always; the multi-answer one when any item has several answers.</summary>
    public static List<ReleaseConfig> Of(IReadOnlyList<Question> questions, string displayName)
    {
        var configs = new List<ReleaseConfig> { new(Default, DataFolderOf(Default), TsvNameOf(Default, displayName), questions.Where(q => !q.Multi).ToList()) };
        var multi = questions.Where(q => q.Multi).ToList();
        if (multi.Count > 0) configs.Add(new(MultiAnswer, DataFolderOf(MultiAnswer), TsvNameOf(MultiAnswer, displayName), multi));
        return configs;
    }
}

using GmaiBench.Model;
using GmaiBench.Tests.Questions;

namespace GmaiBench.Tests.Release;

/// <summary>An object store over a dictionary of images by name, for writer tests that need no work folder.</summary>
public sealed class MemoryObjectStore(IReadOnlyDictionary<string, byte[]> images) : IObjectStore
{
    public string Put(byte[] bytes) => throw new NotSupportedException("a read-only test store");

    public byte[] Get(string sha) => images[sha];
}

/// <summary>The question of a writer test: one row whose image is <c>sha</c> in the test's store.</summary>
public static class ImageRows
{
    public static Question Q(int index, string sha) => new()
    {
        Key = $"src/{index}", Index = index,
        Case = QuestionTests.Case($"src/{index}", "src", "normal") with { ImageSha = sha },
        Text = "What is shown?", Options = ["normal", "pneumonia"], OptionLabels = ["normal", "pneumonia"], Answer = "A",
        AnswerLabels = ["normal"], Category = "normal", TaskName = "Disease Diagnosis", DepartmentName = "Pulmonary Medicine",
        Split = "TEST", Pool = "DD/image",
    };
}

using System.Text.Json;
using GmaiBench.Ingest.Regions;
using GmaiBench.Model;

namespace GmaiBench.Tests.Catalogue;

/// <summary>
/// The JSON written from compile-time metadata (label lists, region records) is byte for byte what the reflection
/// serialiser with its defaults writes: the catalog, fingerprints and release item lists keep their bytes.
/// </summary>
public class CompiledJsonTests
{
    public static TheoryData<string[]> Lists => new()
    {
        Array.Empty<string>(),
        new[] { "normal" },
        new[] { "pneumonia", "COVID-19 \"suspected\"", "Ödem <left> & right", "肺炎", "tab\there", "new\nline", "emoji 🫁", "back\\slash", "'quote'" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public void Label_lists_are_written_as_the_reflection_serialiser_writes_them_and_read_back(string[] values)
    {
        IReadOnlyList<string> list = values.ToList();
        var text = StringLists.ToJson(list);
        Assert.Equal(JsonSerializer.Serialize(list), text);
        Assert.Equal(values, StringLists.FromJson(text));
    }

    [Fact]
    public void Json_null_reads_as_an_empty_list() => Assert.Empty(StringLists.FromJson("null"));

    [Theory]
    [InlineData(null)]
    [InlineData("axial/0042")]
    public void A_region_record_is_written_as_the_reflection_serialiser_writes_it(string? plane)
    {
        var record = new RegionRecord("liver <left> é", "contour", 1234, [[1, 2, 3, 4], [5, 6, 7, 8]], new string('a', 64), 3) { Plane = plane };
        Assert.Equal(JsonSerializer.Serialize(record), record.ToJson());
    }
}

using System.Text.RegularExpressions;

namespace GmaiBench.Questions;

/// <summary>Fills a template's <c>{modality}</c>, choosing "a" or "an" before it by how the name is spoken.</summary>
public static partial class TemplateText
{
    [GeneratedRegex(@"\b([Aa])(n?) \{modality\}")]
    private static partial Regex ArticleBeforeModality();

    public static string Fill(string template, string modality)
    {
        var an = NeedsAn(modality);
        var text = ArticleBeforeModality().Replace(template, m => (m.Groups[1].Value == "A" ? "A" : "a") + (an ? "n" : "") + " {modality}");
        return text.Replace("{modality}", modality, StringComparison.Ordinal);
    }

    /// <summary>
    /// "an" before a vowel ("an Endoscopy image") and before a short acronym whose first letter is spoken with a
    /// vowel sound ("an MRI", "an X-ray", "an OCT"); "a" otherwise ("a CT", "a FLAIR MRI", "a Histopathology").
    /// </summary>
    public static bool NeedsAn(string word)
    {
        if (word.Length == 0) return false;
        var first = word[0];
        if ("AEIOUaeiou".Contains(first)) return true;
        var acronym = new string(word.TakeWhile(char.IsLetterOrDigit).ToArray());
        var spelledOut = acronym.Length is > 0 and <= 4 && acronym.All(c => char.IsUpper(c) || char.IsDigit(c))
                         && (acronym.Length > 1 || word.Length == 1 || !char.IsLetter(word[1]));
        return spelledOut && "FHLMNRSX".Contains(first);
    }
}

using System.Text;
using GmaiBench.Model;

namespace GmaiBench.Taxonomy;

/// <summary>A node of the lexical tree with the number of built items under it.</summary>
public sealed record TreeNode(string Name, int Items, IReadOnlyList<TreeNode> Children);

/// <summary>
/// The lexical tree of GMAI-MMBench, counted over a built benchmark: subject (clinical VQA task, department,
/// perceptual granularity) -> category -> modality -> label. Every category of the taxonomy is listed, with 0
/// where nothing was built, so a reader sees the whole tree and where it is empty.
/// </summary>
public static class LexicalTree
{
    public static IReadOnlyList<TreeNode> Build(IReadOnlyList<Question> questions, LabelTaxonomy taxonomy)
    {
        TreeNode Category(string name, IEnumerable<Question> items)
        {
            var list = items.ToList();
            var modalities = list.GroupBy(q => q.Case.Modality).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(m => new TreeNode(m.Key, m.Count(),
                    m.SelectMany(q => q.AnswerLabels.Select(l => (q, l))).GroupBy(x => x.l).OrderBy(g => g.Key, StringComparer.Ordinal)
                        .Select(l => new TreeNode(taxonomy.Label(l.Key)?.Name ?? l.Key, l.Count(), [])).ToList()))
                .ToList();
            return new TreeNode(name, list.Count, modalities);
        }
        var tasks = taxonomy.Tasks.Select(t => Category($"{t.Name} ({t.Id})", questions.Where(q => q.Case.Task == t.Id))).ToList();
        var departments = taxonomy.Departments.Select(d => Category(d.Name, questions.Where(q => q.Case.PrimaryDepartment == d.Id))).ToList();
        var granularities = taxonomy.Granularities.Select(g => Category(g.Id, questions.Where(q => q.Case.Granularity.Text() == g.Id))).ToList();
        return
        [
            new TreeNode("clinical VQA task", questions.Count, tasks),
            new TreeNode("department", questions.Count, departments),
            new TreeNode("perceptual granularity", questions.Count, granularities),
        ];
    }

    public static string Text(IReadOnlyList<TreeNode> roots)
    {
        var sb = new StringBuilder();
        void Walk(TreeNode n, int depth)
        {
            sb.Append(' ', depth * 2).Append(n.Name).Append(" [").Append(n.Items).Append("]\n");
            foreach (var c in n.Children) Walk(c, depth + 1);
        }
        foreach (var r in roots) Walk(r, 0);
        return sb.ToString();
    }
}

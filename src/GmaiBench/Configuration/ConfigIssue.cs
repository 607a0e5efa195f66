namespace GmaiBench.Configuration;

/// <summary>One problem found in a configuration file, located by file, line and field.</summary>
public sealed record ConfigIssue(string File, int Line, string Field, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}: {Field}: {Message}" : $"{File}: {Field}: {Message}";
}

/// <summary>Thrown when a configuration has errors; carries every issue found, not just the first.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigIssue> issues)
    : Exception(string.Join(Environment.NewLine, issues))
{
    public IReadOnlyList<ConfigIssue> Issues { get; } = issues;
}

using GmaiBench.Cli;

namespace GmaiBench.Tests.Review;

/// <summary><c>gmai review</c>'s refusals, before any server starts.</summary>
public class ReviewCliTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    private static int Run(DemoProject p, params string[] args) =>
        GmaiCommand.Build().Parse([.. args, "--sources", p.PathOf("sources.yaml"), "--taxonomy", p.PathOf("label-taxonomy"), "--pipeline", p.PathOf("pipelines/demo.yaml")]).Invoke();

    [Fact]
    public void Review_needs_a_build_and_a_valid_filter()
    {
        var p = corpus.NewProject("review-cli");
        Assert.Equal(ExitCodes.Failure, Run(p, "review", "--port", "0"));
        p.Build();
        Assert.Equal(ExitCodes.ConfigError, Run(p, "review", "--port", "0", "--where", "modalty = CT"));
        Assert.Equal(ExitCodes.Failure, Run(p, "review", "--port", "0", "--host", "example.org"));
        Assert.False(Directory.Exists(p.PathOf("reviews")));
    }
}

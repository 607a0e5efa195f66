using System.Text.RegularExpressions;
using GmaiBench.Model;
using GmaiBench.Pipeline;
using GmaiBench.Release;
using GmaiBench.Review;
using GmaiBench.ReviewApp;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GmaiBench.Tests.Review;

/// <summary>
/// The review app and build-report.html in a real browser (Debian's chromium through Playwright): reject with the keyboard,
/// see the decision kept after a reload, rebuild and see the item rejected with its reason; the report loads every image
/// with no console error and no request off the machine. Screenshots go to the test's temp folder.
/// </summary>
public class ReviewBrowserTests(DemoCorpusFixture corpus, ITestOutputHelper output) : IClassFixture<DemoCorpusFixture>
{
    private const string Reason = "mark misaligned with the target";

    [Fact]
    public async Task A_reviewer_rejects_with_the_keyboard_the_decision_survives_a_reload_and_the_rebuild_rejects_the_item()
    {
        var project = corpus.NewProject("review-browser");
        var first = project.Build();
        var target = first.Questions.First(q => q.Case.Granularity == Granularity.Contour);
        var shots = TestData.TempDir("review-browser-screenshots");
        output.WriteLine($"screenshots: {shots}");
        var problems = new List<string>();
        await using var chromium = await DebianChromium.LaunchAsync();
        var page = await chromium.PageAsync(problems);

        var session = Workflows.Review(project.Config(), null, "browser-tester");
        await using (var server = await ReviewServer.StartAsync(session, new ReviewServerOptions { Port = 0 }))
        {
            var itemUrl = new Uri(server.Url, $"/#view=item&item={target.Index}").ToString();
            await page.GotoAsync(itemUrl);
            await Expect(page.Locator("#item-index")).ToContainTextAsync($"Item {target.Index} ");
            await Expect(page.Locator("#item-status")).ToHaveTextAsync("not reviewed");
            await Expect(page.Locator("#item-options li.answer")).ToHaveTextAsync(target.Options[target.Answer[0] - 'A']);
            await page.WaitForFunctionAsync("() => ['img-marked', 'img-unmarked'].every(id => { const i = document.getElementById(id); return i.complete && i.naturalWidth > 0; })");
            await Expect(page.Locator("#zoom")).ToHaveTextAsync("fit");
            await page.Keyboard.PressAsync("+");
            await Expect(page.Locator("#zoom")).ToHaveTextAsync(new Regex(@"^\d+%$"));
            await page.Keyboard.PressAsync("0");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "review-item.png") });

            // Reject with the keyboard: r opens the reasons, 1 picks the first; the app moves on to the next item.
            await page.Keyboard.PressAsync("r");
            await Expect(page.Locator("#reject-dialog")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "review-reject-dialog.png") });
            await page.Keyboard.PressAsync("1");
            await Expect(page.Locator("#reject-dialog")).ToBeHiddenAsync();
            await Expect(page.Locator("#item-index")).Not.ToContainTextAsync($"Item {target.Index} ");
            var line = Assert.Single(File.ReadAllLines(session.FilePath));
            Assert.Contains($"\"verdict\":\"reject\",\"reason\":\"{Reason}\"", line);
            Assert.Contains($"\"index\":{target.Index},", line);

            // Reload on the item: the decision is read back from the review file.
            await page.GotoAsync(itemUrl);
            await page.ReloadAsync();
            await Expect(page.Locator("#item-index")).ToContainTextAsync($"Item {target.Index} ");
            await Expect(page.Locator("#item-status")).ToHaveTextAsync($"reject: {Reason} (browser-tester)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "review-after-reload.png") });
            await page.Keyboard.PressAsync("g");
            await Expect(page.Locator($".tile[data-index='{target.Index}']")).ToHaveClassAsync(new Regex(@"\breject\b"));
            // Filter with the subset language from the keyboard.
            await page.Keyboard.PressAsync("/");
            await page.Keyboard.TypeAsync("granularity = contour and split = " + target.Split);
            await page.Keyboard.PressAsync("Enter");
            var expected = first.Questions.Count(q => q.Case.Granularity == Granularity.Contour && q.Split == target.Split);
            await Expect(page.Locator("#count")).ToHaveTextAsync($"{expected} of {first.Questions.Count} items");
            await page.Keyboard.PressAsync("p");
            await Expect(page.Locator("#progress")).ToContainTextAsync("1/");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "review-grid.png") });
            // The grid's lazy thumbnails may still be loading: the page lets go of the server before it stops.
            await chromium.LeaveAsync(page);
        }
        Assert.Empty(problems);

        // The next build applies the decision.
        var second = project.Build();
        var dir = Workflows.WriteBuildOutputs(second);
        var reject = Assert.Single(second.Report.Rejects, r => r.Reason == ReviewApplication.RejectReason);
        Assert.Equal(target.Key, reject.Key);
        Assert.Contains(Reason, reject.Message);
        Assert.DoesNotContain(second.Questions, q => q.Key == target.Key);

        // build-report.html: every image loads, no console error, nothing requested but the file and its inline data.
        var requests = new List<string>();
        page.Request += (_, r) => { lock (requests) requests.Add(r.Url); };
        var report = Path.Combine(dir, BuildReportHtmlOutput.FileName);
        await page.GotoAsync(new Uri(report).AbsoluteUri);
        await page.WaitForLoadStateAsync(LoadState.Load);
        var images = await page.EvaluateAsync<int>("() => document.images.length");
        var loaded = await page.EvaluateAsync<int>("() => [...document.images].filter(i => i.complete && i.naturalWidth > 0).length");
        Assert.True(images > 0);
        Assert.Equal(images, loaded);
        Assert.Equal(7, await page.Locator("svg").CountAsync());
        await Expect(page.Locator("#review + p")).ToContainTextAsync("1 decision(s) by browser-tester");
        await Expect(page.Locator("table.rejects")).ToContainTextAsync(Reason);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "build-report.png"), FullPage = true });
        Assert.All(requests, u => Assert.True(u.StartsWith("file:", StringComparison.Ordinal) || u.StartsWith("data:", StringComparison.Ordinal), u));
        Assert.Empty(problems);
        KeepScreenshots(shots);
    }

    /// <summary>The run's temp folder goes when the run ends; GMAI_TEST_SCREENSHOTS=DIR keeps a copy of the screenshots to look at.</summary>
    private static void KeepScreenshots(string shots)
    {
        if (Environment.GetEnvironmentVariable("GMAI_TEST_SCREENSHOTS") is not { Length: > 0 } keep) return;
        Directory.CreateDirectory(keep);
        foreach (var f in Directory.GetFiles(shots, "*.png")) File.Copy(f, Path.Combine(keep, Path.GetFileName(f)), overwrite: true);
    }
}

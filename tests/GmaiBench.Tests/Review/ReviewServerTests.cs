using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using GmaiBench.Pipeline;
using GmaiBench.Review;
using GmaiBench.ReviewApp;

namespace GmaiBench.Tests.Review;

/// <summary>The review app over HTTP: loopback, ids only, anti-forgery on decisions, embedded assets, filters.</summary>
public partial class ReviewServerTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [GeneratedRegex("name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [Fact]
    public async Task Decisions_need_the_token_items_are_named_by_index_and_other_hosts_are_refused()
    {
        var project = corpus.NewProject("review-http");
        project.Build();
        var session = Workflows.Review(project.Config(), "split = TEST", "carol");
        await using var server = await ReviewServer.StartAsync(session, new ReviewServerOptions { Port = 0 });
        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.NotEqual(0, server.Url.Port);

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true };
        using var http = new HttpClient(handler) { BaseAddress = server.Url };
        var page = await http.GetStringAsync("/");
        var token = TokenPattern().Match(page).Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.Contains("data-filter=\"split = TEST\"", page);
        Assert.DoesNotContain("http", page.Replace("http-equiv", ""), StringComparison.OrdinalIgnoreCase);
        foreach (var asset in new[] { "/app.js", "/app.css" })
        {
            var text = await http.GetStringAsync(asset);
            Assert.DoesNotMatch("https?://", text);
        }

        var items = await http.GetFromJsonAsync<ItemsResponse>("/api/items?where=" + Uri.EscapeDataString("split = TEST"));
        Assert.NotNull(items);
        Assert.All(items.Items, i => Assert.Equal("TEST", i.Split));
        var index = items.Items[0].Index;
        var bad = await http.GetAsync("/api/items?where=" + Uri.EscapeDataString("modalty = CT"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("did you mean: modality", await bad.Content.ReadAsStringAsync());

        var detail = await http.GetStringAsync($"/api/items/{index}");
        Assert.Contains("\"templatePool\":", detail);
        Assert.DoesNotContain("imageSha", detail);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/items/999999")).StatusCode);
        var png = await http.GetByteArrayAsync($"/img/{index}/marked.png");
        Assert.Equal(0x89, png[0]);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/img/999999/marked.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/img/0/..%2F..%2F..%2Fetc%2Fpasswd.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/img/0/marked.png%2F..%2F..%2Fcatalog.sqlite")).StatusCode);

        // No token: refused, and nothing written.
        var refused = await http.PostAsJsonAsync($"/api/items/{index}/decision", new { verdict = "reject", reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False(File.Exists(session.FilePath));
        // A token without its cookie (another origin's request) is refused too.
        using (var bare = new HttpClient { BaseAddress = server.Url })
        {
            var req = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{index}/decision") { Content = JsonContent.Create(new { verdict = "reject" }) };
            req.Headers.Add(ReviewServer.TokenHeader, token);
            Assert.Equal(HttpStatusCode.BadRequest, (await bare.SendAsync(req)).StatusCode);
        }
        // Another host name (DNS rebinding) is refused.
        using (var rebinding = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            rebinding.Headers.Host = "attacker.example";
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebinding)).StatusCode);
        }

        async Task<HttpResponseMessage> Decide(string verdict, string reason = "")
        {
            var req = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{index}/decision") { Content = JsonContent.Create(new { verdict, reason }) };
            req.Headers.Add(ReviewServer.TokenHeader, token);
            return await http.SendAsync(req);
        }
        Assert.Equal(HttpStatusCode.Conflict, (await Decide("undo")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Decide("maybe")).StatusCode);
        Assert.True((await Decide("flag", "check")).IsSuccessStatusCode);
        Assert.True((await Decide("reject", "wrong answer")).IsSuccessStatusCode);
        var line = Assert.Single(File.ReadAllLines(session.FilePath), l => l.Contains("\"reject\""));
        Assert.Contains("\"reviewer\":\"carol\"", line);
        Assert.Equal("reject", session.Ledger().Current(session.Find(index)!.Item)!.Verdict);
        Assert.True((await Decide("undo")).IsSuccessStatusCode);
        Assert.Equal("flag", session.Ledger().Current(session.Find(index)!.Item)!.Verdict);
    }

    [Fact]
    public void The_app_binds_loopback_unless_a_host_is_given()
    {
        Assert.Equal(IPAddress.Loopback, ReviewServer.Address(null));
        Assert.Equal(IPAddress.Loopback, ReviewServer.Address("localhost"));
        Assert.Equal(IPAddress.Any, ReviewServer.Address("0.0.0.0"));
        Assert.Throws<ArgumentException>(() => ReviewServer.Address("example.org"));
    }

    private sealed record ItemsResponse(List<ItemRow> Items, int Total);

    private sealed record ItemRow(int Index, string Split);
}

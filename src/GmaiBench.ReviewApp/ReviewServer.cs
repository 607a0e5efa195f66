using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GmaiBench.Review;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmaiBench.ReviewApp;

/// <summary>Where the review app listens: loopback unless a host is named explicitly; port 0 picks a free one.</summary>
public sealed record ReviewServerOptions
{
    public string? Host { get; init; }
    public int Port { get; init; }
}

/// <summary>
/// The review app (<c>gmai review</c>): Kestrel serving the embedded page and a small JSON API over a
/// <see cref="ReviewSession"/>. Requests name items by index only (images are looked up by the item's content hash, never
/// by a path from the request); decisions are POSTs carrying an anti-forgery token; requests for any other host name
/// are refused (DNS rebinding).
/// </summary>
public sealed class ReviewServer : IAsyncDisposable
{
    public const string TokenHeader = "X-CSRF-TOKEN";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Default,
    };

    private readonly WebApplication _app;

    public Uri Url { get; }

    private ReviewServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The address to bind: 127.0.0.1 by default; "localhost" is loopback too; anything else only when given.</summary>
    public static IPAddress Address(string? host) =>
        string.IsNullOrWhiteSpace(host) || host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var ip) ? ip
        : throw new ArgumentException($"--host takes an IP address (e.g. 127.0.0.1, 0.0.0.0) or localhost, not '{host}'");

    public static async Task<ReviewServer> StartAsync(ReviewSession session, ReviewServerOptions options, CancellationToken cancel = default)
    {
        var address = Address(options.Host);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "gmai-review", ContentRootPath = AppContext.BaseDirectory, Args = [],
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, options.Port));
        // Keys live in memory: tokens are good for this process only, and nothing is written under the user's home.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = TokenHeader;
            o.Cookie.Name = "gmai-review-af";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        var app = builder.Build();
        var allowedHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "127.0.0.1", "localhost", "[::1]" };
        if (!string.IsNullOrWhiteSpace(options.Host)) allowedHosts.Add(options.Host);
        app.Use(async (ctx, next) =>
        {
            if (!allowedHosts.Contains(ctx.Request.Host.Host))
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsync("unknown host");
                return;
            }
            var h = ctx.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h["Content-Security-Policy"] = "default-src 'self'; img-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            h.CacheControl = "no-store";
            await next();
        });
        Map(app, session);
        await app.StartAsync(cancel);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        var shown = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : address.ToString();
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !address.Equals(IPAddress.IPv6Any)) shown = $"[{address}]";
        return new ReviewServer(app, new Uri($"http://{shown}:{port}/"));
    }

    public Task WaitForShutdownAsync(CancellationToken cancel) => _app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Map(WebApplication app, ReviewSession session)
    {
        app.MapGet("/", (HttpContext ctx, IAntiforgery af) =>
        {
            var tokens = af.GetAndStoreTokens(ctx);
            var html = Asset("index.html")
                .Replace("{{token}}", HtmlEncoder.Default.Encode(tokens.RequestToken ?? ""), StringComparison.Ordinal)
                .Replace("{{reviewer}}", HtmlEncoder.Default.Encode(session.Reviewer), StringComparison.Ordinal)
                .Replace("{{name}}", HtmlEncoder.Default.Encode(session.Name), StringComparison.Ordinal)
                .Replace("{{filter}}", HtmlEncoder.Default.Encode(session.InitialFilter), StringComparison.Ordinal);
            return Results.Content(html, "text/html; charset=utf-8");
        });
        app.MapGet("/app.js", () => Results.Content(Asset("app.js"), "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Results.Content(Asset("app.css"), "text/css; charset=utf-8"));
        app.MapGet("/favicon.ico", () => Results.NoContent());

        app.MapGet("/api/items", (string? where) =>
        {
            List<ReviewItem> items;
            try { items = session.Select(where); }
            catch (ReviewFilterException e) { return Results.Json(new { error = e.Message }, Json, statusCode: 400); }
            var ledger = session.Ledger();
            return Results.Json(new
            {
                reviewer = session.Reviewer,
                total = session.Items.Count,
                reasons = ReviewSession.Reasons,
                items = items.Select(i => new
                {
                    i.Index, i.Split, i.Task, i.Department, i.Source, i.Granularity, i.Modality, i.Category,
                    state = ledger.Current(i.Item),
                }),
                progress = ReviewSession.Progress(items, ledger),
            }, Json);
        });
        app.MapGet("/api/items/{index:int}", (int index) =>
        {
            if (session.Find(index) is not { } item) return Results.Json(new { error = $"no item {index}" }, Json, statusCode: 404);
            var ledger = session.Ledger();
            return Results.Json(new { item, state = ledger.Current(item.Item), reviewers = ledger.ByReviewer(item.Item) }, Json);
        });
        app.MapGet("/img/{index:int}/{which}.png", (int index, string which) =>
        {
            if (which is not ("marked" or "unmarked")) return Results.NotFound();
            var bytes = session.Image(index, which == "unmarked");
            return bytes is null ? Results.NotFound() : Results.Bytes(bytes, "image/png");
        });
        app.MapPost("/api/items/{index:int}/decision", async (int index, HttpContext ctx, IAntiforgery af) =>
        {
            try { await af.ValidateRequestAsync(ctx); }
            catch (AntiforgeryValidationException) { return Results.Json(new { error = "missing or invalid anti-forgery token; reload the page" }, Json, statusCode: 400); }
            DecisionRequest? body;
            try { body = await ctx.Request.ReadFromJsonAsync<DecisionRequest>(Json); }
            catch (JsonException) { body = null; }
            if (body?.Verdict is null) return Results.Json(new { error = "expected {\"verdict\": ..., \"reason\": ...}" }, Json, statusCode: 400);
            try
            {
                var state = session.Decide(index, body.Verdict, body.Reason);
                var item = session.Find(index)!;
                return Results.Json(new { state, reviewers = session.Ledger().ByReviewer(item.Item) }, Json);
            }
            catch (ReviewRequestException e) { return Results.Json(new { error = e.Message }, Json, statusCode: 409); }
        });
    }

    private sealed record DecisionRequest(string? Verdict, string? Reason);

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal);

    /// <summary>An embedded asset's text (<c>Assets/</c> in this project).</summary>
    public static string Asset(string name)
    {
        lock (Assets)
        {
            if (Assets.TryGetValue(name, out var text)) return text;
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("assets/" + name)
                ?? throw new InvalidOperationException($"embedded asset {name} is missing");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return Assets[name] = reader.ReadToEnd();
        }
    }
}

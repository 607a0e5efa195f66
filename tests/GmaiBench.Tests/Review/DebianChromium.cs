using Microsoft.Playwright;

namespace GmaiBench.Tests.Review;

/// <summary>
/// Debian's chromium (installed by scripts/setup) driven by Playwright for .NET: the package's own browser download
/// cannot be reached here, so the launch names the Debian binary, a fresh empty profile, and the flags that keep the
/// browser off the network (no background requests, updates, sync or QUIC).
/// </summary>
public sealed class DebianChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    public static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly Dictionary<IPage, PageWatch> _watches = [];

    /// <summary>A page's requests in flight, and whether it is being left (its aborted requests are then expected).</summary>
    private sealed class PageWatch
    {
        public readonly HashSet<IRequest> InFlight = [];
        public volatile bool Leaving;
    }

    public IBrowserContext Context { get; }

    private DebianChromium(IPlaywright playwright, IBrowserContext context)
    {
        _playwright = playwright;
        Context = context;
    }

    public static async Task<DebianChromium> LaunchAsync()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} is missing: run scripts/setup (it installs Debian's chromium package)");
        var playwright = await Playwright.CreateAsync();
        // A persistent context is how Playwright takes a --user-data-dir: a new, empty one per launch.
        var context = await playwright.Chromium.LaunchPersistentContextAsync(TestData.TempDir("chromium-profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Executable, Headless = true, Args = Flags,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(30_000);
        return new DebianChromium(playwright, context);
    }

    /// <summary>A new page whose console errors, uncaught exceptions and failed requests are collected in <paramref name="problems"/>.</summary>
    public async Task<IPage> PageAsync(List<string> problems)
    {
        var page = await Context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type == "error") lock (problems) problems.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => { lock (problems) problems.Add($"page error: {e}"); };
        var watch = new PageWatch();
        lock (_watches) _watches[page] = watch;
        page.Request += (_, r) => { lock (watch.InFlight) watch.InFlight.Add(r); };
        page.RequestFinished += (_, r) => { lock (watch.InFlight) watch.InFlight.Remove(r); };
        page.RequestFailed += (_, r) =>
        {
            lock (watch.InFlight) watch.InFlight.Remove(r);
            if (!watch.Leaving) lock (problems) problems.Add($"request failed: {r.Url} {r.Failure}");
        };
        return page;
    }

    /// <summary>
    /// Leaves a page served by a server about to stop: waits until none of its requests has been in flight for a
    /// moment (lazy images the last view started, for one), then goes to about:blank, so stopping the server
    /// fails no request the page still wanted. Failures from then on (requests the navigation aborts) are not problems.
    /// </summary>
    public async Task LeaveAsync(IPage page)
    {
        PageWatch watch;
        lock (_watches) watch = _watches[page];
        var inFlight = watch.InFlight;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow - quietSince < TimeSpan.FromMilliseconds(300))
        {
            int pending;
            lock (inFlight) pending = inFlight.Count;
            if (pending > 0) quietSince = DateTime.UtcNow;
            if (DateTime.UtcNow > deadline)
            {
                lock (inFlight)
                    throw new TimeoutException($"requests still in flight after 30 s: {string.Join(", ", inFlight.Select(r => r.Url))}");
            }
            await Task.Delay(50);
        }
        // A request that starts after the quiet moment is aborted by leaving (net::ERR_ABORTED): expected, not a problem.
        watch.Leaving = true;
        await page.GotoAsync("about:blank");
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
    }
}

using System.Collections.Concurrent;
using Microsoft.Playwright;

using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Browser;

/// <summary>
/// One headless Debian Chromium for all browser tests, driven by Playwright. Without it the tests skip, saying how to
/// install it, unless they run under CI (<c>CI=true</c>), where a missing browser is a failure.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private const string InstallHint = "Chromium is not installed at /usr/bin/chromium: run `apt-get install chromium` (Debian) to run the browser tests.";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>A fresh context and page; skips (or, under CI, fails) when there is no browser.</summary>
    public async Task<BrowserPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        Prerequisite.Require(_browser is not null, InstallHint);

        var context = await _browser.NewContextAsync(options);
        context.SetDefaultTimeout(10_000);
        return new BrowserPage(context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>A page in its own context, recording what must never happen: dialogs (alert) and page errors.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    public BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            Dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.PageError += (_, error) => Errors.Enqueue(error);
        page.Console += (_, message) => Console.Enqueue(message.Text);
        page.Request += (_, request) => Requests.Enqueue(request.Url);
    }

    public IPage Page { get; }

    public ConcurrentQueue<string> Dialogs { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    public ConcurrentQueue<string> Console { get; } = new();

    public ConcurrentQueue<string> Requests { get; } = new();

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

[CollectionDefinition(nameof(Chromium))]
public sealed class ChromiumCollection : ICollectionFixture<Chromium>;

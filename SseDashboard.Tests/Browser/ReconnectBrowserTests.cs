using Microsoft.Playwright;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Browser;

/// <summary>A page whose stream is refused reopens it after a jittered, doubling backoff, on the page's own clock.</summary>
[Collection(nameof(Chromium))]
public sealed class ReconnectBrowserTests(Chromium chromium)
{
    // Counts EventSources opened (at the page's fake time) and closed streams handled; random fixed at the middle of
    // each jitter range, so every delay is exactly three quarters of its doubling ceiling.
    private const string Probe = """
        Math.random = () => 0.5;
        window.__opened = [];
        window.__errors = 0;
        window.EventSource = class extends window.EventSource {
          constructor(url, init) { super(url, init); window.__opened.push(Date.now()); }
        };
        document.addEventListener('htmx:sseError', e => { if (e.detail.source.readyState === 2) window.__errors++; });
        """;

    [Fact]
    public async Task RefusedStream_IsReopenedAfterADoublingJitteredBackoff_CappedAtAMinute_AndResetAfterAHealthyMinute()
    {
        await using var server = await DashboardServer.StartAsync(DashboardBrowserTests.QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        var refuse = true;
        await page.RouteAsync("**/sse?**", async route =>
        {
            if (refuse)
            {
                await route.FulfillAsync(new() { Status = 503, ContentType = "application/problem+json", Body = "{}" });
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        await page.Clock.InstallAsync();
        await page.Clock.PauseAtAsync(DateTimeOffset.UtcNow.AddMinutes(1).UtcDateTime);
        await page.AddInitScriptAsync(Probe);
        await page.GotoAsync(DashboardBrowserTests.Url(server, "/"));

        // 1 s doubling to 60 s, each at three quarters of its ceiling: 0.75, 1.5, 3, ... 24, then 45 s (60 × ¾) on.
        double[] expected = [750, 1500, 3000, 6000, 12000, 24000, 45000, 45000];
        for (var i = 0; i < expected.Length; i++)
        {
            await WaitForErrorsAsync(page, i + 1);
            await page.Clock.RunForAsync((long)expected[i] - 1);
            Assert.Equal(i + 1, await OpenedAsync(page));
            await page.Clock.RunForAsync(1);
            Assert.Equal(i + 2, await OpenedAsync(page));
        }

        // Let it in and keep it up for a minute: the next refusal starts the backoff from the bottom again. The last
        // stream opened above is refused first: letting streams in before its request was routed let it in instead.
        await WaitForErrorsAsync(page, expected.Length + 1);
        refuse = false;
        await page.Clock.RunForAsync(45000);
        await Expect(page.Locator("[data-conn-status]").First).ToHaveAttributeAsync("data-conn-status", "connected");
        await page.Clock.RunForAsync(61000);
        refuse = true;
        server.GetRequiredService<EventHub>().Complete();
        await WaitForErrorsAsync(page, expected.Length + 2);
        var opened = await OpenedAsync(page);
        await page.Clock.RunForAsync(749);
        Assert.Equal(opened, await OpenedAsync(page));
        await page.Clock.RunForAsync(1);
        Assert.Equal(opened + 1, await OpenedAsync(page));
    }

    private static Task<int> OpenedAsync(IPage page) => page.EvaluateAsync<int>("window.__opened.length");

    // Polled from the test (the page's CSP allows no eval, which a wait-for-function would need).
    private static Task WaitForErrorsAsync(IPage page, int errors) =>
        Eventually.TrueAsync(async () => await page.EvaluateAsync<int>("window.__errors") >= errors, TimeSpan.FromSeconds(10), $"closed stream {errors} handled");
}

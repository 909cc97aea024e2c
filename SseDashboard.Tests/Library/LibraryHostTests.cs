using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Library;

/// <summary>A fresh ASP.NET Core app with <c>AddSseDashboard()</c> and <c>MapSseDashboard("/ops").RequireAuthorization("ops")</c>.</summary>
public sealed class LibraryHostTests
{
    [Fact]
    public async Task HostsOwnLogEntry_WithExceptionAndProperties_ArrivesOnOpsSse()
    {
        await using var host = await HostApp.StartAsync();
        using var admin = await host.SignedInAsync("admin");
        await using var stream = await SseClient.ConnectAsync(admin, "/ops/sse?format=json&topics=log");

        host.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Orders")
            .LogError(new InvalidOperationException("card declined", new TimeoutException("gateway silent")), "Charging order {OrderId} for {Customer} failed", 1002, "Fabrikam");

        JsonElement batch = default, line = default;
        await Eventually.TrueAsync(
            async () =>
            {
                batch = JsonDocument.Parse((await stream.NextOfTypeAsync("log", TimeSpan.FromSeconds(5))).Data).RootElement;
                line = batch.GetProperty("lines").EnumerateArray().FirstOrDefault(l => l.GetProperty("text").GetString() == "Charging order 1002 for Fabrikam failed");
                return line.ValueKind == JsonValueKind.Object;
            },
            TimeSpan.FromSeconds(10),
            "the host's own error on /ops/sse");
        Assert.Equal("app", batch.GetProperty("file").GetString());
        Assert.Equal("error", line.GetProperty("level").GetString());
        Assert.Equal("InternalTool.Orders", line.GetProperty("category").GetString());
        Assert.Equal("Charging order {OrderId} for {Customer} failed", line.GetProperty("message").GetString());
        Assert.Equal(1002, line.GetProperty("fields").GetProperty("OrderId").GetInt32());
        Assert.Equal("Fabrikam", line.GetProperty("fields").GetProperty("Customer").GetString());
        var exception = line.GetProperty("exception").GetString()!;
        Assert.Contains("System.InvalidOperationException: card declined", exception);
        Assert.Contains("System.TimeoutException: gateway silent", exception);
    }

    [Fact]
    public async Task Viewer_IsRefusedEveryDashboardEndpoint_SignedOutGoesToTheHostsLogin()
    {
        await using var host = await HostApp.StartAsync();
        using var viewer = await host.SignedInAsync("none");
        foreach (var url in new[] { "/ops", "/ops/sse", "/ops/panels/cpu", "/ops/api/logs", "/ops/api/history/cpu", "/ops/_content/SseDashboard.AspNetCore/css/panels.css" })
        {
            using var response = await viewer.GetAsync(url, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {response.StatusCode}");
        }

        using var anonymous = host.NewClient();
        using var signedOut = await anonymous.GetAsync("/ops", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/host-login", signedOut.Headers.Location!.AbsolutePath);
        Assert.Equal("?ReturnUrl=%2Fops", signedOut.Headers.Location.Query);
    }

    [Fact]
    public async Task DashboardPage_EveryUrlItUses_IsBelowTheMount_AndTheHostsOwnRoutesAreUntouched()
    {
        await using var host = await HostApp.StartAsync();
        using var admin = await host.SignedInAsync("admin");

        var html = await admin.GetStringAsync("/ops", TestContext.Current.CancellationToken);
        var document = await new HtmlParser().ParseDocumentAsync(html);
        var urls = document.All
            .SelectMany(e => new[] { "href", "src", "action", "sse-connect", "hx-get", "data-history", "data-api" }.Select(e.GetAttribute))
            .OfType<string>()
            .Where(u => u.StartsWith('/'))
            .ToArray();
        Assert.Contains(urls, u => u.StartsWith("/ops/sse?", StringComparison.Ordinal));
        Assert.Contains(urls, u => u.StartsWith("/ops/_content/SseDashboard.AspNetCore/js/connection.js", StringComparison.Ordinal));
        Assert.Contains(urls, u => u.StartsWith("/ops/panels/cpu/chart?", StringComparison.Ordinal));
        Assert.Contains("/ops/api/logs", urls);
        Assert.All(urls, u => Assert.StartsWith("/ops/", u));
        // The host's sign-in guards every endpoint, so no embed token is offered or made.
        Assert.Empty(document.QuerySelectorAll("[data-embed]"));
        using var embed = await admin.PostAsJsonAsync("/ops/api/embed-tokens", new { panels = new[] { "cpu" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, embed.StatusCode);
        foreach (var asset in urls.Where(u => u.Contains("/_content/", StringComparison.Ordinal)))
        {
            using var file = await admin.GetAsync(asset, TestContext.Current.CancellationToken);
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"{asset}: {file.StatusCode}");
        }

        // The host's own: its home page without the dashboard's headers, its JSON as it writes it, its health checks
        // (the dashboard's join them only if the host adds them); nothing at the root.
        Assert.Empty(host.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        using var home = await admin.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal("host home", await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(home.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("""{"at":"2026-12-05T10:00:00+00:00"}""", await admin.GetStringAsync("/host-time", TestContext.Current.CancellationToken));
        foreach (var url in new[] { "/sse", "/login", "/panels/cpu", "/api/logs", "/healthz" })
        {
            using var response = await admin.GetAsync(url, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task SecondMapSseDashboard_IsRefusedWithAClearError()
    {
        var problem = await Assert.ThrowsAsync<InvalidOperationException>(() => HostApp.StartAsync(map: app =>
        {
            app.MapSseDashboard("/ops");
            app.MapSseDashboard("/admin/ops");
        }));
        Assert.Equal(
            "MapSseDashboard was already called with \"/ops\": the dashboard mounts at one path per app, so \"/admin/ops\" is refused.",
            problem.Message);
    }

    [Fact]
    public async Task Features_OnlyTheAppsLogsAndMeters_NoClockNoFileTail()
    {
        await using var host = await HostApp.StartAsync(dashboard: o => o.Features = DashboardFeatures.AppLog | DashboardFeatures.Meters);

        Assert.Equal(["log", "meters"], host.GetRequiredService<EventHub>().Topics.Select(t => t.Name).Order());
        Assert.DoesNotContain(host.GetRequiredService<IEnumerable<IHostedService>>(), s => s is LogTailProducer);
        using var admin = await host.SignedInAsync("admin");
        using var clock = await admin.GetAsync("/ops/panels/clock", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, clock.StatusCode);
    }

    [Fact]
    public async Task HostMode_StreamEndsWithClose_WhenTheHostsCookieExpires()
    {
        await using var host = await HostApp.StartAsync(cookieLifetime: TimeSpan.FromSeconds(2));
        using var admin = await host.SignedInAsync("admin");
        await using var stream = await SseClient.ConnectAsync(admin, "/ops/sse?topics=log");

        var close = await stream.NextOfTypeAsync("close", TimeSpan.FromSeconds(8));
        Assert.Equal("""{"reason":"expired"}""", close.Data);
    }

    [Fact]
    public async Task TokenMode_InAHostWithNoSignInOfItsOwn_LogsInBelowTheMount()
    {
        await using var host = await TokenModeHostAsync();
        using var reader = host.NewClient();

        using var signedOut = await reader.GetAsync("/ops", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/ops/login", signedOut.Headers.Location!.AbsolutePath);

        using var login = await reader.GetAsync($"/ops/login?t={LibraryToken}&ReturnUrl=%2Fops", TestContext.Current.CancellationToken);
        Assert.Equal("/ops", login.Headers.Location!.OriginalString);
        using var page = await reader.GetAsync("/ops", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        using var script = host.NewClient();
        script.DefaultRequestHeaders.Authorization = new("Bearer", LibraryToken);
        await using var stream = await SseClient.ConnectAsync(script, "/ops/sse?format=json&topics=log");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
    }

    [Fact]
    public async Task TokenMode_BesideAHostsOwnSchemeNamedBearer_ItsBearerWorks()
    {
        await using var host = await TokenModeHostAsync(builder => builder.Services.AddAuthentication().AddCookie("Bearer"));

        // Two schemes named Bearer would stop the first request that authenticates; the dashboard's has its own name.
        using var script = host.NewClient();
        script.DefaultRequestHeaders.Authorization = new("Bearer", LibraryToken);
        await using var stream = await SseClient.ConnectAsync(script, "/ops/sse?topics=log");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
    }

    [Fact]
    public async Task MapSseDashboard_OnARouteGroup_IsRefusedWithAClearError()
    {
        var problem = await Assert.ThrowsAsync<ArgumentException>(() => HostApp.StartAsync(map: app => app.MapGroup("/admin").MapSseDashboard("/ops")));
        Assert.StartsWith("MapSseDashboard takes the app itself (app.MapSseDashboard(\"/admin/ops\")), not a route group.", problem.Message);
    }

    private const string LibraryToken = "library-token-0123456789abcdef";

    /// <summary>A host that leaves sign-in to the dashboard: Token mode, mounted at /ops with no policy of its own.</summary>
    private static Task<HostApp> TokenModeHostAsync(Action<WebApplicationBuilder>? configure = null) =>
        HostApp.StartAsync(
            new Dictionary<string, string?> { ["Dashboard:Auth:Mode"] = "Token", ["Dashboard:Auth:Token"] = LibraryToken },
            map: app => app.MapSseDashboard("/ops"),
            configure: configure);
}

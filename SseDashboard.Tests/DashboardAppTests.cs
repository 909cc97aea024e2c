using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseDashboard.Clock;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests;

/// <summary>The app refuses to start on a bad setting, naming its key; each feature reads its own section.</summary>
public sealed class DashboardAppTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(new ValidateClockOptions().Validate(null, new ClockOptions()).Succeeded);
        Assert.True(new ValidateSseOptions().Validate(null, new SseOptions()).Succeeded);
    }

    [Fact]
    public void Validate_ReportsEveryBadValue_NamingItsKey()
    {
        var clock = new ValidateClockOptions().Validate(null, new ClockOptions { Interval = TimeSpan.Zero });
        var sse = new ValidateSseOptions().Validate(
            null,
            new SseOptions { Heartbeat = TimeSpan.FromSeconds(-1), ReplayCapacity = 0, MaxQueuedEvents = -5, Retry = TimeSpan.Zero });

        Assert.True(clock.Failed);
        Assert.StartsWith("Dashboard:Clock:Interval ", Assert.Single(clock.Failures!));
        Assert.True(sse.Failed);
        Assert.Collection(
            sse.Failures!,
            f => Assert.StartsWith("Dashboard:Sse:Heartbeat ", f),
            f => Assert.StartsWith("Dashboard:Sse:Retry ", f),
            f => Assert.StartsWith("Dashboard:Sse:ReplayCapacity ", f),
            f => Assert.StartsWith("Dashboard:Sse:MaxQueuedEvents ", f));
    }

    [Theory]
    [InlineData("Dashboard:Clock:Interval", "00:00:00")]
    [InlineData("Dashboard:Sse:ReplayCapacity", "0")]
    [InlineData("Dashboard:Sse:Heartbeat", "-00:00:01")]
    public async Task Start_WithAnInvalidValue_RefusesToStart_NamingTheKey(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task Start_InHostMode_RefusesToStart_SayingItNeedsAHostApp()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Auth:Mode"] = "Host" }));

        Assert.Equal(
            "Dashboard:Auth:Mode: Host is for the dashboard inside a host app, whose own sign-in says who is signed in; this app takes Token, Proxy or None.",
            error.Message);
    }

    [Fact]
    public async Task Start_WithAValueOfTheWrongType_RefusesToStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Clock:Interval"] = "soon" }));

        Assert.Contains("Dashboard:Clock:Interval", error.Message);
    }

    [Fact]
    public async Task CommandLineOverride_ReachesTheOptions()
    {
        await using var app = DashboardApp.Create(["--Dashboard:Clock:Interval=00:00:00.2", "--Dashboard:Sse:Heartbeat=00:00:05"]);

        Assert.Equal(TimeSpan.FromMilliseconds(200), app.Services.GetRequiredService<IOptions<ClockOptions>>().Value.Interval);
        Assert.Equal(TimeSpan.FromSeconds(5), app.Services.GetRequiredService<IOptions<SseOptions>>().Value.Heartbeat);
    }

    [Fact]
    public async Task BadProducerOptions_StopTheStart_NamingEveryKey()
    {
        // Each feature validates its own section; every failing section is reported, not just the first.
        var ex = await Assert.ThrowsAsync<AggregateException>(() => DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Metrics:Interval"] = "00:00:00",
            ["Dashboard:LogTail:InitialLines"] = "-1",
            ["Dashboard:LogTail:MaxLineBytes"] = "0",
            ["Dashboard:LogTail:PollInterval"] = "01:00:00",
            ["Dashboard:LogTail:Paths:0"] = "logs/*/app.log",
        }));

        Assert.All(ex.InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
        Assert.Contains("Dashboard:Metrics:Interval", ex.Message);
        Assert.Contains("Dashboard:LogTail:InitialLines", ex.Message);
        Assert.Contains("Dashboard:LogTail:MaxLineBytes", ex.Message);
        Assert.Contains("Dashboard:LogTail:PollInterval", ex.Message);
        Assert.Contains("Dashboard:LogTail:Paths:0 may use * and ? only in the file name", ex.Message);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Configuration;

public sealed class DashboardOptionsTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(new ValidateDashboardOptions().Validate(null, new DashboardOptions()).Succeeded);
    }

    [Fact]
    public void Validate_ReportsEveryBadValue_NamingItsKey()
    {
        var options = new DashboardOptions
        {
            Clock = { Interval = TimeSpan.Zero },
            Sse = { Heartbeat = TimeSpan.FromSeconds(-1), ReplayCapacity = 0, MaxQueuedEvents = -5, Retry = TimeSpan.Zero },
        };

        var result = new ValidateDashboardOptions().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("Dashboard:Clock:Interval ", f),
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

        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Clock.Interval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Sse.Heartbeat);
    }
}

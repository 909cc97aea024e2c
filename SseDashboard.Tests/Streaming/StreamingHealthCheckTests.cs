using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

public sealed class StreamingHealthCheckTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch.AddYears(56);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Check_FollowsWhetherEventsFlow()
    {
        var time = new ManualTime();
        var topic = TestTopics.NewState();
        var hub = new EventHub([topic], new CountingRenderer(), Options.Create(new SseOptions()), time);
        var check = new StreamingHealthCheck(hub, Options.Create(new StreamingHealthOptions { MaxSilence = TimeSpan.FromSeconds(5) }), time);
        async Task<HealthStatus> StatusAsync() => (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status;

        Assert.Equal(HealthStatus.Degraded, await StatusAsync());

        await hub.PublishAsync(topic, new TextPayload("x"), TestContext.Current.CancellationToken);
        time.Now += TimeSpan.FromSeconds(4);
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());

        time.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync());

        await hub.PublishAsync(topic, new TextPayload("y"), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());

        hub.Complete();
        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync());
    }
}

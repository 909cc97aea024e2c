using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

public sealed class StreamingHealthCheckTests
{
    [Fact]
    public async Task Check_FollowsWhetherEventsFlow()
    {
        var time = new FakeTimeProvider();
        var topic = TestTopics.NewState();
        var hub = new EventHub([topic], new CountingRenderer(), Options.Create(new SseOptions()), time);
        var check = new StreamingHealthCheck(hub, Options.Create(new StreamingHealthOptions { MaxSilence = TimeSpan.FromSeconds(5) }), time);
        async Task<HealthStatus> StatusAsync() => (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status;

        Assert.Equal(HealthStatus.Degraded, await StatusAsync());

        await hub.PublishAsync(topic, new TextPayload("x"), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync());

        await hub.PublishAsync(topic, new TextPayload("y"), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());

        hub.Complete();
        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync());
    }
}

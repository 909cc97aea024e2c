using SseDashboard.Clock;
using SseDashboard.LogTail;
using SseDashboard.Metrics;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>Per-host topics in the hub: each host's newest state, and streams that ask for some hosts.</summary>
public sealed class HostFilterTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly CountingRenderer _renderer = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hosts_GetOnlyTheirHostsEvents_AndTheClockWhichIsNoHosts()
    {
        var hub = HubFactory.Create(_renderer, ClockTopics.Clock, MetricsTopics.Cpu, LogTailTopics.Log);
        var web1 = await hub.SubscribeAsync(hub.Topics, SseFormat.Json, null, Hosts("web-1"), cancellationToken: Ct);
        var all = await hub.SubscribeAsync(hub.Topics, SseFormat.Json, null, cancellationToken: Ct);

        await hub.PublishAllAsync([Cpu("web-1", 10), Cpu("web-2", 20), Log("web-2", "b"), Log("web-1", "a")], Ct);
        await hub.PublishAsync(ClockTopics.Clock, new ClockSample(Time, 1) { Host = "web-2" }, Ct);

        Assert.Equal(["cpu web-1", "log web-1", "clock "], web1.Drain().Select(Describe));
        Assert.Equal(["cpu web-1", "cpu web-2", "log web-2", "log web-1", "clock "], all.Drain().Select(Describe));
    }

    [Fact]
    public async Task StateTopics_KeepEachHostsNewest_InTheSnapshotAndWhenALaggingQueueCoalesces()
    {
        var hub = HubFactory.Create(_renderer, MetricsTopics.Cpu);
        var lagging = await hub.SubscribeAsync(hub.Topics, SseFormat.Json, null, cancellationToken: Ct);
        for (var i = 1; i <= 3; i++)
        {
            await hub.PublishAllAsync([Cpu("web-1", i), Cpu("web-2", 10 * i)], Ct);
        }

        // One host's sample never replaces another's: the queue and the snapshot hold the newest of each.
        Assert.Equal([3.0, 30.0], lagging.Drain().Select(e => ((CpuSample)e.Payload!).SystemPercent!.Value));
        var snapshot = await hub.SnapshotAsync(hub.Topics, cancellationToken: Ct);
        Assert.Equal([3.0, 30.0], snapshot.Events["cpu"].Select(e => ((CpuSample)e.Payload!).SystemPercent!.Value));
        var web2 = await hub.SnapshotAsync(hub.Topics, Hosts("web-2"), Ct);
        Assert.Equal([30.0], web2.Events["cpu"].Select(e => ((CpuSample)e.Payload!).SystemPercent!.Value));

        // A new subscription of one host starts with that host's newest only.
        var late = await hub.SubscribeAsync(hub.Topics, SseFormat.Json, null, Hosts("web-1"), cancellationToken: Ct);
        Assert.Equal(["cpu web-1"], late.Drain().Select(Describe));
    }

    [Fact]
    public async Task AResumeWithHosts_ReplaysOnlyThoseHostsLinesFromTheRing()
    {
        var hub = HubFactory.Create(_renderer, LogTailTopics.Log);
        var first = await hub.PublishAsync(LogTailTopics.Log, Batch("web-1", "a0"), Ct);
        await hub.PublishAllAsync([Log("web-2", "b1"), Log("web-1", "a1"), Log("web-2", "b2")], Ct);

        var resumed = await hub.SubscribeAsync(hub.Topics, SseFormat.Json, first.Id, Hosts("web-2"), cancellationToken: Ct);

        Assert.Equal(["b1", "b2"], resumed.Drain().Select(e => ((LogBatch)e.Payload!).Lines[0].Text));
    }

    [Fact]
    public async Task WhatIsPublishedWithoutAHost_IsAboutTheHubsOwnHost()
    {
        var hub = new EventHub(
            [MetricsTopics.Cpu], _renderer, Microsoft.Extensions.Options.Options.Create(new SseOptions()), TimeProvider.System,
            localHost: new LocalHost("node-a"));

        var own = await hub.PublishAsync(MetricsTopics.Cpu, new CpuSample(Time, 1, 1, 1, true, false), Ct);
        var other = await hub.PublishAsync(MetricsTopics.Cpu, new CpuSample(Time, 1, 1, 1, true, false) { Host = "web-9" }, Ct);

        Assert.Equal(("node-a", "web-9"), (own.Host, other.Host));
        Assert.Contains("\"host\":\"node-a\"", System.Text.Encoding.UTF8.GetString(own.JsonFrame));
    }

    private static HashSet<string> Hosts(params string[] hosts) => hosts.ToHashSet();

    private static string Describe(SseEvent e) => $"{e.Topic!.Name} {e.Host}";

    private static Publication Cpu(string host, double percent) =>
        MetricsTopics.Cpu.With(new CpuSample(Time, percent, 1, 2, true, false) { Host = host });

    private static Publication Log(string host, string text) => LogTailTopics.Log.With(Batch(host, text));

    private static LogBatch Batch(string host, string text) =>
        new(Time, "/var/log/app.log", LogKinds.Lines, [LogLine.Of(text)]) { Host = host };
}

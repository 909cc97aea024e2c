using System.Diagnostics;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>The <c>clock</c> payload: publish time and process uptime.</summary>
public sealed record ClockSample(DateTimeOffset Timestamp, double UptimeSeconds);

/// <summary>Publishes the time and uptime every <c>Dashboard:Clock:Interval</c>.</summary>
public sealed class ClockProducer(IEventPublisher publisher, TimeProvider timeProvider, IOptions<DashboardOptions> options)
    : BackgroundService
{
    private readonly DateTimeOffset _started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Clock.Interval, timeProvider);
        try
        {
            // First sample at once: a client connecting now never waits for the first tick.
            do
            {
                await publisher.PublishAsync(DashboardTopics.Clock, Sample(), stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal ClockSample Sample()
    {
        var now = timeProvider.GetUtcNow();
        return new ClockSample(now, Math.Round((now - _started).TotalSeconds, 3));
    }
}

public static class ProducerExtensions
{
    public static WebApplicationBuilder AddDashboardProducers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Topic>(DashboardTopics.Clock);
        builder.Services.AddHostedService<ClockProducer>();
        return builder;
    }
}

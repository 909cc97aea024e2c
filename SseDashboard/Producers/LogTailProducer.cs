using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>Publishes what <c>Dashboard:LogTail:Paths</c> append, as <c>log</c> events, with <c>tail -F</c> semantics.</summary>
public sealed class LogTailProducer : BackgroundService
{
    private readonly IEventPublisher _publisher;
    private readonly TimeProvider _timeProvider;
    private readonly RestartPolicy _restartPolicy;
    private readonly ILogger<LogTailProducer> _logger;

    // One follower for the app's life: after a fault it resumes at the offsets it had reached, so nothing repeats. A
    // batch whose publish failed is not retried: a failure that repeats (a render bug) would otherwise stall the panel.
    private readonly LogFollower _follower;

    public LogTailProducer(
        IEventPublisher publisher,
        TimeProvider timeProvider,
        IOptions<DashboardOptions> options,
        RestartPolicy restartPolicy,
        ILogger<LogTailProducer> logger)
    {
        _publisher = publisher;
        _timeProvider = timeProvider;
        _restartPolicy = restartPolicy;
        _logger = logger;
        _follower = new LogFollower(options.Value.LogTail, timeProvider, logger);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ProducerRestarts.RunAsync(
            "log tail",
            ct => _follower.RunAsync(PublishAsync, ct),
            ShowFaultAsync,
            _restartPolicy,
            _logger,
            _timeProvider,
            stoppingToken);

    private async ValueTask PublishAsync(LogBatch batch, CancellationToken cancellationToken) =>
        await _publisher.PublishAsync(DashboardTopics.Log, batch, cancellationToken);

    private async ValueTask ShowFaultAsync(Exception ex, CancellationToken cancellationToken) =>
        await _publisher.PublishAsync(
            DashboardTopics.Log,
            new LogBatch(_timeProvider.GetUtcNow(), null, LogKinds.Error, [], $"The log follower failed: {ex.Message}"),
            cancellationToken);
}

using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.LogTail;

/// <summary>Publishes what <c>Dashboard:LogTail:Paths</c> append, as <c>log</c> events, with <c>tail -F</c> semantics.</summary>
public sealed class LogTailProducer(
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<LogTailOptions> options,
    LogRedactor redactor,
    IFilePositions positions,
    RestartPolicy restartPolicy,
    ILogger<LogTailProducer> logger) : RestartingProducer("log tail", restartPolicy, timeProvider, logger)
{
    // One follower for the app's life: after a fault it resumes at the offsets it had reached, so nothing repeats. A
    // batch whose publish failed is not retried: a failure that repeats (a render bug) would otherwise stall the panel.
    // Made on the first run, after start-up has validated the options.
    private LogFollower? _follower;

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        _follower ??= new LogFollower(options.Value, redactor, TimeProvider, logger, await positions.LoadAsync(stoppingToken));
        await _follower.RunAsync(PublishAsync, stoppingToken);
    }

    private async ValueTask PublishAsync(LogBatch batch, CancellationToken cancellationToken) =>
        await publisher.PublishAsync(LogTailTopics.Log, batch, cancellationToken);

    protected override async ValueTask ShowFaultAsync(Exception fault, CancellationToken stoppingToken) =>
        await publisher.PublishAsync(
            LogTailTopics.Log,
            new LogBatch(TimeProvider.GetUtcNow(), null, LogKinds.Error, [], $"The log follower failed: {fault.Message}"),
            stoppingToken);
}

using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.AppLog;

/// <summary>
/// Publishes the queued entries of the app's own log into the <c>log</c> topic as lines of the file <c>app</c>, redacted
/// like tailed lines, at most <c>Dashboard:LogTail:MaxBatchLines</c> to an event; entries the queue had no room for go
/// first as one <c>skipped</c> marker.
/// </summary>
public sealed class AppLogPublisher(
    AppLogQueue queue,
    IEventPublisher publisher,
    LogRedactor redactor,
    TimeProvider timeProvider,
    IOptions<LogTailOptions> logTail) : BackgroundService
{
    /// <summary>The <c>file</c> the app's own entries carry.</summary>
    public const string Source = "app";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        var lines = new List<LogLine>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                if (queue.TakeDropped() is > 0 and var dropped)
                {
                    await publisher.PublishAsync(
                        LogTailTopics.Log, new LogBatch(timeProvider.GetUtcNow(), Source, LogKinds.Skipped, []) { Skipped = dropped }, stoppingToken);
                }

                DateTimeOffset? first = null;
                while (lines.Count < logTail.Value.MaxBatchLines && reader.TryRead(out var entry))
                {
                    first ??= entry.Timestamp;
                    lines.Add(redactor.Redact(LineOf(entry)));
                }

                await publisher.PublishAsync(LogTailTopics.Log, new LogBatch(first ?? timeProvider.GetUtcNow(), Source, LogKinds.Lines, [.. lines]), stoppingToken);
                lines.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static LogLine LineOf(AppLogEntry entry) => new(entry.Message, LevelName(entry.Level))
    {
        Message = entry.Template ?? entry.Message,
        Fields = entry.Fields,
        Exception = entry.Exception,
        Category = entry.Category,
        TraceId = entry.TraceId,
    };

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "fatal",
    };
}

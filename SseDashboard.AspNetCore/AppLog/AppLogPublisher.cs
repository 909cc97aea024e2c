using System.Text;
using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.AppLog;

/// <summary>
/// Publishes the queued entries of the app's own log into the <c>log</c> topic as lines of the file <c>app</c>, as the
/// tail publishes a file's: redacted, cut at <c>Dashboard:LogTail:MaxLineBytes</c>, at most
/// <c>Dashboard:LogTail:MaxLinesPerSecond</c> (a budget of their own) and <c>MaxBatchLines</c> to an event. What is over
/// the rate, or found no room in the queue, is counted into a <c>skipped</c> marker, at most one a second.
/// </summary>
public sealed partial class AppLogPublisher(
    AppLogQueue queue,
    IEventPublisher publisher,
    LogRedactor redactor,
    TimeProvider timeProvider,
    IOptions<LogTailOptions> logTail,
    ILogger<AppLogPublisher> logger) : BackgroundService
{
    /// <summary>The <c>file</c> the app's own entries carry.</summary>
    public const string Source = "app";

    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    private readonly LineRateLimit _limit = new(logTail.Value.MaxLinesPerSecond, timeProvider);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        var lines = new List<LogLine>();
        try
        {
            while (true)
            {
                // Woken by entries, or once a second to report what was skipped.
                using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    quiet.CancelAfter(ReportEvery);
                    try
                    {
                        await reader.WaitToReadAsync(quiet.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // A quiet second.
                    }
                }

                DateTimeOffset? first = null;
                while (lines.Count < logTail.Value.MaxBatchLines && reader.TryRead(out var entry))
                {
                    first ??= entry.Timestamp;
                    lines.Add(redactor.Redact(LineOf(entry, logTail.Value.MaxLineBytes)));
                }

                var admitted = _limit.Admit(Source, lines.Count);
                if (admitted > 0)
                {
                    await PublishAsync(new LogBatch(first!.Value, Source, LogKinds.Lines, lines[..admitted]), admitted, stoppingToken);
                }

                lines.Clear();
                _limit.Unpublished(Source, queue.TakeDropped());
                foreach (var (_, skipped) in _limit.TakeReport())
                {
                    await PublishAsync(new LogBatch(timeProvider.GetUtcNow(), Source, LogKinds.Skipped, []) { Skipped = skipped }, 0, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // A publish that fails loses its lines (counted as skipped), never the publisher.
    private async Task PublishAsync(LogBatch batch, int lines, CancellationToken stoppingToken)
    {
        try
        {
            await publisher.PublishAsync(LogTailTopics.Log, batch, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(logger, ex);
            _limit.Unpublished(Source, lines);
        }
    }

    private static LogLine LineOf(AppLogEntry entry, int maxBytes)
    {
        var (text, cut) = Cut(entry.Message, maxBytes);
        return new LogLine(text, LevelName(entry.Level), cut)
        {
            Message = entry.Template ?? entry.Message,
            Fields = entry.Fields,
            Exception = entry.Exception is { } exception ? Cut(exception, maxBytes).Text : null,
            Category = entry.Category,
            TraceId = entry.TraceId,
        };
    }

    // At most maxBytes of UTF-8, never splitting a character.
    private static (string Text, bool Cut) Cut(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return (text, false);
        }

        var length = Math.Min(text.Length, maxBytes);
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > maxBytes)
        {
            length--;
        }

        if (length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        return (text[..length], true);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "fatal",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not publish the app's own log entries; they are counted as skipped")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}

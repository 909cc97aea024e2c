using System.Text.Json;
using System.Threading.Channels;

namespace SseDashboard.AppLog;

/// <summary>One entry as the app logged it, taken on the logging thread: nothing in it changes afterwards.</summary>
public sealed record AppLogEntry(
    DateTimeOffset Timestamp,
    LogLevel Level,
    string Category,
    string Message,
    string? Template,
    IReadOnlyDictionary<string, JsonElement>? Fields,
    string? Exception,
    string? TraceId);

/// <summary>
/// Between the logging call and the publisher: bounded, so a logging call never waits; what does not fit is counted
/// and reported as one <c>skipped</c> marker.
/// </summary>
public sealed class AppLogQueue
{
    public const int Capacity = 10_000;

    private readonly Channel<AppLogEntry> _channel;
    private long _dropped;

    public AppLogQueue(int capacity = Capacity) =>
        _channel = Channel.CreateBounded<AppLogEntry>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));

    public void Add(AppLogEntry entry) => _channel.Writer.TryWrite(entry);

    public ChannelReader<AppLogEntry> Reader => _channel.Reader;

    /// <summary>How many entries were dropped since the last call.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);
}

using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>The writer's reads: the store at start (newest id, recent lines), a resume's lines, the followed files' positions.</summary>
public sealed partial class HistoryWriter
{
    public async Task<HistoryStart> OpenAsync(IReadOnlyList<Topic> streamTopics, int recent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OpenTimeout);
        try
        {
            await OpenStoreAsync(timeout.Token);
            var (oldest, _) = await store.RangeAsync(timeout.Token);
            var newest = await store.NewestIdAsync(timeout.Token);
            Volatile.Write(ref _storedUpTo, newest);
            var recentEvents = new Dictionary<Topic, IReadOnlyList<StoredEvent>>();
            if (streamTopics.Contains(LogTailTopics.Log))
            {
                // Up to the newest read just before: in a fleet, what commits meanwhile comes from the store after it.
                recentEvents[LogTailTopics.Log] = Recent(await store.ReadRecentLogAsync(newest, RecentLogRows, timeout.Token), recent);
            }

            return new HistoryStart(oldest, newest, recentEvents);
        }
        catch (Exception ex) when (ex is not HistorySchemaException && !cancellationToken.IsCancellationRequested)
        {
            // Live streaming starts anyway: ids from the start time, nothing earlier to resume; the writer retries.
            status.Failed("open", ex);
            return HistoryStart.Empty;
        }
    }

    public async Task<StoredEvents?> ReadAfterAsync(Topic topic, long afterId, long upTo, IReadOnlySet<string>? hosts, int maxItems, CancellationToken cancellationToken)
    {
        // Taken before reading: everything up to here is in the store when the query runs (in a fleet, everything the
        // hub has published came from the store).
        upTo = NumbersEvents ? upTo : Math.Min(upTo, StoredUpTo);
        if (topic != LogTailTopics.Log || afterId < Volatile.Read(ref _droppedUpTo) || status.Error is not null)
        {
            return null;
        }

        try
        {
            var rows = await store.ReadLogAfterAsync(afterId, upTo, hosts, maxItems + 1, cancellationToken);

            // Checked after the read, not before: retention that removed lines after afterId while it ran has moved the
            // mark by now (it only grows, with its delete), and what the read missed is not a quiet gap.
            return rows.Count > maxItems || afterId < await store.LogLostUpToAsync(cancellationToken)
                ? null
                : new StoredEvents(LogRows.ToEvents(rows), upTo);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not read the log after {Id} from the history store; the reader gets the reset", afterId);
            return null;
        }
    }

    public async Task<IReadOnlyDictionary<FileIdentity, long>> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await OpenStoreAsync(cancellationToken);
            return (await store.ReadPositionsAsync(_host, cancellationToken)).ToDictionary(
                p => new FileIdentity(unchecked((ulong)p.Device), unchecked((ulong)p.Inode)), p => p.Offset);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            status.Failed("read file positions", ex);
            return new Dictionary<FileIdentity, long>();
        }
    }

    // The newest events whole (the oldest read may be cut), at most `events` of them.
    private static List<StoredEvent> Recent(IReadOnlyList<LogRow> rows, int events)
    {
        var all = LogRows.ToEvents(rows);
        if (rows.Count == RecentLogRows && all.Count > 0)
        {
            all.RemoveAt(0);
        }

        return all.Count > events ? all.GetRange(all.Count - events, events) : all;
    }
}

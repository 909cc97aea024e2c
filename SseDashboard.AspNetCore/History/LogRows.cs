using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>A <c>log</c> event as rows (one per line, or one for a marker) and back.</summary>
public static class LogRows
{
    public static void Add(List<LogRow> rows, long eventId, LogBatch batch)
    {
        var at = batch.Timestamp.ToUnixTimeMilliseconds();
        if (batch.Lines.Count == 0)
        {
            rows.Add(new LogRow(eventId, eventId, at, batch.File, batch.Kind, null, null, 0, batch.Error, batch.Skipped) { Host = batch.Host });
            return;
        }

        // The event's id is its last line's (Topic.IdCount): line i of n has id eventId - (n - 1) + i.
        var first = eventId - batch.Lines.Count + 1;
        for (var i = 0; i < batch.Lines.Count; i++)
        {
            var line = batch.Lines[i];
            var flags = (line.Cut ? LogRow.Cut : 0) | (line.Redacted ? LogRow.Redacted : 0);
            rows.Add(new LogRow(first + i, eventId, at, batch.File, batch.Kind, line.Level, line.Text, flags, null, null)
            {
                Host = batch.Host,
                Extra = LogLineExtra.Of(line),
            });
        }
    }

    /// <summary>Rows (oldest first) back into their events; rows of one event are adjacent.</summary>
    public static List<StoredEvent> ToEvents(IReadOnlyList<LogRow> rows)
    {
        var events = new List<StoredEvent>();
        for (var start = 0; start < rows.Count;)
        {
            var end = start;
            while (end < rows.Count && rows[end].EventId == rows[start].EventId)
            {
                end++;
            }

            events.Add(new StoredEvent(rows[start].EventId, ToBatch(rows, start, end)));
            start = end;
        }

        return events;
    }

    /// <summary>One line as a batch of its own, for rendering rows found by a search.</summary>
    public static LogBatch ToBatch(LogRow row) => ToBatch([row], 0, 1);

    public static LogLine ToLine(LogRow row) =>
        LogLineExtra.Restore(new(row.Text ?? "", row.Level, (row.Flags & LogRow.Cut) != 0, (row.Flags & LogRow.Redacted) != 0), row.Extra);

    private static LogBatch ToBatch(IReadOnlyList<LogRow> rows, int start, int end)
    {
        var first = rows[start];
        var at = DateTimeOffset.FromUnixTimeMilliseconds(first.At);
        if (first.Text is null)
        {
            return new LogBatch(at, first.File, first.Kind, [], first.Error) { Skipped = first.Skipped, Host = first.Host };
        }

        var lines = new LogLine[end - start];
        for (var i = start; i < end; i++)
        {
            lines[i - start] = ToLine(rows[i]);
        }

        return new LogBatch(at, first.File, first.Kind, lines) { Host = first.Host };
    }
}

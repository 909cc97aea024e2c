using System.Diagnostics;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Load;

/// <summary>Turns what the connections of a run counted into a <see cref="LoadResult"/>.</summary>
internal static class LoadSummary
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Events published in the window may still be on their way: waits (at most 5 s) until every open connection has
    /// them, and every log line too when <paramref name="linesWritten"/> is given.
    /// </summary>
    public static async Task WaitDeliveredAsync(RunState run, SseConnection[] connections, long? linesWritten)
    {
        var grace = Stopwatch.StartNew();
        while (grace.Elapsed < Grace && !AllDelivered(run, connections, linesWritten))
        {
            await Task.Delay(200);
        }
    }

    private static bool AllDelivered(RunState run, SseConnection[] connections, long? linesWritten)
    {
        var expected = run.PerConnectionIds ? 0 : run.PublishedInWindow().Values.Sum();
        return connections.Where(c => c.Open).All(c =>
            c.EventsInWindow >= expected && (linesWritten is not { } lines || c.LogLinesUnique >= lines));
    }

    /// <summary>Connections held, errors, events delivered and lost in the window, latency.</summary>
    public static void Summarise(RunState run, ConnectionSet set, LoadResult result, TimeSpan window)
    {
        var held = set.Held;
        result.ConnectionsHeld = held.Length;
        result.ErrorKinds = set.ErrorKinds;
        result.Errors = result.ErrorKinds.Values.Sum();
        (result.ConnectMsP50, result.ConnectMsP99, result.ConnectMsMax) = set.ConnectMs();
        result.WindowSeconds = window.TotalSeconds;
        result.EventsDelivered = held.Sum(c => c.EventsInWindow);
        result.IdsBackwards = set.Connections.Sum(c => c.IdsBackwards);
        if (run.PerConnectionIds)
        {
            result.LossCountedBy = "per-connection ids";
            result.EventsLost = held.Sum(c => c.IdGapsInWindow);
            result.EventsExpected = result.EventsDelivered + result.EventsLost;
        }
        else
        {
            result.LossCountedBy = "shared ids";
            var perClient = run.PublishedInWindow().Values.Sum();
            result.EventsExpected = (long)perClient * held.Length;
            result.EventsLost = held.Sum(c => Math.Max(0, perClient - c.EventsInWindow));
        }

        result.LatencyMsMin = run.Latency.PercentileMilliseconds(0);
        result.LatencyMsP50 = run.Latency.PercentileMilliseconds(50);
        result.LatencyMsP99 = run.Latency.PercentileMilliseconds(99);
        result.LatencyMsMax = run.Latency.MaxMilliseconds;
        result.CommentsPerConnection = held.Length == 0 ? 0 : held.Average(c => (double)c.Comments);
        var topics = run.TopicNames;
        result.Notes.Add($"topics seen: {(topics.Count == 0 ? "none" : string.Join(",", topics))}"
            + (run.TimedTopic is { } timed ? $"; latency of {timed} events only" : ""));
    }

    /// <summary>Log lines each held connection received of those written, duplicates, write→receive lag.</summary>
    public static void SummariseLog(RunState run, SseConnection[] held, LoadResult result, long written, TimeSpan window)
    {
        var received = held.Select(c => c.LogLinesReceivedOf(written)).ToArray();
        result.LogLinesWritten = written;
        result.LogLinesLost = received.Sum(r => written - r);
        result.LogLinesDuplicated = held.Sum(c => c.LogLines - c.LogLinesUnique);
        result.LogLinesPerSecondPerClientAvg = received.Length == 0 ? 0 : received.Average() / window.TotalSeconds;
        result.LogLinesPerSecondPerClientMin = received.Length == 0 ? 0 : received.Min() / window.TotalSeconds;
        result.LogLagMsP50 = run.LogLag.PercentileMilliseconds(50);
        result.LogLagMsP99 = run.LogLag.PercentileMilliseconds(99);
        result.LogLagMsMax = run.LogLag.MaxMilliseconds;
    }

    internal static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * percentile / 100) - 1, 0, sorted.Length - 1)];
}

using System.Globalization;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Load;
using SseDashboard.Bench.Measurement;
using SseDashboard.Bench.Servers;

namespace SseDashboard.Bench.Scenarios;

/// <summary>
/// N healthy clients on clock and log while lines are appended, alone and then with 1 % of N more that never read:
/// what the stalled ones cost the healthy ones' latency and the server's memory, and when the server drops them. With
/// <c>--pairs N</c>, N such pairs interleaved: the latency ratio is judged by its median, run-to-run noise being near it.
/// </summary>
internal sealed class StalledScenario(BenchOptions options, DashboardHost host)
{
    private const string StallTimeoutKey = "Dashboard__Sse__StallTimeout";
    private const int ReceiveBufferBytes = 4 * 1024;

    /// <summary>After the stall timeout (from the first write that made no progress), how long a drop may still take.</summary>
    private static readonly TimeSpan DropSlack = TimeSpan.FromSeconds(15);

    public async Task<List<LoadResult>> RunAsync(int clients)
    {
        if (options.Url is not null)
        {
            Console.WriteLine("-- stalled: skipped with --url (it needs a dashboard tailing the file it writes)");
            return [];
        }

        // Each run on a freshly started dashboard and file: a new client is sent the log lines of before (the log
        // panel's first paint), which would count as the next run's lines.
        var stalledCount = options.Stalled ?? Math.Max(1, clients / 100);
        var results = new List<LoadResult>();
        var stalledFigures = new List<StalledFigures>();
        for (var pair = 0; pair < options.Pairs; pair++)
        {
            var alone = await RunAsync(clients, 0);
            var withStalled = await RunAsync(clients, stalledCount);
            if (withStalled.Stalled is { } figures)
            {
                figures.HealthyP99Ratio = withStalled.LatencyMsP99 / alone.LatencyMsP99;
                if (figures is { ServerRssDeltaMb: { } with, StalledConnected: > 0 } && alone.Stalled?.ServerRssDeltaMb is { } without)
                {
                    figures.ServerRssKbPerStalled = (with - without) * 1024 / figures.StalledConnected;
                }

                stalledFigures.Add(figures);
            }

            results.AddRange([alone, withStalled]);
        }

        var median = ReportTargets.Median(stalledFigures.Select(f => f.HealthyP99Ratio));
        stalledFigures.ForEach(f => f.HealthyP99RatioMedian = median);
        return results;
    }

    private async Task<LoadResult> RunAsync(int clients, int stalledCount)
    {
        using var log = new TailedLog("stalled.log");
        await using var app = await host.StartAsync(log.Settings);
        var topics = await host.ChooseTopicsAsync(["clock", "log"]);
        var url = host.Url(topics);
        var target = await SseTarget.ResolveAsync(url);
        var stalled = new List<StalledConnection>();
        StallWatch? watch = null;
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.CompletedTask;
        var run = new LoadRun(options, "stalled", stalledCount == 0 ? "healthy alone" : $"healthy + {stalledCount:N0} stalled", url, app.Pid, clients)
        {
            DuringWindow = token => LogWriter.WriteAsync(log.Path, options.LogRate, token),
            TimedTopic = "clock",
            AfterConnected = async () =>
            {
                // Alone, memory is watched as long as the stalled ones take to be dropped (from their request).
                stalled.AddRange(stalledCount == 0 ? [] : await OpenStalledAsync(target, stalledCount));
                watch = new StallWatch(options.Port, app.Pid, stalled);
                watching = watch.WatchAsync(stalledCount == 0 ? DateTime.UtcNow + AloneWatch() : DateTime.MaxValue, stopWatching.Token);
            },
        };
        try
        {
            var result = await run.RunAsync();
            if (stalledCount == 0)
            {
                await watching;
                result.Stalled = new StalledFigures();
                if (watch is not null)
                {
                    Memory(result.Stalled, watch);
                }
            }

            await stopWatching.CancelAsync();
            await watching;
            result.Notes.Add($"topics {string.Join(",", topics)}; {options.LogRate} lines/s appended in the window");
            if (stalledCount > 0)
            {
                result.Stalled = await WaitForDropsAsync(watch, stalled, stalledCount);
                result.Notes.Add($"{stalledCount:N0} more clients send the request and never read ({ReceiveBufferBytes / 1024} KB receive buffer)");
            }

            return result;
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
    }

    private static async Task<List<StalledConnection>> OpenStalledAsync(SseTarget target, int count)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var opening = Enumerable.Range(0, count).Select(_ => StalledConnection.OpenAsync(target, ReceiveBufferBytes, cancel.Token)).ToArray();
        try
        {
            await Task.WhenAll(opening);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            Console.WriteLine($"   some stalled connections failed to open: {ex.Message}");
        }

        var opened = opening.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
        Console.WriteLine($"   {opened.Count:N0} stalled connections sent their request and stopped reading");
        return opened;
    }

    // The server should drop each stalled connection a stall timeout after its writes stopped progressing: watch
    // (bounded) until it has, then read each to its end to see the close from the client's side too.
    private async Task<StalledFigures> WaitForDropsAsync(StallWatch? watch, List<StalledConnection> stalled, int count)
    {
        var timeout = StallTimeout();
        var figures = new StalledFigures { Stalled = count, StalledConnected = stalled.Count, StallTimeoutSeconds = timeout.TotalSeconds };
        if (watch is null || stalled.Count == 0)
        {
            return figures;
        }

        var until = stalled.Min(s => s.StoppedReadingAt) + options.Warmup + timeout + DropSlack;
        Console.WriteLine($"   waiting for the server to drop the stalled connections (until {Math.Max(0, (until - DateTime.UtcNow).TotalSeconds):0} s from now)");
        await watch.WatchAsync(until);
        figures.DropSeconds = watch.DropSeconds();
        var drops = figures.DropSeconds.OfType<double>().Order().ToArray();
        figures.Dropped = drops.Length;
        figures.DropSecondsMin = drops.Length > 0 ? drops[0] : null;
        figures.DropSecondsMedian = drops.Length > 0 ? LoadSummary.Percentile(drops, 50) : null;
        figures.DropSecondsMax = drops.Length > 0 ? drops[^1] : null;
        figures.DropAfterFullSecondsMax = watch.DropAfterFullSeconds().Max();
        var tx = watch.MaxTxQueues().Order().ToArray();
        figures.TxQueueMaxBytes = tx.Length > 0 ? tx[^1] : null;
        figures.TxQueueMedianBytes = tx.Length > 0 ? (long)LoadSummary.Percentile([.. tx.Select(t => (double)t)], 50) : null;
        Memory(figures, watch);
        var closed = await Task.WhenAll(stalled.Select(s => s.ServerClosedAsync(TimeSpan.FromSeconds(2))));
        figures.ClosedSeenByClient = closed.Count(c => c);
        return figures;
    }

    // The server's RSS over what the watch saw, alike for a run with stalled clients and one without.
    private static void Memory(StalledFigures figures, StallWatch watch)
    {
        figures.ServerRssStartMb = watch.RssStartKb / 1024.0;
        figures.ServerRssPeakMb = watch.RssPeakKb / 1024.0;
        figures.ServerRssEndMb = watch.RssEndKb / 1024.0;
        figures.ServerRssDeltaMb = figures.ServerRssPeakMb - figures.ServerRssStartMb;
    }

    // About as long as a stalled connection lives from its request: the warm-up, some seconds until its buffers are full
    // and its writes stop moving, then the stall timeout (42 s in all at 200 lines/s and the 30 s default).
    private TimeSpan AloneWatch() => options.Warmup + StallTimeout() + TimeSpan.FromSeconds(7);

    private TimeSpan StallTimeout() =>
        options.ServerEnvironment.TryGetValue(StallTimeoutKey, out var value)
        && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout) ? timeout : TimeSpan.FromSeconds(30);
}

using System.Diagnostics;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Load;
using SseDashboard.Bench.Measurement;
using SseDashboard.Bench.Servers;

namespace SseDashboard.Bench.Scenarios;

/// <summary>
/// N clients on every topic, then <c>--flood-lines</c> log lines appended within a second: the clock's latency
/// through the flood and the 10 s after, and whether a json probe got every line or the server's word it skipped it.
/// </summary>
internal sealed class FloodScenario(BenchOptions options, DashboardHost host)
{
    private static readonly TimeSpan After = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeGrace = TimeSpan.FromSeconds(5);

    public async Task<LoadResult> RunAsync(int clients)
    {
        if (options.Url is not null)
        {
            return LoadResult.NotAvailable("flood", clients, "skipped with --url (it needs a dashboard tailing the file it writes)");
        }

        using var log = new TailedLog("flood.log");
        await using var app = await host.StartAsync(log.Settings);
        if ((await host.ChooseTopicsAsync(["log"])).Length == 0)
        {
            return LoadResult.NotAvailable("flood", clients, "log topic not available (the log tail producer is not there yet)");
        }

        // The probe connects first and reads throughout: it sees every log event of the run.
        var probe = ConnectionSet.Open(await SseTarget.ResolveAsync(host.Url(["log"], "json")), new RunState(), 1, 1);
        await probe.WaitConnectedAsync();
        var writeTime = TimeSpan.Zero;
        long written = 0;
        var run = new LoadRun(options, "flood", "dashboard", host.Url(options.Topics ?? []), app.Pid, clients)
        {
            Window = TimeSpan.FromSeconds(1) + After,
            TimedTopic = "clock",
            LinesMustArrive = false,
            DuringWindow = async token =>
            {
                var writing = Stopwatch.StartNew();
                written = await LogWriter.WriteAsync(log.Path, options.FloodLines, token, options.FloodLines);
                writeTime = writing.Elapsed;
                return written;
            },
        };
        var result = await run.RunAsync();
        var flood = result.Flood = new FloodFigures { LinesWritten = written, WriteSeconds = writeTime.TotalSeconds };
        var p = probe.Connections[0];
        await WaitAccountedAsync(p, flood.LinesWritten);
        flood.ProbeHeld = p.Open;
        flood.LinesDelivered = p.LogLinesReceivedOf(flood.LinesWritten);
        flood.SkippedMarkers = p.SkippedMarkers;
        flood.LinesSkipped = p.LogLinesSkipped;
        flood.Unaccounted = flood.LinesWritten - flood.LinesDelivered - flood.LinesSkipped;
        await probe.StopAsync();

        result.Notes.Add($"{flood.LinesWritten:N0} lines appended in {writeTime.TotalSeconds:0.00} s; latency of the clock through it and the {After.TotalSeconds:0} s after");
        result.Notes.Add("lines delivered and skipped as a format=json probe on topics=log saw them");
        if (!flood.ProbeHeld)
        {
            result.Notes.Add($"the probe's connection ended: {p.Error}");
        }

        if (flood.SkippedMarkers == 0)
        {
            result.Notes.Add("no skipped markers: rate limit (Dashboard:LogTail:MaxLinesPerSecond) not available or not reached");
        }

        return result;
    }

    // Markers come at most once a second: give the probe a few seconds to hear about every line.
    private static async Task WaitAccountedAsync(SseConnection probe, long written)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < ProbeGrace && probe.Open && probe.LogLinesUnique + probe.LogLinesSkipped < written)
        {
            await Task.Delay(200);
        }
    }
}

using SseDashboard.Bench.Client;
using SseDashboard.Bench.Load;
using SseDashboard.Bench.Measurement;
using SseDashboard.Bench.Servers;

namespace SseDashboard.Bench.Scenarios;

/// <summary>
/// Two waves of N clients connecting at once to the dashboard on its defaults (Information logs to a file it tails
/// itself, so every connection is a log line fanned out to everyone): the first holds, then all drop and reconnect.
/// </summary>
internal sealed class StormScenario(BenchOptions options, DashboardHost host)
{
    public const int Waves = 2;

    /// <summary>How long each wave is held after it is absorbed, the clock's latency measured over it.</summary>
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(10);

    public async Task<List<LoadResult>> RunAsync(int clients)
    {
        await using var app = options.Url is null ? await host.StartAsync([], quietLogs: false) : null;
        var url = options.Url ?? host.Url(options.Topics ?? []);
        var pid = app?.Pid ?? options.Pid ?? DashboardHost.PidOf(url);
        var target = await SseTarget.ResolveAsync(url);
        var hold = options.Duration < MaxHold ? options.Duration : MaxHold;
        Console.WriteLine($"-- storm · {clients:N0} clients × {Waves} waves, all connecting at once · {url}");

        var results = new List<LoadResult>();
        ProcSample? idle = null;
        for (var wave = 1; wave <= Waves; wave++)
        {
            var result = new LoadResult
            {
                Scenario = "storm", Server = $"wave {wave}", Url = url, Clients = clients, ServerPid = pid,
                Storm = new StormFigures { Wave = wave, LatencyWindowSeconds = hold.TotalSeconds },
            };
            if (wave == 1)
            {
                idle = await ServerWarmup.RunAsync(target, pid, clients, result);
                result.Notes.Add(app is null ? "the server as given by --url" : "the dashboard on its defaults: Information logs, tailing its own log file");
            }
            else
            {
                result.ServerRssIdleMb = idle?.RssKb / 1024.0;
            }

            await RunWaveAsync(target, result, hold, idle);
            results.Add(result);
        }

        return results;
    }

    // Connect N at once (no gate: the connect concurrency is N), wait until each has its first event, hold while
    // timing the clock, then close all N together.
    private static async Task RunWaveAsync(SseTarget target, LoadResult result, TimeSpan hold, ProcSample? idle)
    {
        var storm = result.Storm!;
        var run = new RunState { TimedTopic = "clock" };
        var set = ConnectionSet.Open(target, run, result.Clients, concurrency: result.Clients);
        result.RampSeconds = (await set.WaitConnectedAsync()).TotalSeconds;
        var absorbed = await set.WaitFirstEventsAsync();
        storm.WaveSeconds = absorbed.TotalSeconds;
        storm.FirstEvents = set.Connections.Count(c => c.FirstEvent.Task.IsCompletedSuccessfully && c.FirstEvent.Task.Result);
        storm.AbsorbSeconds = storm.FirstEvents == result.Clients ? absorbed.TotalSeconds : null;
        Console.WriteLine($"   wave {storm.Wave}: {storm.FirstEvents:N0}/{result.Clients:N0} had their first event after {absorbed.TotalSeconds:0.0} s; holding {hold.TotalSeconds:0} s");

        var resources = ResourceWindow.Begin(result.ServerPid);
        run.WindowStart = DateTime.UtcNow.Ticks;
        await Task.Delay(hold);
        run.WindowEnd = DateTime.UtcNow.Ticks;
        resources.End();
        await LoadSummary.WaitDeliveredAsync(run, set.Connections, linesWritten: null);
        LoadSummary.Summarise(run, set, result, hold);
        resources.Fill(result, idle);
        await set.StopAsync();
    }
}

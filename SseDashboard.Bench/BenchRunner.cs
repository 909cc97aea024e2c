using System.Globalization;
using SseDashboard.Bench.Load;
using SseDashboard.Bench.Scenarios;
using SseDashboard.Bench.Servers;

namespace SseDashboard.Bench;

/// <summary>Runs the chosen scenarios: the dashboard (started here or given by --url), then each peer, one at a time.</summary>
internal sealed class BenchRunner(BenchOptions options)
{
    private static readonly string[] FanOutTopics = ["clock", "cpu", "memory"];
    private readonly DashboardHost _host = new(options);
    private readonly List<LoadResult> _results = [];

    public async Task<List<LoadResult>> RunAsync()
    {
        if (options.Url is null)
        {
            await _host.BuildAsync();
        }

        foreach (var (scenario, topics) in new[] { ("fanout", FanOutTopics), ("fanout-clock", ["clock"]) })
        {
            foreach (var clients in options.Scenarios.Contains(scenario) ? options.Clients : [])
            {
                // Rounds interleave the dashboard and the peers, each round on fresh servers.
                for (var round = 1; round <= options.Pairs; round++)
                {
                    await FanOutAsync(scenario, topics, clients, options.Pairs > 1 ? round : null);
                }
            }
        }

        if (options.Scenarios.Contains("idle"))
        {
            await IdleAsync(options.Clients.Max());
        }

        if (options.Scenarios.Contains("log"))
        {
            await LogBurstAsync(options.Clients[0], "log");
        }

        if (options.Scenarios.Contains("log-json"))
        {
            await LogBurstAsync(options.Clients[0], "log-json");
        }

        if (options.Scenarios.Contains("alerts"))
        {
            _results.AddRange(await new AlertsScenario(options, _host).RunAsync(options.Clients[0]));
        }

        if (options.Scenarios.Contains("storm"))
        {
            _results.AddRange(await new StormScenario(options, _host).RunAsync(options.Clients.Max()));
        }

        if (options.Scenarios.Contains("stalled"))
        {
            _results.AddRange(await new StalledScenario(options, _host).RunAsync(options.Clients[0]));
        }

        if (options.Scenarios.Contains("flood"))
        {
            _results.Add(await new FloodScenario(options, _host).RunAsync(options.Clients[0]));
        }

        if (options.Scenarios.Contains("history"))
        {
            _results.Add(await new HistoryScenario(options, _host).RunAsync());
        }

        if (options.Scenarios.Contains("fleet"))
        {
            _results.Add(await new FleetScenario(options, _host).RunAsync(options.Clients[0]));
        }

        return _results;
    }

    // fanout: clock, cpu and memory (those the server has); fanout-clock: the clock alone, the peers' one event a second.
    private async Task FanOutAsync(string scenario, string[] wanted, int clients, int? round)
    {
        if (options.Url is { } url)
        {
            if (scenario == "fanout-clock")
            {
                Console.WriteLine("-- fanout-clock: skipped with --url (fanout measures the URL as given)");
                return;
            }

            var target = await new LoadRun(options, scenario, "target", url, options.Pid ?? DashboardHost.PidOf(url), clients).RunAsync();
            target.Round = round;
            _results.Add(target);
        }
        else
        {
            await using var app = await _host.StartAsync([]);
            var topics = await _host.ChooseTopicsAsync(wanted);
            var result = await new LoadRun(options, scenario, "dashboard", _host.Url(topics), app.Pid, clients).RunAsync();
            if (!topics.SequenceEqual(wanted))
            {
                result.Notes.Add($"the server has {string.Join(",", topics)} of {string.Join(",", wanted)}: measured with those only");
            }

            result.Round = round;
            _results.Add(result);
        }

        foreach (var peer in options.Peers)
        {
            // A peer sends the same one clock event in either scenario: one run of it serves both.
            var other = scenario == "fanout" ? "fanout-clock" : "fanout";
            if (_results.FirstOrDefault(r => r.Scenario == other && r.Server == peer.Name && r.Clients == clients && r.Round == round) is { } done)
            {
                _results.Add(done.CopyAs(scenario, $"the same run as {other}: a peer sends one clock event either way"));
                continue;
            }

            await using var process = peer.StartCommand is { } command ? ServerProcess.StartShell(peer.Name, command) : null;
            var port = new Uri(peer.Url).Port;
            if (process is not null)
            {
                await process.WaitListeningAsync(port, TimeSpan.FromSeconds(30));
            }

            var measured = await new LoadRun(options, scenario, peer.Name, peer.Url, peer.Pid ?? DashboardHost.PidOf(peer.Url), clients).RunAsync();
            measured.Round = round;
            _results.Add(measured);
        }
    }

    // Heartbeats only: the clock ticks once an hour (the most its options allow) and the metrics likewise.
    private async Task IdleAsync(int clients)
    {
        if (options.Url is not null)
        {
            Console.WriteLine("-- idle: skipped with --url (it needs a dashboard started with a silent clock)");
            return;
        }

        await using var app = await _host.StartAsync(new()
        {
            ["Dashboard__Clock__Interval"] = "01:00:00",
            ["Dashboard__Metrics__Interval"] = "01:00:00",
        });
        var result = await new LoadRun(options, "idle", "dashboard", _host.Url(["clock"]), app.Pid, clients).RunAsync();
        result.Notes.Add("clock and metrics every hour, so the window holds heartbeats only (Dashboard:Sse:Heartbeat, default 15 s)");
        _results.Add(result);
    }

    /// <param name="scenario"><c>log</c>: plain lines; <c>log-json</c>: CLEF entries, one in a hundred with an exception.</param>
    private async Task LogBurstAsync(int clients, string scenario)
    {
        if (options.Url is not null)
        {
            Console.WriteLine($"-- {scenario}: skipped with --url (it needs a dashboard tailing the file it writes)");
            return;
        }

        using var log = new TailedLog("burst.log");
        // The rate limit well above the rate: what is measured is the tail, not the flood guard.
        var settings = new Dictionary<string, string>(log.Settings) { ["Dashboard__LogTail__MaxLinesPerSecond"] = (options.LogRate * 2).ToString(CultureInfo.InvariantCulture) };
        await using var app = await _host.StartAsync(settings);
        var topics = await _host.ChooseTopicsAsync(["log"]);
        if (topics.Length == 0)
        {
            _results.Add(LoadResult.NotAvailable(scenario, clients, "log topic not available (the log tail producer is not there yet)"));
            return;
        }

        var json = scenario == "log-json";
        var run = new LoadRun(options, scenario, "dashboard", _host.Url(topics), app.Pid, clients)
        {
            DuringWindow = token => LogWriter.WriteAsync(log.Path, options.LogRate, token, json: json),
        };
        var result = await run.RunAsync();
        result.Notes.Add(json
            ? $"{options.LogRate} CLEF entries/s appended to a tailed file, one in 100 with a three-line exception"
            : $"{options.LogRate} lines/s appended to a tailed file");
        _results.Add(result);
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Bench.Measurement;
using SseDashboard.Bench.Servers;

namespace SseDashboard.Bench;

/// <summary>Runs the chosen scenarios: the dashboard (started here or given by --url), then each peer, one at a time.</summary>
internal sealed class BenchRunner(BenchOptions options)
{
    private static readonly string[] FanOutTopics = ["clock", "cpu", "memory"];
    private readonly List<LoadResult> _results = [];

    public async Task<List<LoadResult>> RunAsync()
    {
        if (options.Url is null)
        {
            await BuildAsync();
        }

        if (options.Scenarios.Contains("fanout"))
        {
            foreach (var clients in options.Clients)
            {
                await FanOutAsync(clients);
            }
        }

        if (options.Scenarios.Contains("idle"))
        {
            await IdleAsync(options.Clients.Max());
        }

        if (options.Scenarios.Contains("log"))
        {
            await LogBurstAsync(options.Clients[0]);
        }

        return _results;
    }

    private async Task FanOutAsync(int clients)
    {
        if (options.Url is { } url)
        {
            _results.Add(await new LoadRun(options, "fanout", "target", url, options.Pid ?? PidOf(url), clients).RunAsync());
        }
        else
        {
            await using var app = await StartDashboardAsync([]);
            var topics = await ChooseTopicsAsync(FanOutTopics);
            var result = await new LoadRun(options, "fanout", "dashboard", DashboardUrl(topics), app.Pid, clients).RunAsync();
            if (!topics.SequenceEqual(FanOutTopics))
            {
                result.Notes.Add($"the server has {string.Join(",", topics)} of clock,cpu,memory: measured with those only");
            }

            _results.Add(result);
        }

        foreach (var peer in options.Peers)
        {
            await using var process = peer.StartCommand is { } command ? ServerProcess.StartShell(peer.Name, command) : null;
            var port = new Uri(peer.Url).Port;
            if (process is not null)
            {
                await process.WaitListeningAsync(port, TimeSpan.FromSeconds(30));
            }

            _results.Add(await new LoadRun(options, "fanout", peer.Name, peer.Url, peer.Pid ?? PidOf(peer.Url), clients).RunAsync());
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

        await using var app = await StartDashboardAsync(new()
        {
            ["Dashboard__Clock__Interval"] = "01:00:00",
            ["Dashboard__Metrics__Interval"] = "01:00:00",
        });
        var result = await new LoadRun(options, "idle", "dashboard", DashboardUrl(["clock"]), app.Pid, clients).RunAsync();
        result.Notes.Add("clock and metrics every hour, so the window holds heartbeats only (Dashboard:Sse:Heartbeat, default 15 s)");
        _results.Add(result);
    }

    private async Task LogBurstAsync(int clients)
    {
        if (options.Url is not null)
        {
            Console.WriteLine("-- log: skipped with --url (it needs a dashboard tailing the file it writes)");
            return;
        }

        var dir = Directory.CreateTempSubdirectory("ssedash-bench-log-");
        var path = Path.Combine(dir.FullName, "burst.log");
        await File.WriteAllTextAsync(path, "");
        try
        {
            // Paths may bind as one string or a list: set both shapes.
            await using var app = await StartDashboardAsync(new()
            {
                ["Dashboard__LogTail__Paths"] = path,
                ["Dashboard__LogTail__Paths__0"] = path,
                ["Dashboard__LogTail__InitialLines"] = "0",
            });
            var topics = await ChooseTopicsAsync(["log"]);
            if (topics.Length == 0)
            {
                Console.WriteLine("-- log: log topic not available on this server (the log tail producer is not there yet)");
                _results.Add(new LoadResult { Scenario = "log", Server = "dashboard", Url = "", Clients = clients, Notes = ["log topic not available"] });
                return;
            }

            var run = new LoadRun(options, "log", "dashboard", DashboardUrl(topics), app.Pid, clients)
            {
                DuringWindow = token => LogWriter.WriteAsync(path, options.LogRate, token),
            };
            var result = await run.RunAsync();
            result.Notes.Add($"{options.LogRate} lines/s appended to a tailed file");
            _results.Add(result);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private string DashboardUrl(IEnumerable<string> topics) =>
        $"http://127.0.0.1:{options.Port}/sse?topics={string.Join(",", topics)}&format={options.Format}";

    private async Task<ServerProcess> StartDashboardAsync(Dictionary<string, string> settings)
    {
        if (await ServerProcess.IsListeningAsync(options.Port))
        {
            throw new InvalidOperationException($"Port {options.Port} is already in use: choose another with --port.");
        }

        var app = ServerProcess.StartDashboard(RepoRoot(), options.Port, new Dictionary<string, string>(options.ServerEnvironment.Concat(settings)));
        try
        {
            await app.WaitListeningAsync(options.Port, TimeSpan.FromSeconds(60));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The wanted topics the server has, asking /sse with an unknown topic: the 400 lists the valid ones.</summary>
    private async Task<string[]> ChooseTopicsAsync(string[] wanted)
    {
        if (options.Topics is { } chosen)
        {
            return chosen;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"http://127.0.0.1:{options.Port}/sse?topics=bench-probe-no-such-topic");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var valid = problem.TryGetProperty("validValues", out var values)
            ? values.EnumerateArray().Select(v => v.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : throw new InvalidOperationException("The dashboard's 400 for an unknown topic did not list validValues.");
        return wanted.Where(valid.Contains).ToArray();
    }

    private async Task BuildAsync()
    {
        if (!options.Build)
        {
            return;
        }

        var project = Path.Combine(RepoRoot(), "SseDashboard", "SseDashboard.csproj");
        Console.WriteLine($"building {project} (Release)");
        using var build = Process.Start("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "quiet"])
            ?? throw new InvalidOperationException("Could not run dotnet build.");
        await build.WaitForExitAsync();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build -c Release failed ({build.ExitCode}).");
        }
    }

    private static int? PidOf(string url)
    {
        var pid = ProcFs.FindListeningPid(new Uri(url).Port);
        if (pid is null)
        {
            Console.WriteLine($"   no process found listening on {url}: no server CPU/RSS figures");
        }

        return pid;
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SseDashboard.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (no SseDashboard.sln above here), or give --url.");
    }
}

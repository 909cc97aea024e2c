using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SseDashboard.Bench.Load;
using SseDashboard.Bench.Measurement;
using SseDashboard.Bench.Servers;

namespace SseDashboard.Bench.Scenarios;

/// <summary>
/// What evaluating alert rules costs: the log burst (--log-rate lines/s, N clients) on a dashboard with no rules, then
/// with 20 Log rules, each matched by a warning every few seconds (so each match fires anew after its one-second
/// window), notifying a webhook this process serves. Reported: both runs' CPU, and match → notification latency
/// (the line's write time, which it carries, to the webhook's arrival).
/// </summary>
internal sealed partial class AlertsScenario(BenchOptions options, DashboardHost host)
{
    private const int Rules = 20;

    public async Task<List<LoadResult>> RunAsync(int clients)
    {
        if (options.Url is not null)
        {
            Console.WriteLine("-- alerts: skipped with --url (it needs a dashboard tailing the file it writes)");
            return [];
        }

        // A match every 1/7 s in all, so each rule matches every ~3 s: resolved (after its 1 s window) before the next.
        var alertEvery = Math.Max(1, options.LogRate / 7);
        var without = await RunAsync(clients, "alerts-off", null, alertEvery);
        using var receiver = new Receiver();
        var with = await RunAsync(clients, "alerts", receiver, alertEvery);
        with.Notes.Add(
            $"match → notification: {receiver.Latency.Count} notifications, p50 {receiver.Latency.PercentileMilliseconds(50):0.#} ms, "
            + $"p99 {receiver.Latency.PercentileMilliseconds(99):0.#} ms, max {receiver.Latency.MaxMilliseconds:0.#} ms");
        if (CpuMicrosPerLine(without) is { } off && CpuMicrosPerLine(with) is { } on)
        {
            with.Notes.Add($"server CPU per line {off:0.##} µs without rules, {on:0.##} µs with {Rules} ({on / off:0.00}×)");
        }

        return [without, with];
    }

    private static double? CpuMicrosPerLine(LoadResult result) =>
        result is { ServerCpuPercent: { } cpu, LogLinesWritten: > 0 and var lines }
            ? cpu / 100 * result.WindowSeconds * 1_000_000 / lines
            : null;

    private async Task<LoadResult> RunAsync(int clients, string scenario, Receiver? receiver, int alertEvery)
    {
        using var log = new TailedLog($"{scenario}.log");
        var settings = new Dictionary<string, string>(log.Settings)
        {
            ["Dashboard__LogTail__MaxLinesPerSecond"] = (options.LogRate * 2).ToString(CultureInfo.InvariantCulture),
        };
        if (receiver is not null)
        {
            settings["Dashboard__Alerts__Destinations__bench__Url"] = receiver.Url;
            settings["Dashboard__Alerts__GroupInterval"] = "01:00:00";
            for (var i = 0; i < Rules; i++)
            {
                settings[$"Dashboard__Alerts__Rules__{i}__Name"] = $"bench {i}";
                settings[$"Dashboard__Alerts__Rules__{i}__Words"] = $"benchalert{i:00}";
                settings[$"Dashboard__Alerts__Rules__{i}__MinLevel"] = "warn";
                settings[$"Dashboard__Alerts__Rules__{i}__Window"] = "00:00:01";
            }
        }

        await using var app = await host.StartAsync(settings);
        var run = new LoadRun(options, scenario, "dashboard", host.Url(["log"]), app.Pid, clients)
        {
            DuringWindow = token => LogWriter.WriteAsync(log.Path, options.LogRate, token, alertEvery: alertEvery, alertRules: Rules),
        };
        var result = await run.RunAsync();
        result.Notes.Add(receiver is null
            ? $"{options.LogRate} lines/s to a tailed file, no alert rules (a warning every {alertEvery} lines, matched by nothing)"
            : $"{options.LogRate} lines/s to a tailed file, {Rules} Log rules (words and a least level), a warning every {alertEvery} lines matching one in turn");
        return result;
    }

    /// <summary>A webhook on loopback (the framework's HttpListener: this process is not a web app) timing each notification.</summary>
    private sealed partial class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        public Receiver()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _serving = ServeAsync();
        }

        public string Url { get; }

        public Histogram Latency { get; } = new();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // closed
                }

                var arrived = DateTime.UtcNow;
                using (var body = JsonDocument.Parse(context.Request.InputStream))
                {
                    // A firing notification carries the matching line; a resolved one, none.
                    if (body.RootElement.GetProperty("lines").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.String } first
                        && Written().Match(first.GetString()!) is { Success: true } match)
                    {
                        var written = long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
                        Latency.Record((arrived.Ticks - DateTime.UnixEpoch.Ticks) / 10 - written);
                    }
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Close();
            ((Task)_serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        }

        [GeneratedRegex(@"benchline \d+ (\d+) benchalert")]
        private static partial Regex Written();
    }
}

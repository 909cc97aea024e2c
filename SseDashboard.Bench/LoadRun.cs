using System.Diagnostics;
using System.Net;
using System.Text;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench;

/// <summary>One measurement: open N connections, warm up, measure a window by publish time, let stragglers arrive, close.</summary>
internal sealed class LoadRun(BenchOptions options, string scenario, string server, string url, int? pid, int clients)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>Runs during the window (the log writer); returns how many log lines it wrote.</summary>
    public Func<CancellationToken, Task<long>>? DuringWindow { get; init; }

    public async Task<LoadResult> RunAsync()
    {
        var uri = new Uri(url);
        var endPoint = new IPEndPoint(uri.IsLoopback ? IPAddress.Loopback : (await Dns.GetHostAddressesAsync(uri.Host))[0], uri.Port);
        var request = Encoding.ASCII.GetBytes(
            $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n");
        var result = new LoadResult { Scenario = scenario, Server = server, Url = url, Clients = clients, ServerPid = pid };
        Console.WriteLine($"-- {scenario} · {server} · {clients:N0} clients · {url}");

        WarnAboutDescriptors(clients, pid, result);

        // Warm the server's code paths, then let its JIT finish tiering up (a fresh .NET process spends a few % of
        // CPU on that for ~40 s), so neither the idle baseline nor the window measures the server's cold start.
        await RunConnectionsAsync(endPoint, request, Math.Min(clients, 16), TimeSpan.FromSeconds(5), result: null);
        Console.WriteLine("   warmed up; waiting for the server to settle");
        var idle = pid is { } p ? await SettleAsync(p) : null;
        result.ServerRssIdleMb = idle?.RssKb / 1024.0;

        await RunConnectionsAsync(endPoint, request, clients, options.Duration, result, idle);
        return result;
    }

    /// <summary>
    /// Waits (at most 45 s) until the idle server is 40 s old and uses under 1 % of a core for 2 s running: .NET's
    /// tiered JIT recompiles hot methods in the background for about that long after start.
    /// </summary>
    private static async Task<ProcSample?> SettleAsync(int pid)
    {
        var waited = Stopwatch.StartNew();
        var started = Process.GetProcessById(pid).StartTime;
        var quiet = 0;
        var previous = ProcSample.Read(pid);
        while (previous is { } before && waited.Elapsed < TimeSpan.FromSeconds(45))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = ProcSample.Read(pid);
            quiet = now is { } n && n.CpuPercentSince(before) < 1 ? quiet + 1 : 0;
            previous = now;
            if (quiet >= 2 && DateTime.Now - started > TimeSpan.FromSeconds(40))
            {
                break;
            }
        }

        Console.WriteLine($"   server idle after {waited.Elapsed.TotalSeconds:0} s");
        return previous;
    }

    private async Task RunConnectionsAsync(IPEndPoint endPoint, byte[] request, int count, TimeSpan window, LoadResult? result, ProcSample? idle = null)
    {
        var run = new RunState();
        var connections = Enumerable.Range(0, count).Select(_ => new SseConnection(run)).ToArray();
        using var gate = new SemaphoreSlim(options.ConnectConcurrency);
        using var rampCancel = new CancellationTokenSource(TimeSpan.FromSeconds(30 + (count / 200.0)));
        var ramp = Stopwatch.StartNew();
        var tasks = connections.Select(c => c.RunAsync(endPoint, request, gate, rampCancel.Token)).ToArray();
        try
        {
            await Task.WhenAll(connections.Select(c => c.HeadersReceived.Task)).WaitAsync(rampCancel.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"   ramp timed out after {ramp.Elapsed.TotalSeconds:0.0} s");
        }

        var rampTime = ramp.Elapsed;
        if (result is null)
        {
            await Task.Delay(window);
            await StopAsync(connections, tasks);
            return;
        }

        result.RampSeconds = rampTime.TotalSeconds;
        var connectMs = connections.Where(c => c.ConnectTime > TimeSpan.Zero).Select(c => c.ConnectTime.TotalMilliseconds).Order().ToArray();
        result.ConnectMsP50 = Percentile(connectMs, 50);
        result.ConnectMsP99 = Percentile(connectMs, 99);
        result.ConnectMsMax = connectMs.LastOrDefault();
        Console.WriteLine($"   {connections.Count(c => c.Open):N0} connected in {rampTime.TotalSeconds:0.0} s; warming up {options.Warmup.TotalSeconds:0} s");
        await Task.Delay(options.Warmup);

        var pid = result.ServerPid;
        var server0 = pid is { } p0 ? ProcSample.Read(p0) : null;
        var client0 = ProcSample.Read(Environment.ProcessId);
        var machine0 = ProcFs.MachineBusyTicks();
        run.WindowStart = DateTime.UtcNow.Ticks;
        using var windowCancel = new CancellationTokenSource(window);
        var during = DuringWindow?.Invoke(windowCancel.Token);
        await Task.Delay(window);
        run.WindowEnd = DateTime.UtcNow.Ticks;
        var server1 = pid is { } p1 ? ProcSample.Read(p1) : null;
        var client1 = ProcSample.Read(Environment.ProcessId);
        var machine1 = ProcFs.MachineBusyTicks();
        var linesWritten = during is null ? (long?)null : await during;
        Console.WriteLine("   window over; waiting for events published in it");

        // Events published in the window may still be on their way: wait (bounded) until every open client has them.
        var grace = Stopwatch.StartNew();
        while (grace.Elapsed < Grace && !AllDelivered(run, connections, linesWritten))
        {
            await Task.Delay(200);
        }

        Summarise(run, connections, result, window);
        if (server0 is { } s0 && server1 is { } s1)
        {
            var cpuSeconds = s1.CpuSecondsSince(s0);
            result.ServerCpuPercent = s1.CpuPercentSince(s0);
            result.ServerCpuKernelSharePercent = s1.KernelSharePercentSince(s0);
            result.ServerCpuMicrosPerEvent = result.EventsDelivered > 0 ? cpuSeconds * 1e6 / result.EventsDelivered : null;
            result.ServerRssMb = s1.RssKb / 1024.0;
            if (idle is { } i && result.ConnectionsHeld > 0)
            {
                result.ServerRssKbPerConnection = (double)(s1.RssKb - i.RssKb) / result.ConnectionsHeld;
            }
        }
        else
        {
            result.Notes.Add("server process unknown: no CPU or RSS figures (give --pid / --peer-pid)");
        }

        if (client0 is { } c0 && client1 is { } c1)
        {
            result.ClientCpuPercent = c1.CpuPercentSince(c0);
            if (machine0 is { } m0 && machine1 is { } m1)
            {
                var machinePercent = 100 * (m1 - m0) / ProcSample.TicksPerSecond / (c1.At - c0.At).TotalSeconds;
                result.OtherCpuPercent = Math.Max(0, machinePercent - result.ClientCpuPercent - (result.ServerCpuPercent ?? 0));
            }
        }

        if (linesWritten is { } written)
        {
            SummariseLog(run, connections, result, written, window);
        }

        await StopAsync(connections, tasks);
    }

    private static bool AllDelivered(RunState run, SseConnection[] connections, long? linesWritten)
    {
        var expected = run.PerConnectionIds ? 0 : run.PublishedInWindow().Values.Sum();
        return connections.Where(c => c.Open).All(c =>
            c.EventsInWindow >= expected && (linesWritten is not { } lines || c.LogLinesUnique >= lines));
    }

    private static void Summarise(RunState run, SseConnection[] connections, LoadResult result, TimeSpan window)
    {
        var held = connections.Where(c => c.Open).ToArray();
        result.ConnectionsHeld = held.Length;
        result.ErrorKinds = connections.Where(c => c.Error is not null).GroupBy(c => c.Error!).ToDictionary(g => g.Key, g => g.Count());
        result.Errors = result.ErrorKinds.Values.Sum();
        result.WindowSeconds = window.TotalSeconds;
        result.EventsDelivered = held.Sum(c => c.EventsInWindow);
        result.IdsBackwards = connections.Sum(c => c.IdsBackwards);
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
        result.Notes.Add($"topics seen: {(topics.Count == 0 ? "none" : string.Join(",", topics))}");
    }

    private static void SummariseLog(RunState run, SseConnection[] connections, LoadResult result, long written, TimeSpan window)
    {
        var held = connections.Where(c => c.Open).ToArray();
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

    private static async Task StopAsync(SseConnection[] connections, Task[] tasks)
    {
        foreach (var c in connections)
        {
            c.Stop();
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static void WarnAboutDescriptors(int clients, int? pid, LoadResult result)
    {
        // Each connection holds a descriptor here and one in the server, besides the ~100 each process opens anyway.
        var needed = clients + 256;
        foreach (var (who, limit) in new[] { ("this client", ProcFs.OpenFilesLimit()), ("the server", pid is { } p ? ProcFs.OpenFilesLimit(p.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null) })
        {
            if (limit is { } l && l < needed)
            {
                var warning = $"WARNING: ulimit -n (open files) is {l} for {who}, but {clients:N0} connections need at least {needed:N0}. Raise it (ulimit -n {Math.Max(needed * 2, 65536)}) and start again.";
                Console.WriteLine(warning);
                result.Notes.Add(warning);
            }
        }
    }

    internal static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * percentile / 100) - 1, 0, sorted.Length - 1)];
}

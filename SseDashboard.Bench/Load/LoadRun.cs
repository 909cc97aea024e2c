using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Load;

/// <summary>One measurement: open N connections, warm up, measure a window by publish time, let stragglers arrive, close.</summary>
internal sealed class LoadRun(BenchOptions options, string scenario, string server, string url, int? pid, int clients)
{
    /// <summary>Runs during the window (a log writer); returns how many log lines it wrote.</summary>
    public Func<CancellationToken, Task<long>>? DuringWindow { get; init; }

    /// <summary>Whether every line <see cref="DuringWindow"/> wrote should reach every client (false: a flood, rate-limited).</summary>
    public bool LinesMustArrive { get; init; } = true;

    /// <summary>Runs once all N are connected, before the warm-up (more connections of another kind).</summary>
    public Func<Task>? AfterConnected { get; init; }

    /// <summary>The window; <c>--duration</c> when not given.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>The one topic whose latency counts (the clock among log events); every topic when null.</summary>
    public string? TimedTopic { get; init; }

    public async Task<LoadResult> RunAsync()
    {
        var target = await SseTarget.ResolveAsync(url);
        var result = new LoadResult { Scenario = scenario, Server = server, Url = url, Clients = clients, ServerPid = pid };
        Console.WriteLine($"-- {scenario} · {server} · {clients:N0} clients · {url}");
        var idle = await ServerWarmup.RunAsync(target, pid, clients, result);

        var window = Window ?? options.Duration;
        var run = new RunState { TimedTopic = TimedTopic };
        var set = ConnectionSet.Open(target, run, clients, options.ConnectConcurrency);
        result.RampSeconds = (await set.WaitConnectedAsync()).TotalSeconds;
        Console.WriteLine($"   {set.Held.Length:N0} connected in {result.RampSeconds:0.0} s; warming up {options.Warmup.TotalSeconds:0} s");
        if (AfterConnected is { } afterConnected)
        {
            await afterConnected();
        }

        await Task.Delay(options.Warmup);

        var resources = ResourceWindow.Begin(pid);
        run.WindowStart = DateTime.UtcNow.Ticks;
        using var windowCancel = new CancellationTokenSource(window);
        var during = DuringWindow?.Invoke(windowCancel.Token);
        await Task.Delay(window);
        run.WindowEnd = DateTime.UtcNow.Ticks;
        resources.End();
        var linesWritten = during is null ? (long?)null : await during;
        Console.WriteLine("   window over; waiting for events published in it");

        await LoadSummary.WaitDeliveredAsync(run, set.Connections, LinesMustArrive ? linesWritten : null);
        LoadSummary.Summarise(run, set, result, window);
        resources.Fill(result, idle);
        if (linesWritten is { } written && LinesMustArrive)
        {
            LoadSummary.SummariseLog(run, set.Held, result, written, window);
        }

        await set.StopAsync();
        return result;
    }
}

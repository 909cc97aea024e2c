using System.Diagnostics;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Load;

/// <summary>Connections of one run: opened together (at most <c>concurrency</c> connecting at once), held, closed together.</summary>
internal sealed class ConnectionSet
{
    private readonly SemaphoreSlim _gate;
    private readonly CancellationTokenSource _connectCancel;
    private readonly Task[] _tasks;
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    private ConnectionSet(IReadOnlyList<SseTarget> targets, RunState run, int count, int concurrency)
    {
        _gate = new SemaphoreSlim(concurrency);
        // Connecting, sending the request: bounded, so a server that does not accept fails the run instead of hanging it.
        _connectCancel = new CancellationTokenSource(TimeSpan.FromSeconds(30 + (count / 200.0)));
        Connections = Enumerable.Range(0, count).Select(_ => new SseConnection(run)).ToArray();
        _tasks = Connections.Select((c, i) =>
        {
            var target = targets[i % targets.Count];
            return c.RunAsync(target.EndPoint, target.Request, _gate, _connectCancel.Token);
        }).ToArray();
    }

    public SseConnection[] Connections { get; }

    public SseConnection[] Held => Connections.Where(c => c.Open).ToArray();

    /// <summary>Connect errors and closes so far, by kind.</summary>
    public Dictionary<string, int> ErrorKinds =>
        Connections.Where(c => c.Error is not null).GroupBy(c => c.Error!).ToDictionary(g => g.Key, g => g.Count());

    public static ConnectionSet Open(SseTarget target, RunState run, int count, int concurrency) => new([target], run, count, concurrency);

    /// <summary>Connections spread over several servers in turn: connection i to <c>targets[i % targets.Count]</c>.</summary>
    public static ConnectionSet Open(IReadOnlyList<SseTarget> targets, RunState run, int count, int concurrency) => new(targets, run, count, concurrency);

    /// <summary>Waits until every connection has its response headers (or failed); the time since the first attempt.</summary>
    public Task<TimeSpan> WaitConnectedAsync() => WaitAllAsync(c => c.HeadersReceived.Task, "connecting");

    /// <summary>Waits until every connection has had its first event (or failed); the time since the first attempt.</summary>
    public Task<TimeSpan> WaitFirstEventsAsync() => WaitAllAsync(c => c.FirstEvent.Task, "first events");

    private async Task<TimeSpan> WaitAllAsync(Func<SseConnection, Task> of, string what)
    {
        try
        {
            await Task.WhenAll(Connections.Select(of)).WaitAsync(_connectCancel.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"   {what} timed out after {_sinceStart.Elapsed.TotalSeconds:0.0} s");
        }

        return _sinceStart.Elapsed;
    }

    /// <summary>Connect time (start to headers) percentiles in ms: p50, p99, max.</summary>
    public (double P50, double P99, double Max) ConnectMs()
    {
        var ms = Connections.Where(c => c.ConnectTime > TimeSpan.Zero).Select(c => c.ConnectTime.TotalMilliseconds).Order().ToArray();
        return (LoadSummary.Percentile(ms, 50), LoadSummary.Percentile(ms, 99), ms.LastOrDefault());
    }

    /// <summary>Closes every socket and waits (bounded) for the connections' tasks.</summary>
    public async Task StopAsync()
    {
        foreach (var c in Connections)
        {
            c.Stop();
        }

        await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(30));
        _connectCancel.Dispose();
        _gate.Dispose();
    }
}

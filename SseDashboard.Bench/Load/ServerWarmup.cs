using System.Diagnostics;
using System.Globalization;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Load;

/// <summary>Before a measurement: enough descriptors, the server's code paths warm, its JIT done tiering up.</summary>
internal static class ServerWarmup
{
    /// <summary>
    /// A few connections for 5 s, then a wait until the server is idle and old enough (<see cref="SettleAsync"/>);
    /// returns the idle server's sample (null when its process is unknown). Neither the idle baseline nor the window
    /// then measures the server's cold start.
    /// </summary>
    public static async Task<ProcSample?> RunAsync(SseTarget target, int? pid, int clients, LoadResult result)
    {
        WarnAboutDescriptors(clients, pid, result);
        var warm = ConnectionSet.Open(target, new RunState(), Math.Min(clients, 16), 16);
        await warm.WaitConnectedAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        await warm.StopAsync();
        Console.WriteLine("   warmed up; waiting for the server to settle");
        var idle = pid is { } p ? await SettleAsync(p) : null;
        result.ServerRssIdleMb = idle?.RssKb / 1024.0;
        return idle;
    }

    /// <summary>
    /// Waits (at most 90 s) until the idle server is 80 s old and uses under 1 % of a core for 2 s running. .NET's
    /// tiered JIT recompiles a method after 30 calls, and with dynamic PGO once more after 30 more: what runs once a
    /// second (the producers, the panels' rendering, the fan-out) reaches its final code about 60 s after start. At
    /// 40 s, that recompiling fell in the window: about 380 methods, 6 % of the server's CPU at 10,000 clients.
    /// </summary>
    private static async Task<ProcSample?> SettleAsync(int pid)
    {
        var waited = Stopwatch.StartNew();
        var started = Process.GetProcessById(pid).StartTime;
        var quiet = 0;
        var previous = ProcSample.Read(pid);
        while (previous is { } before && waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = ProcSample.Read(pid);
            quiet = now is { } n && n.CpuPercentSince(before) < 1 ? quiet + 1 : 0;
            previous = now;
            if (quiet >= 2 && DateTime.Now - started > TimeSpan.FromSeconds(80))
            {
                break;
            }
        }

        Console.WriteLine($"   server idle after {waited.Elapsed.TotalSeconds:0} s");
        return previous;
    }

    private static void WarnAboutDescriptors(int clients, int? pid, LoadResult result)
    {
        // Each connection holds a descriptor here and one in the server, besides the ~100 each process opens anyway.
        var needed = clients + 256;
        foreach (var (who, limit) in new[] { ("this client", ProcFs.OpenFilesLimit()), ("the server", pid is { } p ? ProcFs.OpenFilesLimit(p.ToString(CultureInfo.InvariantCulture)) : null) })
        {
            if (limit is { } l && l < needed)
            {
                var warning = $"WARNING: ulimit -n (open files) is {l} for {who}, but {clients:N0} connections need at least {needed:N0}. Raise it (ulimit -n {Math.Max(needed * 2, 65536)}) and start again.";
                Console.WriteLine(warning);
                result.Notes.Add(warning);
            }
        }
    }
}

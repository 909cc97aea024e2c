namespace SseDashboard.Bench;

/// <summary>The targets that apply to one table (scenario, client count), each with what was measured.</summary>
internal static class ReportTargets
{
    public static IEnumerable<string> For(string scenario, int clients, List<LoadResult> rs)
    {
        var d = rs.FirstOrDefault(r => r.Server is "dashboard" or "target" || r.Fleet is not null);
        var go = rs.FirstOrDefault(r => r.Server.Contains("go", StringComparison.OrdinalIgnoreCase));
        // The fan-out scenarios' rounds (--pairs): each round's dashboard, against the Go hub of the same round; a target
        // is judged by the median over the rounds.
        var rounds = rs.Where(r => r.Server is "dashboard" or "target")
            .Select(r => (Dashboard: r, Go: rs.FirstOrDefault(g => g.Server == go?.Server && g.Round == r.Round)))
            .ToList();
        var over = rounds.Count > 1 ? $", median of {rounds.Count} rounds" : "";
        switch (scenario)
        {
            case "fanout" when d is { ConnectionsHeld: > 0 }:
                yield return Lost(rounds, clients);
                if (clients >= 10_000)
                {
                    yield return Check($"server CPU per delivered event ≤ 12 µs{over}", MedianOf(rounds, r => r.ServerCpuMicrosPerEvent) <= 12, Each(rounds, r => r.ServerCpuMicrosPerEvent, "µs"));
                    yield return Check($"≤ 12 KB server RSS per connection{over}", MedianOf(rounds, r => r.ServerRssKbPerConnection) <= 12, Each(rounds, r => r.ServerRssKbPerConnection, "KB"));
                    if (go is not null)
                    {
                        yield return AgainstGo($"p99 ≤ {go.Server}'s", rounds, r => r.LatencyMsP99, "ms");
                    }
                }
                else if (clients <= 1_000)
                {
                    yield return Check($"p99 ≤ 20 ms{over}", MedianOf(rounds, r => r.LatencyMsP99) <= 20, Each(rounds, r => r.LatencyMsP99, "ms"));
                }

                break;
            case "fanout-clock" when d is { ConnectionsHeld: > 0 }:
                yield return Lost(rounds, clients);
                yield return go is null
                    ? "–      server CPU per event ≤ the Go hub's: no go peer in this run (--peer go-sse=…)"
                    : AgainstGo($"server CPU per event ≤ {go.Server}'s", rounds, r => r.ServerCpuMicrosPerEvent, "µs");
                yield return Check($"≤ 14 KB server RSS per connection{over}", MedianOf(rounds, r => r.ServerRssKbPerConnection) <= 14, Each(rounds, r => r.ServerRssKbPerConnection, "KB"));
                if (go is not null)
                {
                    yield return AgainstGo($"p99 ≤ {go.Server}'s", rounds, r => r.LatencyMsP99, "ms");
                }

                break;
            case "idle" when d is { ConnectionsHeld: > 0 }:
                yield return Check("idle server CPU < 5 %", d.ServerCpuPercent < 5, $"{F(d.ServerCpuPercent)} % of one core");
                break;
            case "log" or "log-json" or "alerts" or "alerts-off" when d is { LogLinesWritten: not null }:
                yield return Check("0 lines lost", d.LogLinesLost == 0, $"{d.LogLinesLost:N0} lost");
                yield return Check("write→receive lag p99 ≤ 500 ms", d.LogLagMsP99 <= 500, $"{F(d.LogLagMsP99)} ms");
                break;
            case "storm":
                foreach (var wave in rs.Where(r => r.Storm is not null))
                {
                    var w = $"wave {wave.Storm!.Wave}:";
                    yield return Check($"{w} 0 connect errors", wave.Errors == 0, $"{wave.Errors:N0}");
                    yield return Check($"{w} absorbed ≤ 3 s", wave.Storm.AbsorbSeconds <= 3, wave.Storm.AbsorbSeconds is { } a ? $"{F(a)} s" : $"{wave.Storm.FirstEvents:N0}/{clients:N0} in {F(wave.Storm.WaveSeconds)} s");
                    yield return Check($"{w} clock p99 ≤ 250 ms", wave.LatencyMsP99 <= 250, $"{F(wave.LatencyMsP99)} ms");
                }

                break;
            case "stalled" when rs.FirstOrDefault(r => r.Stalled is { Stalled: > 0 }) is { Stalled: { } s }:
                yield return Check("healthy clock p99 with/without stalled ≤ 1.2 (median over the pairs)", s.HealthyP99RatioMedian <= 1.2, F(s.HealthyP99RatioMedian));
                yield return Check("server memory per stalled connection ≤ 64 KB", s.ServerRssKbPerStalled <= 64, $"{F(s.ServerRssKbPerStalled)} KB");
                yield return Check(
                    "dropped within the stall timeout + 5 s of its writes stopping",
                    s.DropAfterFullSecondsMax <= s.StallTimeoutSeconds + 5,
                    $"at most {F(s.DropAfterFullSecondsMax)} s after its send queue filled");
                yield return Check("server tx_queue per stalled socket ≤ 256 KB", s.TxQueueMaxBytes <= 256 * 1024, $"max {F(s.TxQueueMaxBytes / 1024.0)} KB, median {F(s.TxQueueMedianBytes / 1024.0)} KB");
                yield return Check(
                    "the server drops every stalled connection",
                    s.StalledConnected > 0 && s.Dropped == s.StalledConnected,
                    s.Dropped == 0 ? "none dropped: stall timeout not available" : $"{s.Dropped:N0}/{s.StalledConnected:N0}, median {F(s.DropSecondsMedian)} s after the request");
                break;
            case "flood" when d is { Flood: { } f }:
                yield return Check("clock p99 during the flood and the 10 s after ≤ 250 ms", d.LatencyMsP99 <= 250, $"{F(d.LatencyMsP99)} ms");
                yield return Check(
                    "unaccounted lines (written − delivered − skipped) = 0",
                    f.Unaccounted == 0,
                    $"{f.Unaccounted:N0}{(f.SkippedMarkers == 0 ? " (no skipped markers: rate limit not available)" : "")}");
                break;
            case "fleet" when d is { Fleet: { } f }:
                yield return Check("agent-write → client p99 ≤ 1 s", d.LogLagMsP99 <= 1000, $"{F(d.LogLagMsP99)} ms");
                yield return Check(
                    "0 lines lost",
                    d.LogLinesLost == 0 && d.ConnectionsHeld == clients && f.LinesWritten > 0,
                    $"{d.LogLinesLost:N0} lost of {f.LinesWritten:N0} × {d.ConnectionsHeld:N0} held/{clients:N0}, {d.LogLinesDuplicated:N0} duplicated");
                yield return f.PostgresCpuPercent is { } cpu
                    ? $"MET  PostgreSQL's CPU reported: {F(cpu)} % of one core, {F(f.PostgresCommitsPerSecond)} commits/s"
                    : "MISSED PostgreSQL's CPU reported: its processes were not found on this machine";
                break;
        }
    }

    /// <summary>The median (the mean of the middle two of an even count); null when there is nothing to take it of.</summary>
    public static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToArray();
        return sorted.Length == 0 ? null : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    // Each round's dashboard figure over the Go hub's of the same round, by the median of the rounds that have both.
    private static string AgainstGo(string target, List<(LoadResult Dashboard, LoadResult? Go)> rounds, Func<LoadResult, double?> figure, string unit)
    {
        var paired = rounds.Where(p => p.Go is not null).ToList();
        var over = paired.Count > 1 ? $", median of {paired.Count} rounds" : "";
        var ratio = Median(paired.Select(p => figure(p.Dashboard) / figure(p.Go!)));
        return Check(target + over, ratio <= 1, string.Join(", ", paired.Select(p => $"{F(figure(p.Dashboard))} vs {F(figure(p.Go!))}")) + $" {unit}");
    }

    private static string Lost(List<(LoadResult Dashboard, LoadResult? Go)> rounds, int clients) =>
        Check("0 lost events", rounds.All(p => p.Dashboard.EventsLost == 0 && p.Dashboard.ConnectionsHeld == clients), string.Join("; ", rounds.Select(p => $"{p.Dashboard.EventsLost} lost, {p.Dashboard.ConnectionsHeld:N0}/{clients:N0} held")));

    private static double? MedianOf(List<(LoadResult Dashboard, LoadResult? Go)> rounds, Func<LoadResult, double?> figure) =>
        Median(rounds.Select(p => figure(p.Dashboard)));

    private static string Each(List<(LoadResult Dashboard, LoadResult? Go)> rounds, Func<LoadResult, double?> figure, string unit) =>
        string.Join(", ", rounds.Select(p => F(figure(p.Dashboard)))) + $" {unit}";

    private static string Check(string target, bool met, string measured) => $"{(met ? "MET " : "MISSED")} {target}: {measured}";

    private static string F(double? value) => Report.F(value);
}

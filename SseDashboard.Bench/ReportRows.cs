namespace SseDashboard.Bench;

/// <summary>The rows a scenario adds to the common table: log lines, storm waves, stalled clients, the flood.</summary>
internal static class ReportRows
{
    public static IEnumerable<(string Label, Func<LoadResult, string> Value)> ScenarioRows(List<LoadResult> rs)
    {
        if (rs.Any(r => r.LogLinesWritten is not null))
        {
            yield return ("log lines written", r => $"{r.LogLinesWritten:N0}");
            yield return ("log lines/s per client avg/min", r => $"{F(r.LogLinesPerSecondPerClientAvg)}/{F(r.LogLinesPerSecondPerClientMin)}");
            yield return ("log lines lost", r => $"{r.LogLinesLost:N0}");
            yield return ("log lines duplicated", r => $"{r.LogLinesDuplicated:N0}");
            yield return ("log lag p50/p99/max ms", r => $"{F(r.LogLagMsP50)}/{F(r.LogLagMsP99)}/{F(r.LogLagMsMax)}");
        }

        if (rs.Any(r => r.Storm is not null))
        {
            yield return ("first event received", r => $"{r.Storm?.FirstEvents:N0}/{r.Clients:N0}");
            yield return ("absorbed in s (attempt → all first events)", r => r.Storm is not { } s ? "–"
                : s.AbsorbSeconds is { } a ? F(a) : $"not all ({F(s.WaveSeconds)} s)");
            yield return ("clock window after absorbed s", r => F(r.Storm?.LatencyWindowSeconds));
        }

        if (rs.Any(r => r.Stalled is not null))
        {
            yield return ("stalled connections", r => r.Stalled is { } s ? $"{s.StalledConnected:N0}/{s.Stalled:N0}" : "–");
            yield return ("dropped by the server", r => r.Stalled is { } s ? $"{s.Dropped:N0} (stall timeout {F(s.StallTimeoutSeconds)} s)" : "–");
            yield return ("drop s after request min/median/max", r => r.Stalled is { } s ? $"{F(s.DropSecondsMin)}/{F(s.DropSecondsMedian)}/{F(s.DropSecondsMax)}" : "–");
            yield return ("drop s after its send queue filled, max", r => F(r.Stalled?.DropAfterFullSecondsMax));
            yield return ("closed, as the client read it at the end", r => r.Stalled is { } s ? $"{s.ClosedSeenByClient:N0}" : "–");
            yield return ("server tx_queue per stalled max/median KB", r => r.Stalled is { } s ? $"{F(s.TxQueueMaxBytes / 1024.0)}/{F(s.TxQueueMedianBytes / 1024.0)}" : "–");
            yield return ("server RSS start→peak→end MB", r => r.Stalled is { } s ? $"{F(s.ServerRssStartMb)}→{F(s.ServerRssPeakMb)}→{F(s.ServerRssEndMb)}" : "–");
            yield return ("server RSS per stalled, beyond healthy alone KB", r => F(r.Stalled?.ServerRssKbPerStalled));
            yield return ("healthy clock p99 with/without", r => F(r.Stalled?.HealthyP99Ratio));
            yield return ("healthy clock p99 with/without, median of the pairs", r => F(r.Stalled?.HealthyP99RatioMedian));
        }

        if (rs.Any(r => r.Flood is not null))
        {
            yield return ("flood lines written / in s", r => r.Flood is { } f ? $"{f.LinesWritten:N0} / {F(f.WriteSeconds)}" : "–");
            yield return ("probe: lines delivered", r => $"{r.Flood?.LinesDelivered:N0}");
            yield return ("probe: lines skipped (markers)", r => r.Flood is { } f ? $"{f.LinesSkipped:N0} ({f.SkippedMarkers:N0})" : "–");
            yield return ("probe: unaccounted", r => $"{r.Flood?.Unaccounted:N0}");
        }

        if (rs.Any(r => r.Fleet is not null))
        {
            yield return ("agents × lines/s, every ms", r => r.Fleet is { } f ? $"{f.Agents} × {f.LinesPerSecondPerAgent}, {F(f.FlushMs)}" : "–");
            yield return ("agents: log events / metric samples", r => r.Fleet is { } f ? $"{f.LogEvents:N0} / {f.MetricSamples:N0}" : "–");
            yield return ("agents: failing / events dropped", r => r.Fleet is { } f ? $"{f.AgentsFailing} / {f.AgentEventsDropped:N0}" : "–");
            yield return ("agent-write → stored p50/p99/max ms (polled)", r => r.Fleet is { } f ? $"{F(f.StoreLagMsP50)}/{F(f.StoreLagMsP99)}/{F(f.StoreLagMsMax)}" : "–");
            yield return ("clients missing lines", r => $"{r.Fleet?.ClientsMissingLines:N0}");
            yield return ("drain s (window end → all delivered)", r => F(r.Fleet?.DrainSeconds));
            foreach (var i in Enumerable.Range(0, rs.Max(r => r.Fleet?.Nodes.Count ?? 0)))
            {
                yield return ($"node-{i + 1}: held, CPU %, RSS idle→loaded MB", r => r.Fleet?.Nodes.ElementAtOrDefault(i) is { } n
                    ? $"{n.Held:N0}/{n.Clients:N0}, {F(n.CpuPercent)}, {F(n.RssIdleMb)}→{F(n.RssMb)}"
                    : "–");
            }

            yield return ("PostgreSQL CPU % (of 1 core)", r => r.Fleet is { } f ? $"{F(f.PostgresCpuPercent)} ({f.PostgresProcesses} processes)" : "–");
            yield return ("PostgreSQL commits/s", r => F(r.Fleet?.PostgresCommitsPerSecond));
        }
    }

    private static string F(double? value) => Report.F(value);
}

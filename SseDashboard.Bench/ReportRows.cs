namespace SseDashboard.Bench;

/// <summary>The rows a scenario adds to the common table: log lines, storm waves.</summary>
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
    }

    private static string F(double? value) => Report.F(value);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseDashboard.Bench;

/// <summary>Prints the results side by side per scenario and client count, with the issue's targets; writes JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Print(List<LoadResult> results, BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"machine: {Machine()}; format {options.Format}; window {options.Duration.TotalSeconds:0} s");
        if (options.ServerEnvironment.Count > 0)
        {
            Console.WriteLine($"dashboard environment: {string.Join(" ", options.ServerEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
        }
        foreach (var group in results.GroupBy(r => (r.Scenario, r.Clients)))
        {
            var rs = group.ToList();
            Console.WriteLine();
            Console.WriteLine($"## {group.Key.Scenario}, {group.Key.Clients:N0} clients");
            if (rs.All(r => r.Url.Length == 0))
            {
                rs.ForEach(r => Console.WriteLine($"  {r.Server}: {string.Join("; ", r.Notes)}"));
                continue;
            }

            var rows = new List<(string Label, Func<LoadResult, string> Value)>
            {
                ("connections held", r => $"{r.ConnectionsHeld:N0}"),
                ("errors", r => r.Errors == 0 ? "0" : $"{r.Errors} ({string.Join(", ", r.ErrorKinds.Select(e => $"{e.Key}: {e.Value}"))})"),
                ("connect p50/p99/max ms", r => $"{F(r.ConnectMsP50)}/{F(r.ConnectMsP99)}/{F(r.ConnectMsMax)}"),
                ("ramp s", r => F(r.RampSeconds)),
                ("events delivered/expected", r => $"{r.EventsDelivered:N0}/{r.EventsExpected:N0}"),
                ("events lost", r => $"{r.EventsLost:N0} ({r.LossCountedBy})"),
                ("ids backwards", r => $"{r.IdsBackwards}"),
                ("latency min ms", r => F(r.LatencyMsMin)),
                ("latency p50 ms", r => F(r.LatencyMsP50)),
                ("latency p99 ms", r => F(r.LatencyMsP99)),
                ("latency max ms", r => F(r.LatencyMsMax)),
                ("server CPU % (of 1 core)", r => F(r.ServerCpuPercent)),
                ("server CPU µs/event", r => F(r.ServerCpuMicrosPerEvent)),
                ("server CPU in kernel %", r => F(r.ServerCpuKernelSharePercent)),
                ("server RSS idle→loaded MB", r => $"{F(r.ServerRssIdleMb)}→{F(r.ServerRssMb)}"),
                ("server RSS KB/connection", r => F(r.ServerRssKbPerConnection)),
                ("client CPU % (of 1 core)", r => F(r.ClientCpuPercent)),
                ("other processes' CPU %", r => F(r.OtherCpuPercent)),
                ("comments/connection", r => F(r.CommentsPerConnection)),
            };
            rows.AddRange(ReportRows.ScenarioRows(rs));

            var table = new StringBuilder();
            table.AppendLine($"| | {string.Join(" | ", rs.Select(r => r.Round is { } round ? $"{r.Server} #{round}" : r.Server))} |");
            table.AppendLine($"| --- |{string.Concat(rs.Select(_ => " ---: |"))}");
            foreach (var (label, value) in rows)
            {
                table.AppendLine($"| {label} | {string.Join(" | ", rs.Select(value))} |");
            }

            Console.Write(table);
            foreach (var r in rs)
            {
                foreach (var note in r.Notes)
                {
                    Console.WriteLine($"  {r.Server}: {note}");
                }
            }

            foreach (var line in ReportTargets.For(group.Key.Scenario, group.Key.Clients, rs))
            {
                Console.WriteLine($"  target {line}");
            }
        }
    }

    public static async Task WriteJsonAsync(List<LoadResult> results, BenchOptions options, string path)
    {
        var document = new
        {
            machine = Machine(),
            at = DateTime.UtcNow,
            format = options.Format,
            windowSeconds = options.Duration.TotalSeconds,
            dashboardEnvironment = options.ServerEnvironment,
            results,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Json) + "\n");
    }

    internal static string F(double? value) =>
        value is not { } v || double.IsNaN(v) ? "–" : v.ToString(v >= 100 ? "0" : v >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string Machine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} cores ({model ?? "unknown CPU"}), {memory ?? "? kB"} RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SseDashboard.Bench.Servers;

/// <summary>
/// Appends numbered, time-stamped lines to the file the dashboard tails, at a fixed rate: plain lines, or Serilog CLEF
/// entries whose message renders to the same text, every hundredth with a three-line exception.
/// </summary>
internal static class LogWriter
{
    /// <summary>Writes until cancelled or <paramref name="maxLines"/> are written; returns how many lines it wrote (sequence numbers 0..n-1).</summary>
    /// <param name="alertEvery">
    /// Every this many lines (0: none), a warning that ends <c>benchalertKK</c>, K (two digits: no rule's word is a
    /// prefix of another's) going round <paramref name="alertRules"/>.
    /// </param>
    public static async Task<long> WriteAsync(
        string path, int linesPerSecond, CancellationToken cancellationToken, long maxLines = long.MaxValue, bool json = false, int alertEvery = 0, int alertRules = 1)
    {
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        var builder = new StringBuilder();
        var clock = Stopwatch.StartNew();
        long written = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (written < maxLines && await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Catch up to the rate whatever the timer's jitter: lines due by now.
                var due = Math.Min(maxLines, (long)(clock.Elapsed.TotalSeconds * linesPerSecond));
                if (due == written)
                {
                    continue;
                }

                var now = DateTime.UtcNow;
                var micros = (now.Ticks - DateTime.UnixEpoch.Ticks) / 10;
                builder.Clear();
                for (; written < due; written++)
                {
                    if (alertEvery > 0 && written % alertEvery == alertEvery - 1)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"[{now:HH:mm:ss} WRN] benchline {written} {micros} benchalert{written / alertEvery % alertRules:00}\n");
                        continue;
                    }

                    if (!json)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"[{now:HH:mm:ss} INF] benchline {written} {micros}\n");
                        continue;
                    }

                    builder.Append(CultureInfo.InvariantCulture, $"{{\"@t\":\"{now:O}\",\"@mt\":\"benchline {{Seq}} {{Micros}}\",\"Seq\":{written},\"Micros\":{micros},\"Service\":\"bench\"");
                    builder.Append(written % 100 == 99
                        ? ",\"@l\":\"Error\",\"@x\":\"System.InvalidOperationException: boom\\n   at Bench.Work()\\n   at Bench.Run()\"}\n"
                        : "}\n");
                }

                var bytes = Encoding.UTF8.GetBytes(builder.ToString());
                await file.WriteAsync(bytes, CancellationToken.None);
                await file.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return written;
    }
}

using System.Globalization;
using Npgsql;

namespace SseDashboard.Bench.Measurement;

/// <summary>
/// How far behind the agents' writes the store is: every 250 ms, the newest stored line of the run, its write time
/// against now. What it adds to the client's lag is the nodes' reading and the fan-out.
/// </summary>
internal static class StoreLag
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    /// <summary>Samples into <paramref name="lag"/> until cancelled; lines start with <paramref name="marker"/> then <c>AGENT SEQ MICROS</c>.</summary>
    public static async Task SampleAsync(string connectionString, string marker, Histogram lag, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            using var timer = new PeriodicTimer(Every);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await using var command = new NpgsqlCommand("SELECT text FROM log_lines WHERE text LIKE @prefix ORDER BY id DESC LIMIT 1", connection);
                command.Parameters.AddWithValue("prefix", $"%{marker}%");
                if (await command.ExecuteScalarAsync(cancellationToken) is string text && WrittenMicros(text, marker) is { } written)
                {
                    lag.Record(((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10) - written);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (NpgsqlException ex)
        {
            Console.WriteLine($"   store lag not sampled: {ex.Message}");
        }
    }

    internal static long? WrittenMicros(string text, string marker)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        var fields = at < 0 ? [] : text[(at + marker.Length)..].Split(' ', 4);
        return fields.Length >= 3 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var micros) ? micros : null;
    }
}

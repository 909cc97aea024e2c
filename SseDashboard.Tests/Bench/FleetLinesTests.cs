using System.Text;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Tests.Bench;

public sealed class FleetLinesTests
{
    private static readonly string Marker = FleetLines.MarkerOf("run1");
    private static readonly long Second = TimeSpan.TicksPerSecond;

    [Fact]
    public void Lines_CountedPerAgentAndSequence_TheMissingAndDuplicatedFound()
    {
        var run = new RunState { FleetMarker = Encoding.UTF8.GetBytes(Marker) };
        ISseHandler connection = new SseConnection(run);
        var received = DateTime.UnixEpoch.AddSeconds(10).Ticks;

        connection.OnData(Json(Line(1, 0, 9.0), Line(1, 1, 9.5), Line(2, 0, 9.9)), received);
        connection.OnData(Json(Line(1, 3, 9.9), Line(2, 0, 9.9)), received); // agent 1's line 2 never came; agent 2's line 0 twice

        var lines = ((SseConnection)connection).Fleet!;
        Assert.Equal(5, lines.Lines);
        Assert.Equal(4, lines.Unique);
        Assert.Equal(3, lines.ReceivedOf(1, 0, 4));
        Assert.Equal(1, lines.ReceivedOf(2, 0, 1));
        Assert.Equal(0, lines.ReceivedOf(3, 0, 10));
    }

    [Fact]
    public void Lines_OfAnotherRun_AreIgnored()
    {
        var run = new RunState { FleetMarker = Encoding.UTF8.GetBytes(Marker) };
        ISseHandler connection = new SseConnection(run);

        connection.OnData(Json($"[10:00:00 INF] {FleetLines.MarkerOf("old")}1 0 9000000 GET /api/orders/1 200"), DateTime.UnixEpoch.AddSeconds(10).Ticks);

        Assert.Null(((SseConnection)connection).Fleet);
    }

    [Fact]
    public void ReceivedOf_RangesAcrossWords_CountOnlyTheirOwnLines()
    {
        var lines = new FleetLines(new RunState(), Encoding.UTF8.GetBytes(Marker));
        var seqs = new[] { 0L, 1, 63, 64, 65, 127, 128, 500 };
        lines.Scan(Json(seqs.Select(s => Line(7, s, 1)).ToArray()), Second);

        Assert.Equal(seqs.Length, lines.ReceivedOf(7, 0, 501));
        Assert.Equal(4, lines.ReceivedOf(7, 63, 128)); // 63, 64, 65, 127
        Assert.Equal(1, lines.ReceivedOf(7, 64, 65));
        Assert.Equal(0, lines.ReceivedOf(7, 2, 63));
        Assert.Equal(0, lines.ReceivedOf(7, 501, 10_000));
        Assert.Equal(0, lines.ReceivedOf(7, 5, 5));
    }

    [Fact]
    public void Lag_OnlyOfLinesWrittenInTheWindow_FromTheirWriteTime()
    {
        var run = new RunState
        {
            FleetMarker = Encoding.UTF8.GetBytes(Marker),
            WindowStart = DateTime.UnixEpoch.AddSeconds(9).Ticks,
            WindowEnd = DateTime.UnixEpoch.AddSeconds(11).Ticks,
        };
        var lines = new FleetLines(run, run.FleetMarker!);

        lines.Scan(Json(Line(1, 0, 8.5), Line(1, 1, 9.75), Line(1, 2, 9.8)), DateTime.UnixEpoch.AddSeconds(10).Ticks);

        Assert.Equal(2, run.LogLag.Count);
        Assert.Equal(250.0, run.LogLag.MaxMilliseconds);
    }

    [Fact]
    public void PostgresCpu_SumsThePostmasterItsReapedChildrenAndItsLiveChildren_NotOthers()
    {
        var stats = new[]
        {
            "100 (postgres) S 1 100 100 0 -1 4194560 0 0 0 0 10 5 30 20 20 0 1 0 1 0 0",
            "101 (postgres) S 100 101 101 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 1 0 0",
            "102 (postgres: walwriter) S 100 102 102 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 1 0 0",
            "200 (dotnet) S 1 200 200 0 -1 4194560 0 0 0 0 500 500 0 0 20 0 1 0 1 0 0",
        }.Select(PostgresProcesses.Stat.Parse).OfType<PostgresProcesses.Stat>().ToArray();

        Assert.Equal(4, stats.Length);
        Assert.Equal("postgres: walwriter", stats[2].Command);
        Assert.Equal((10 + 5 + 30 + 20 + 7 + 3 + 1 + 1, 3), PostgresProcesses.Sum(100, stats));
    }

    [Fact]
    public void StoreLag_ReadsTheWriteTimeOfAStoredLine_OfThisRunOnly()
    {
        Assert.Equal(9_750_000, StoreLag.WrittenMicros(Line(3, 12, 9.75), Marker));
        Assert.Null(StoreLag.WrittenMicros("[10:00:00 INF] some other line 1 2 3", Marker));
    }

    private static string Line(int agent, long seq, double writtenSeconds) =>
        $"[10:00:00 INF] {Marker}{agent} {seq} {(long)(writtenSeconds * 1_000_000)} GET /api/orders/{seq} 200 in 3 ms";

    private static byte[] Json(params string[] texts) =>
        Encoding.UTF8.GetBytes($$"""{"timestamp":"1970-01-01T00:00:09Z","kind":"lines","lines":[{{string.Join(",", texts.Select(t => $$"""{"text":"{{t}}","level":"info"}"""))}}],"host":"agent-01"}""");
}

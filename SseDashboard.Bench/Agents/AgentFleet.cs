namespace SseDashboard.Bench.Agents;

/// <summary>The fleet scenario's agents, <c>agent-01</c> … <c>agent-NN</c>, started, stopped and counted together.</summary>
internal sealed class AgentFleet : IAsyncDisposable
{
    private readonly SimulatedAgent[] _agents;
    private Task? _stopped;

    private AgentFleet(SimulatedAgent[] agents) => _agents = agents;

    public IReadOnlyList<SimulatedAgent> Agents => _agents;

    /// <summary>Starts <paramref name="count"/> agents whose lines begin with <paramref name="marker"/> (<see cref="Client.FleetLines.MarkerOf"/>).</summary>
    /// <param name="commitInterval">Their writers' <c>Dashboard:Store:CommitInterval</c> (null: its default).</param>
    public static async Task<AgentFleet> StartAsync(int count, string marker, string connectionString, int linesPerSecond, TimeSpan flush, TimeSpan? commitInterval = null)
    {
        var fleet = new AgentFleet(Enumerable.Range(1, count).Select(n => new SimulatedAgent(n, marker, connectionString, linesPerSecond, flush, commitInterval)).ToArray());
        await Task.WhenAll(fleet._agents.Select(a => a.StartAsync()));
        return fleet;
    }

    /// <summary>Each agent's next sequence number, by agent number (index 0 unused): its lines so far are 0 … that − 1.</summary>
    public long[] Positions() => [0, .. _agents.Select(a => a.NextSeq)];

    public Task StopPublishingAsync() => Task.WhenAll(_agents.Select(a => a.StopPublishingAsync()));

    /// <summary>Stops publishing and waits until what was published is stored (once, however often called).</summary>
    public Task StopAsync() => _stopped ??= Task.WhenAll(_agents.Select(a => a.DisposeAsync().AsTask()));

    public async ValueTask DisposeAsync() => await StopAsync();
}

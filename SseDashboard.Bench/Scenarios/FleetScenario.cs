using System.Diagnostics;
using System.Text;
using SseDashboard.Bench.Agents;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Load;
using SseDashboard.Bench.Measurement;
using SseDashboard.Bench.Servers;
using SseDashboard.History;

namespace SseDashboard.Bench.Scenarios;

/// <summary>
/// A fleet on one PostgreSQL: <c>--agents</c> simulated agents writing metrics and log lines as agents do,
/// <c>--nodes</c> dashboard nodes reading every host's events from the store, the clients split between the nodes.
/// Each agent's line carries its sequence number and write time, so every client's lines are counted per agent (lost,
/// duplicated) and timed from the agent's write; each node's CPU and RSS and PostgreSQL's CPU over the window.
/// </summary>
internal sealed class FleetScenario(BenchOptions options, DashboardHost host)
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    public async Task<LoadResult> RunAsync(int clients)
    {
        if (options.Url is not null)
        {
            return LoadResult.NotAvailable("fleet", clients, "skipped with --url (it starts its own nodes on the store)");
        }

        if (options.StoreConnection is not { } connectionString)
        {
            return LoadResult.NotAvailable("fleet", clients, "skipped: it needs --store-connection, an Npgsql connection string to a PostgreSQL database");
        }

        // Migrated once here, so the nodes and agents starting together find the schema ready.
        await using (var store = new PostgresHistoryStore(connectionString))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        var postgres = await PostgresProcesses.FindAsync(connectionString);
        var nodes = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < options.Nodes; i++)
            {
                nodes.Add(await host.StartAsync(new()
                {
                    ["Dashboard__HostName"] = $"node-{i + 1}",
                    ["Dashboard__Store__Provider"] = "Postgres",
                    ["Dashboard__Store__ConnectionString"] = connectionString,
                }, port: options.Port + i));
            }

            return await MeasureAsync(clients, connectionString, postgres, nodes);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private async Task<LoadResult> MeasureAsync(int clients, string connectionString, PostgresProcesses? postgres, List<ServerProcess> nodes)
    {
        // Connection i goes to target i % targets: node i % nodes and, following a host, agent (i / nodes) % agents + 1.
        var perHost = options.Follow == "host";
        var topics = options.Topics ?? (perHost ? ["cpu", "memory", "log"] : ["log"]);
        var follows = perHost
            ? Enumerable.Range(1, options.Agents).SelectMany(agent => nodes.Select((_, node) => (Node: node, Agent: agent))).ToArray()
            : nodes.Select((_, node) => (Node: node, Agent: 0)).ToArray();
        var targetUrls = follows
            .Select(f => host.Url(topics, "json", options.Port + f.Node) + (f.Agent > 0 ? $"&hosts={SimulatedAgent.NameOf(f.Agent)}" : ""))
            .ToArray();
        var targets = await Task.WhenAll(targetUrls.Select(SseTarget.ResolveAsync));
        var urls = nodes.Select((_, i) => host.Url(topics, "json", options.Port + i)).ToArray();
        int AgentOf(int connection) => follows[connection % follows.Length].Agent;
        var fleet = new FleetFigures
        {
            Agents = options.Agents,
            LinesPerSecondPerAgent = options.AgentLines,
            FlushMs = options.AgentFlush.TotalMilliseconds,
            PostgresPid = postgres?.PostmasterPid,
            Nodes = urls.Select((url, i) => new FleetNode { Name = $"node-{i + 1}", Url = url, Clients = Share(clients, i) }).ToList(),
        };
        var result = new LoadResult
        {
            Scenario = "fleet",
            Server = $"{nodes.Count} nodes",
            Url = string.Join(" ", urls),
            Clients = clients,
            ServerPid = nodes[0].Pid,
            Fleet = fleet,
        };
        Console.WriteLine($"-- fleet · {options.Agents} agents → {nodes.Count} nodes → {clients:N0} clients · {string.Join(" ", urls)}");
        if (postgres is null)
        {
            result.Notes.Add("PostgreSQL's processes are not on this machine (or not readable): no PostgreSQL CPU figure");
        }

        // The nodes warm up and settle side by side, each with a result of its own for its notes.
        var warmups = fleet.Nodes.Select(n => new LoadResult { Scenario = "fleet", Server = n.Name, Url = n.Url, Clients = n.Clients }).ToArray();
        var idle = await Task.WhenAll(nodes.Select((node, i) => ServerWarmup.RunAsync(targets[i], node.Pid, fleet.Nodes[i].Clients, warmups[i])));
        result.Notes.AddRange(warmups.SelectMany(w => w.Notes.Select(note => $"{w.Server}: {note}")));

        var marker = FleetLines.MarkerOf(Guid.NewGuid().ToString("N")[..8]);
        var run = new RunState { FleetMarker = Encoding.UTF8.GetBytes(marker) };
        var set = ConnectionSet.Open(targets, run, clients, options.ConnectConcurrency);
        result.RampSeconds = (await set.WaitConnectedAsync()).TotalSeconds;
        // The agents' writers take the nodes' Dashboard__Store__CommitInterval (--server-env), as a fleet would be configured.
        TimeSpan? commitInterval = options.ServerEnvironment.TryGetValue("Dashboard__Store__CommitInterval", out var interval)
            ? TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)
            : null;
        await using var agents = await AgentFleet.StartAsync(options.Agents, marker, connectionString, options.AgentLines, options.AgentFlush, commitInterval);
        Console.WriteLine($"   {set.Held.Length:N0} connected in {result.RampSeconds:0.0} s; {options.Agents} agents writing; warming up {options.Warmup.TotalSeconds:0} s");
        await Task.Delay(options.Warmup);

        var resources = await FleetResources.BeginAsync(nodes.Select(n => n.Pid).ToArray(), postgres, connectionString);
        run.WindowStart = DateTime.UtcNow.Ticks;
        var from = agents.Positions();
        var storeLag = new Histogram();
        using (var window = new CancellationTokenSource(options.Duration))
        {
            var sampling = StoreLag.SampleAsync(connectionString, marker, storeLag, window.Token);
            await Task.Delay(options.Duration);
            await sampling;
        }

        await agents.StopPublishingAsync();
        run.WindowEnd = DateTime.UtcNow.Ticks;
        var to = agents.Positions();
        await resources.EndAsync();
        (fleet.StoreLagMsP50, fleet.StoreLagMsP99, fleet.StoreLagMsMax) = (storeLag.PercentileMilliseconds(50), storeLag.PercentileMilliseconds(99), storeLag.MaxMilliseconds);
        Console.WriteLine("   window over, agents stopped; waiting for every line to reach every client");

        var drain = Stopwatch.StartNew();
        await agents.StopAsync();
        var expected = Enumerable.Range(1, options.Agents).Sum(a => to[a] - from[a]);
        long ExpectedOf(int connection) => AgentOf(connection) is var agent and > 0 ? to[agent] - from[agent] : expected;
        await WaitDeliveredAsync(set, from, to, ExpectedOf, AgentOf);
        fleet.DrainSeconds = drain.Elapsed.TotalSeconds;

        LoadSummary.Summarise(run, set, result, options.Duration);
        Summarise(run, set, result, fleet, from, to, ExpectedOf, AgentOf);
        resources.Fill(result, fleet, idle);
        foreach (var agent in agents.Agents)
        {
            (fleet.LogEvents, fleet.MetricSamples) = (fleet.LogEvents + agent.LogEvents, fleet.MetricSamples + agent.MetricSamples);
            fleet.AgentEventsDropped += agent.Status.Dropped;
            fleet.AgentsFailing += agent.Status.Error is null ? 0 : 1;
        }

        result.Notes.Add($"{options.Agents} agents: {options.AgentLines} lines/s each, published every {options.AgentFlush.TotalMilliseconds:0} ms, cpu and memory every second; "
            + $"clients on {string.Join(",", topics)} in json, {(perHost ? "each on one agent's host (hosts=agent-NN)" : "every host's")}, "
            + $"{string.Join(" / ", fleet.Nodes.Select(n => $"{n.Clients:N0}"))} per node");
        result.Notes.Add("server CPU and RSS: the nodes together; client CPU: this process, the clients and the agents' writers");
        result.Notes.Add("log lag: agent-write (the line's time stamp) → client, of lines written in the window");
        if (fleet.AgentsFailing > 0 || fleet.AgentEventsDropped > 0)
        {
            result.Notes.Add($"agents' store: {fleet.AgentsFailing} failing at the end, {fleet.AgentEventsDropped:N0} events dropped: "
                + string.Join("; ", agents.Agents.Select(a => a.Status.Error).OfType<string>().Distinct().Take(3)));
        }

        await set.StopAsync();
        return result;
    }

    // Client i goes to node i % nodes.
    private int Share(int clients, int node) => (clients / options.Nodes) + (node < clients % options.Nodes ? 1 : 0);

    // Until every open connection has the window's lines it follows, at most Drain after the agents' writers are done.
    private static async Task WaitDeliveredAsync(ConnectionSet set, long[] from, long[] to, Func<int, long> expected, Func<int, int> agentOf)
    {
        var waiting = set.Connections.Select((c, i) => (Connection: c, Index: i)).ToList();
        var grace = Stopwatch.StartNew();
        while (grace.Elapsed < Drain)
        {
            waiting.RemoveAll(c => !c.Connection.Open || Received(c.Connection, from, to, agentOf(c.Index)) == expected(c.Index));
            if (waiting.Count == 0)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    // The window's lines of one agent (or, with 0, of every agent) a connection received.
    private static long Received(SseConnection connection, long[] from, long[] to, int agent) =>
        connection.Fleet is not { } lines ? 0
            : agent > 0 ? lines.ReceivedOf(agent, from[agent], to[agent])
            : Enumerable.Range(1, from.Length - 1).Sum(a => lines.ReceivedOf(a, from[a], to[a]));

    private void Summarise(
        RunState run, ConnectionSet set, LoadResult result, FleetFigures fleet, long[] from, long[] to, Func<int, long> expectedOf, Func<int, int> agentOf)
    {
        var held = set.Connections.Select((c, i) => (Connection: c, Node: i % options.Nodes, Index: i)).Where(c => c.Connection.Open).ToArray();
        for (var i = 0; i < fleet.Nodes.Count; i++)
        {
            fleet.Nodes[i].Held = held.Count(c => c.Node == i);
        }

        var received = held.Select(c => (Got: Received(c.Connection, from, to, agentOf(c.Index)), Expected: expectedOf(c.Index))).ToArray();
        fleet.LinesWritten = Enumerable.Range(1, options.Agents).Sum(a => to[a] - from[a]);
        fleet.ClientsMissingLines = received.Count(r => r.Got < r.Expected);
        result.LogLinesWritten = fleet.LinesWritten;
        result.LogLinesLost = received.Sum(r => r.Expected - r.Got);

        // Events of the state topics come and go (a client following one host sees its samples only): loss here is
        // counted on the lines, each agent's numbered.
        (result.EventsLost, result.LossCountedBy) = (result.LogLinesLost ?? 0, "lines per agent");
        result.LogLinesDuplicated = held.Sum(c => c.Connection.Fleet is { } f ? f.Lines - f.Unique : 0);
        var seconds = options.Duration.TotalSeconds;
        result.LogLinesPerSecondPerClientAvg = received.Length == 0 ? 0 : received.Average(r => r.Got) / seconds;
        result.LogLinesPerSecondPerClientMin = received.Length == 0 ? 0 : received.Min(r => r.Got) / seconds;
        result.LogLagMsP50 = run.LogLag.PercentileMilliseconds(50);
        result.LogLagMsP99 = run.LogLag.PercentileMilliseconds(99);
        result.LogLagMsMax = run.LogLag.MaxMilliseconds;
    }
}

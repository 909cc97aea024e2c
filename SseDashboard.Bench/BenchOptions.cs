using System.Globalization;

namespace SseDashboard.Bench;

/// <summary>The command line; see <see cref="Usage"/>.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        SseDashboard.Bench: N SSE clients against the dashboard (started here, Release, loopback) and peer servers.

          --clients N[,N...]      connections to hold (default 1000); fanout and fanout-clock run each count in
                                  turn, idle and storm the largest, log, stalled, flood and fleet the first
          --duration 30s          measurement window (ms, s or m suffix; max 60s)
          --warmup 5s             after all connections are up, before the window
          --format html|json      the dashboard's format (default html, as browsers use it)
          --topics a,b            dashboard topics (default clock,cpu,memory: those the server has)
          --scenario LIST         fanout, idle, log, storm, stalled, flood, fanout-clock, history, fleet or all
                                  (comma list; default fanout)
          --url URL               measure this SSE URL instead of starting the dashboard
          --pid PID               the --url server's process (default: whoever listens on its port)
          --peer NAME=URL         also run fanout against this server, side by side (repeatable)
          --peer-cmd NAME=CMD     start the peer with this shell command before its run and stop it after
          --peer-pid NAME=PID     the peer's process, when not found by its port
          --server-env KEY=VALUE  extra environment for the dashboard this benchmark starts (repeatable),
                                  e.g. DOTNET_gcServer=0 or Kestrel__Limits__MaxConcurrentConnections=20000
          --port 5081             port for the dashboard this benchmark starts
          --no-build              do not run dotnet build -c Release first
          --log-rate 200          log and stalled scenarios: lines appended per second
          --flood-lines 100000    flood scenario: lines appended within one second
          --connect-concurrency 200   connections being opened at once
          --out FILE.json         also write the results as JSON
          --history-lines N       history scenario: log lines to seed (default 1000000)
          --store Sqlite|Postgres history scenario: the store to seed and query (default Sqlite)
          --store-connection CS   history scenario with Postgres, and fleet: an Npgsql connection string to an
                                  empty database
          --stalled N             stalled scenario: connections that never read (default 1 % of the clients)
          --pairs 1               stalled scenario: runs alone and with the stalled ones, interleaved; the healthy
                                  p99 ratio is judged by its median over the pairs. fanout, fanout-clock: rounds
                                  of the dashboard and each peer, judged by the median of each round's comparison
          --agents 50             fleet scenario: simulated agents writing to the store
          --agent-lines 20        fleet scenario: log lines per second each agent writes
          --agent-flush 100ms     fleet scenario: how often each agent publishes its lines (the log tail's poll)
          --nodes 2               fleet scenario: dashboard nodes on the store (on --port, --port + 1, ...)
          --follow host|all       fleet scenario: each client follows one agent's host page (hosts=agent-NN: cpu,
                                  memory, log), or every host's log merged (default host)

        Scenarios: fanout (clock, cpu, memory), fanout-clock (the clock alone, like the peers' one event), idle
        (heartbeats only), log (--log-rate lines/s to a tailed file), log-json (the same as Serilog CLEF entries, one in
        100 with an exception), alerts (the log run with no rules, then with 20 Log rules notifying a webhook here:
        CPU, and match → notification latency), storm (two waves of N connecting at once, no
        --connect-concurrency gate, to the dashboard on its default Information logs), stalled (N on clock,log alone,
        then with 1 % more that never read; --server-env Dashboard__Sse__StallTimeout=... is the drop deadline it
        waits for), flood (--flood-lines within a second; a json probe counts lines delivered and skipped), history
        (a store seeded with --history-lines lines and 7 days of cpu samples; /api/logs?q= and /api/history/cpu timed),
        fleet (--agents agents in this process, each through an agent's own store writer, cpu and memory a second and
        --agent-lines lines/s, into the PostgreSQL of --store-connection; --nodes dashboard nodes on it; the clients
        split between them, each on one agent's host (--follow host: topics=cpu,memory,log&hosts=agent-NN) or on every
        host's log (--follow all: topics=log), in json (or --topics): every line's agent-write → client lag, lines lost
        and duplicated, each node's CPU and RSS, PostgreSQL's CPU).
        With fanout or log, --server-env Dashboard__Store__Provider=None|Sqlite|Postgres compares the stores.
        """;

    /// <summary>Every scenario, in the order they run.</summary>
    public static readonly string[] AllScenarios = ["fanout", "fanout-clock", "idle", "log", "log-json", "alerts", "storm", "stalled", "flood", "history", "fleet"];

    public List<int> Clients { get; } = [];

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(30);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(5);

    public string Format { get; private set; } = "html";

    public string[]? Topics { get; private set; }

    public HashSet<string> Scenarios { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? Url { get; private set; }

    public int? Pid { get; private set; }

    public List<PeerTarget> Peers { get; } = [];

    public Dictionary<string, string> ServerEnvironment { get; } = [];

    public int Port { get; private set; } = 5081;

    public bool Build { get; private set; } = true;

    public int LogRate { get; private set; } = 200;

    public int FloodLines { get; private set; } = 100_000;

    public int ConnectConcurrency { get; private set; } = 200;

    public string? Out { get; private set; }

    public int HistoryLines { get; private set; } = 1_000_000;

    public SseDashboard.History.StoreProvider StoreProvider { get; private set; } = SseDashboard.History.StoreProvider.Sqlite;

    public string? StoreConnection { get; private set; }

    public int Agents { get; private set; } = 50;

    public int AgentLines { get; private set; } = 20;

    /// <summary>The stalled scenario's connections that never read (default: 1 % of the clients).</summary>
    public int? Stalled { get; private set; }

    /// <summary>
    /// Interleaved runs, their figures noisy run to run: the stalled scenario's runs alone and with the stalled ones; the
    /// fan-out scenarios' rounds of the dashboard and each peer.
    /// </summary>
    public int Pairs { get; private set; } = 1;

    public TimeSpan AgentFlush { get; private set; } = TimeSpan.FromMilliseconds(100);

    public int Nodes { get; private set; } = 2;

    /// <summary>Fleet: <c>host</c>, each client on one agent's host page; <c>all</c>, every host's log merged.</summary>
    public string Follow { get; private set; } = "host";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var peerCommands = new Dictionary<string, string>();
        var peerPids = new Dictionary<string, int>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--clients":
                    o.Clients.AddRange(Value().Split(',').Select(v => PositiveInt(arg, v)));
                    break;
                case "--duration":
                    o.Duration = ParseDuration(arg, Value());
                    if (o.Duration > TimeSpan.FromSeconds(60))
                    {
                        throw new ArgumentException("--duration is at most 60s: 10,000-connection runs are heavy.");
                    }

                    break;
                case "--warmup":
                    o.Warmup = ParseDuration(arg, Value());
                    break;
                case "--format":
                    var format = Value().ToLowerInvariant();
                    o.Format = format is "html" or "json" ? format : throw new ArgumentException("--format is html or json.");
                    break;
                case "--topics":
                    o.Topics = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--scenario":
                    foreach (var s in Value().Split(',').Select(s => s.Trim().ToLowerInvariant()))
                    {
                        o.Scenarios.UnionWith(
                            s == "all" ? AllScenarios
                            : AllScenarios.Contains(s) ? [s]
                            : throw new ArgumentException($"Unknown scenario '{s}': {string.Join(", ", AllScenarios)} or all."));
                    }

                    break;
                case "--url":
                    o.Url = Uri.TryCreate(Value(), UriKind.Absolute, out var url) ? url.ToString() : throw new ArgumentException("--url must be an absolute URL.");
                    break;
                case "--pid":
                    o.Pid = PositiveInt(arg, Value());
                    break;
                case "--peer":
                    var (name, peerUrl) = Pair(arg, Value());
                    o.Peers.Add(new PeerTarget(name, Uri.TryCreate(peerUrl, UriKind.Absolute, out var u) ? u.ToString() : throw new ArgumentException($"--peer {name}: bad URL.")));
                    break;
                case "--peer-cmd":
                    var (cmdName, command) = Pair(arg, Value());
                    peerCommands[cmdName] = command;
                    break;
                case "--peer-pid":
                    var (pidName, pid) = Pair(arg, Value());
                    peerPids[pidName] = PositiveInt(arg, pid);
                    break;
                case "--server-env":
                    var (key, value) = Pair(arg, Value());
                    o.ServerEnvironment[key] = value;
                    break;
                case "--port":
                    o.Port = PositiveInt(arg, Value());
                    break;
                case "--no-build":
                    o.Build = false;
                    break;
                case "--log-rate":
                    o.LogRate = PositiveInt(arg, Value());
                    break;
                case "--flood-lines":
                    o.FloodLines = PositiveInt(arg, Value());
                    break;
                case "--connect-concurrency":
                    o.ConnectConcurrency = PositiveInt(arg, Value());
                    break;
                case "--out":
                    o.Out = Value();
                    break;
                case "--history-lines":
                    o.HistoryLines = PositiveInt(arg, Value());
                    break;
                case "--store":
                    o.StoreProvider = Enum.TryParse<SseDashboard.History.StoreProvider>(Value(), ignoreCase: true, out var store) && store != SseDashboard.History.StoreProvider.None
                        ? store
                        : throw new ArgumentException("--store is Sqlite or Postgres.");
                    break;
                case "--store-connection":
                    o.StoreConnection = Value();
                    break;
                case "--agents":
                    o.Agents = PositiveInt(arg, Value());
                    break;
                case "--agent-lines":
                    o.AgentLines = PositiveInt(arg, Value());
                    break;
                case "--agent-flush":
                    o.AgentFlush = ParseDuration(arg, Value());
                    if (o.AgentFlush < TimeSpan.FromMilliseconds(10) || o.AgentFlush > TimeSpan.FromSeconds(10))
                    {
                        throw new ArgumentException("--agent-flush is 10ms to 10s.");
                    }

                    break;
                case "--stalled":
                    o.Stalled = PositiveInt(arg, Value());
                    break;
                case "--pairs":
                    o.Pairs = PositiveInt(arg, Value());
                    break;
                case "--nodes":
                    o.Nodes = PositiveInt(arg, Value());
                    break;
                case "--follow":
                    o.Follow = Value();
                    if (o.Follow is not ("host" or "all"))
                    {
                        throw new ArgumentException("--follow is host or all.");
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'.");
            }
        }

        foreach (var name in peerCommands.Keys.Concat(peerPids.Keys).Where(n => o.Peers.All(p => p.Name != n)))
        {
            throw new ArgumentException($"--peer-cmd/--peer-pid name '{name}' has no --peer {name}=URL.");
        }

        foreach (var peer in o.Peers)
        {
            peer.StartCommand = peerCommands.GetValueOrDefault(peer.Name);
            peer.Pid = peerPids.TryGetValue(peer.Name, out var pid) ? pid : null;
        }

        if (o.Clients.Count == 0)
        {
            o.Clients.Add(1000);
        }

        if (o.Scenarios.Count == 0)
        {
            o.Scenarios.Add("fanout");
        }

        return o;
    }

    internal static TimeSpan ParseDuration(string option, string value)
    {
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : (value, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromSeconds(n * unit)
            : throw new ArgumentException($"{option}: '{value}' is not a duration like 500ms, 30s or 1m.");
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option}: '{value}' is not a positive integer.");

    private static (string Name, string Value) Pair(string option, string value)
    {
        var eq = value.IndexOf('=');
        return eq > 0 ? (value[..eq], value[(eq + 1)..]) : throw new ArgumentException($"{option} takes NAME=VALUE (was '{value}').");
    }
}

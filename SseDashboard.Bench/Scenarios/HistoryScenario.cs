using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Servers;
using SseDashboard.History;

namespace SseDashboard.Bench.Scenarios;

/// <summary>
/// A store seeded with <c>--history-lines</c> log lines and seven days of cpu samples a second, then the dashboard on
/// it: <c>/api/logs?q=</c> searches (rare, common, two words, a prefix, none, with a level or a time range) and
/// <c>/api/history/cpu</c> over 7 days, 24 hours and an hour, each timed from one client in turn.
/// </summary>
internal sealed class HistoryScenario(BenchOptions options, DashboardHost host)
{
    private const int Rounds = 40;
    private const int SamplesPerDay = 86_400;

    private static readonly string[] Resources = ["orders", "users", "invoices", "carts", "products", "sessions", "reports", "shipments"];
    private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
    private static readonly (string Text, double Share)[] Extras =
    [
        ("cache hit", 0.30), ("cache miss", 0.10), ("retrying after 503", 0.03), ("connection timeout to db-2", 0.02),
        ("payment declined by issuer", 0.01), ("slow query on orders_by_customer", 0.02), ("request validated", 0.30),
    ];

    public async Task<LoadResult> RunAsync()
    {
        if (options.Url is not null)
        {
            return LoadResult.NotAvailable("history", 1, "skipped with --url (it needs a dashboard on the store it seeds)");
        }

        var provider = options.StoreProvider;
        using var data = new TempData();
        var connectionString = provider == StoreProvider.Postgres
            ? options.StoreConnection ?? throw new InvalidOperationException("--store Postgres needs --store-connection.")
            : $"Data Source={Path.Combine(data.Path, "dashboard.db")}";
        var now = DateTimeOffset.UtcNow;
        var seeding = Stopwatch.StartNew();
        await using (HistoryStore store = provider == StoreProvider.Postgres ? new PostgresHistoryStore(connectionString) : new SqliteHistoryStore(connectionString))
        {
            await store.MigrateAsync(CancellationToken.None);
            await SeedAsync(store, now, options.HistoryLines);
        }

        if (provider == StoreProvider.Postgres)
        {
            // What autovacuum does after a million inserts: the planner's statistics of the new rows.
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        var seedSeconds = seeding.Elapsed.TotalSeconds;
        Console.WriteLine($"-- history: {options.HistoryLines:N0} lines and {7 * SamplesPerDay:N0} cpu samples seeded into {provider} in {seedSeconds:0} s");

        await using var app = await host.StartAsync(new()
        {
            ["Dashboard__DataPath"] = data.Path,
            ["Dashboard__Store__Provider"] = provider.ToString(),
            ["Dashboard__Store__ConnectionString"] = connectionString,
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SseTarget.Token);
        var hourAgo = Uri.EscapeDataString(now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture));
        var week = Uri.EscapeDataString(now.AddDays(-7).ToString("O", CultureInfo.InvariantCulture));
        var day = Uri.EscapeDataString(now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture));
        var searches = new[]
        {
            "/api/logs?q=timeout", "/api/logs?q=orders", "/api/logs?q=payment%20declined", "/api/logs?q=conn",
            "/api/logs?q=nosuchword", "/api/logs?q=timeout&level=warn", $"/api/logs?q=orders&from={hourAgo}",
            "/api/logs?q=alice%20invoices&limit=1000",
        };
        var charts = new[] { $"/api/history/cpu?from={week}", $"/api/history/cpu?from={day}", "/api/history/cpu" };
        var figures = new HistoryFigures { Provider = provider.ToString(), Lines = options.HistoryLines, SeedSeconds = seedSeconds };
        figures.Searches = await TimeAsync(http, searches);
        figures.Charts = await TimeAsync(http, charts);
        var all = figures.Searches.SelectMany(s => s.Value.Samples).ToList();
        figures.SearchMsP50 = Percentile(all, 0.50);
        figures.SearchMsP99 = Percentile(all, 0.99);
        figures.WeekChartMsP50 = Percentile(figures.Charts[charts[0]].Samples, 0.50);
        figures.WeekChartMsMax = figures.Charts[charts[0]].Samples.Max();

        var notes = new List<string>
        {
            $"{provider}: /api/logs?q= over {options.HistoryLines:N0} lines p50 {figures.SearchMsP50:0.0} ms, p99 {figures.SearchMsP99:0.0} ms ({all.Count} searches); /api/history/cpu over 7 days p50 {figures.WeekChartMsP50:0.0} ms, max {figures.WeekChartMsMax:0.0} ms",
        };
        notes.AddRange(figures.Searches.Concat(figures.Charts).Select(s => $"{s.Key}: p50 {s.Value.P50:0.0} ms, max {s.Value.Max:0.0} ms, {s.Value.Rows} rows"));
        return new LoadResult { Scenario = "history", Server = $"dashboard ({provider})", Url = "", Clients = 1, Notes = notes, History = figures };
    }

    // Each URL once to warm up, then every URL in turn, Rounds times: one reader at a time, as a person searching.
    private static async Task<Dictionary<string, TimedQuery>> TimeAsync(HttpClient http, string[] urls)
    {
        var timed = urls.ToDictionary(u => u, _ => new TimedQuery());
        foreach (var url in urls)
        {
            timed[url].Rows = Rows(await GetAsync(http, url));
        }

        for (var round = 0; round < Rounds; round++)
        {
            foreach (var url in urls)
            {
                var clock = Stopwatch.StartNew();
                await GetAsync(http, url);
                timed[url].Samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        foreach (var query in timed.Values)
        {
            (query.P50, query.Max) = (Percentile(query.Samples, 0.5), query.Samples.Max());
        }

        return timed;
    }

    private static async Task<string> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {body}");
    }

    private static int Rows(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.TryGetProperty("lines", out var lines) ? lines.GetArrayLength()
        : System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("points").GetArrayLength();

    private static double Percentile(List<double> samples, double p)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    // Lines spread evenly over the last seven days, a hundred to an event; cpu samples one a second over the same days.
    private static async Task SeedAsync(HistoryStore store, DateTimeOffset now, int lines)
    {
        var random = new Random(42);
        var start = now.AddDays(-7).ToUnixTimeMilliseconds();
        var span = now.ToUnixTimeMilliseconds() - start;
        // Batches named so none is taken for a retry of another; on PostgreSQL, which numbers what it stores, each
        // batch's ids (up to IdCount) are moved past the ones before.
        var batch = 0;
        HistoryWrite Next() => new() { Host = "bench", Role = "Dashboard", IntervalMs = 1000, Run = "seed", Batch = ++batch };
        async Task StoreAsync(HistoryWrite write)
        {
            write.IdCount = Math.Max(write.Lines.Count > 0 ? write.Lines[^1].EventId : 0, write.Samples.Count > 0 ? write.Samples[^1].Id : 0);
            await store.WriteAsync(write, CancellationToken.None);
        }

        var write = Next();
        for (var i = 0; i < lines; i++)
        {
            var at = start + span * i / lines;
            var (level, tag) = random.NextDouble() switch { < 0.03 => ("error", "ERR"), < 0.10 => ("warn", "WRN"), < 0.20 => ("debug", "DBG"), _ => ("info", "INF") };
            var text = $"[{DateTimeOffset.FromUnixTimeMilliseconds(at):HH:mm:ss} {tag}] GET /api/{Resources[random.Next(Resources.Length)]}/{random.Next(100_000)} "
                + $"{(level == "error" ? 500 : 200)} in {random.Next(1, 900)} ms user={Users[random.Next(Users.Length)]} {Extra(random)}";
            write.Lines.Add(new LogRow(i + 1, (i / 100 + 1) * 100L, at, "/var/log/app/app.log", "lines", level, text, 0, null, null) { Host = "bench" });
            if (write.Lines.Count == 5_000)
            {
                await StoreAsync(write);
                write = Next();
            }
        }

        var id = (long)lines + 1_000;
        for (var s = 0; s < 7 * SamplesPerDay; s++)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(start + s * 1000L);
            var system = 20 + 15 * Math.Sin(s / 3600.0) + random.NextDouble() * 10;
            write.AddSample(id++, "cpu", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$"""{"timestamp":"{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}","systemPercent":{{system:0.0}},"processPercent":{{random.NextDouble() * 5:0.0}},"cores":2,"systemAvailable":true,"containerLimited":false}""")), "bench");
            if (write.Samples.Count == 5_000)
            {
                await StoreAsync(write);
                write = Next();
            }
        }

        await StoreAsync(write);
    }

    private static string Extra(Random random)
    {
        var roll = random.NextDouble();
        foreach (var (text, share) in Extras)
        {
            if ((roll -= share) < 0)
            {
                return text;
            }
        }

        return "ok";
    }

    private sealed class TempData : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ssedash-bench-history-");

        public string Path => _dir.FullName;

        public void Dispose() => _dir.Delete(recursive: true);
    }
}

/// <summary>One query timed <c>Rounds</c> times: the samples (ms), their median and worst, and how many rows it gave.</summary>
internal sealed class TimedQuery
{
    public List<double> Samples { get; } = [];

    public double P50 { get; set; }

    public double Max { get; set; }

    public int Rows { get; set; }
}

internal sealed class HistoryFigures
{
    public string Provider { get; set; } = "";

    public int Lines { get; set; }

    public double SeedSeconds { get; set; }

    public double SearchMsP50 { get; set; }

    public double SearchMsP99 { get; set; }

    public double WeekChartMsP50 { get; set; }

    public double WeekChartMsMax { get; set; }

    public Dictionary<string, TimedQuery> Searches { get; set; } = [];

    public Dictionary<string, TimedQuery> Charts { get; set; } = [];
}

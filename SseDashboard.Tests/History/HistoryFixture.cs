using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>
/// A dashboard that follows one log file and keeps its history in <see cref="DataPath"/>, both in a temp directory that
/// outlives the server, so a test can stop it and start another on the same store.
/// </summary>
public sealed class HistoryFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public HistoryFixture(string provider, string? connectionString = null, IDictionary<string, string?>? settings = null)
    {
        File.WriteAllText(Log, "");
        Settings = new Dictionary<string, string?>
        {
            ["Dashboard:DataPath"] = _directory.File("data"),
            ["Dashboard:Store:Provider"] = provider,
            ["Dashboard:Store:ConnectionString"] = connectionString,
            ["Dashboard:LogTail:Paths:0"] = Log,
            ["Dashboard:LogTail:PollInterval"] = "00:00:00.02",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Settings[key] = value;
        }
    }

    public Dictionary<string, string?> Settings { get; }

    public string Log => _directory.File("app.log");

    public string DataPath => _directory.File("data");

    public Task<DashboardServer> StartAsync() => DashboardServer.StartAsync(Settings);

    public Task AppendAsync(params string[] lines) =>
        File.AppendAllTextAsync(Log, string.Concat(lines.Select(l => l + "\n")), TestContext.Current.CancellationToken);

    /// <summary>The stored lines' texts, oldest first, once <paramref name="until"/> holds for them (the writer stores asynchronously).</summary>
    public static async Task<List<string>> StoredLinesAsync(DashboardServer server, Func<List<string>, bool> until, string query = "limit=1000")
    {
        var texts = new List<string>();
        await Eventually.TrueAsync(
            async () =>
            {
                var page = await server.Client.GetFromJsonAsync<JsonElement>($"/api/logs?{query}", TestContext.Current.CancellationToken);
                texts = page.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!).Reverse().ToList();
                return until(texts);
            },
            TimeSpan.FromSeconds(10),
            "the lines stored");
        return texts;
    }

    /// <summary>Appends <paramref name="line"/> and returns the id a reader saw it with (then the reader goes away).</summary>
    public async Task<long> ReadLineIdAsync(DashboardServer server, string line)
    {
        await AppendAsync(line);
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json");
        var (lines, events) = await ReadLogAsync(sse, 1);
        Assert.Equal([line], lines);
        return events[^1].Id;
    }

    /// <summary>
    /// The texts of the <c>log</c> events read until <paramref name="count"/> lines came, and the events' ids (0 for one
    /// sent with none: a fleet node's own lines while its store fails) and kinds.
    /// </summary>
    public static async Task<(List<string> Lines, List<(long Id, string Kind)> Events)> ReadLogAsync(SseClient sse, int count)
    {
        var lines = new List<string>();
        var events = new List<(long, string)>();
        while (lines.Count < count)
        {
            var item = await sse.NextOfTypeAsync("log");
            using var json = JsonDocument.Parse(item.Data);
            var kind = json.RootElement.GetProperty("kind").GetString()!;
            events.Add((item.EventId is { } id ? long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) : 0, kind));
            lines.AddRange(json.RootElement.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!));
        }

        return (lines, events);
    }

    /// <summary>The texts of the stored lines <c>/api/logs</c> answers <paramref name="url"/> with, in its order.</summary>
    public static async Task<List<string>> TextsAsync(DashboardServer server, string url)
    {
        var page = await server.Client.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken);
        return page.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!).ToList();
    }

    public void Dispose() => _directory.Dispose();
}

using SseDashboard.Producers;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>A log line to publish; <paramref name="Level"/> is the detected level, empty for none.</summary>
public sealed record LogFeedLine(string Text, string Level);

/// <summary>
/// Feeds the page's real <c>log</c> topic straight through the hub, with exact levels and markers, for UI tests. The
/// server's log tail follows <see cref="TailedFile"/> (empty at start), so tests can also append to a real file.
/// </summary>
public sealed class LogFeed(DashboardServer server, string tailedFile)
{
    public string TailedFile => tailedFile;

    /// <summary>Starts a dashboard whose log tail follows a fresh empty temp file, with these settings.</summary>
    public static async Task<(DashboardServer Server, LogFeed Feed)> StartServerAsync(IDictionary<string, string?>? settings = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ssedashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "app.log");
        await File.WriteAllTextAsync(file, "", TestContext.Current.CancellationToken);

        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Dashboard:LogTail:Paths:0"] = file,
        };
        var server = await DashboardServer.StartAsync(all);
        return (server, new LogFeed(server, file));
    }

    public Task AppendAsync(params string[] lines) =>
        AppendAsync(lines.Select(l => new LogFeedLine(l, "info")).ToArray());

    public Task AppendAsync(params LogFeedLine[] lines) =>
        PublishAsync(new LogBatch(Now, "app.log", LogKinds.Lines, lines.Select(l => new LogLine(l.Text, l.Level.Length == 0 ? null : l.Level)).ToArray()));

    /// <summary>A <c>rotated</c>, <c>truncated</c> or <c>missing</c> marker for <paramref name="file"/>.</summary>
    public Task MarkerAsync(string kind, string file) => PublishAsync(new LogBatch(Now, file, kind, []));

    /// <summary>Publishes what the hub sends a client it cannot resume: the topic's reset.</summary>
    public Task ResetAsync() => PublishAsync(LogBatch.Reset(Now));

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private async Task PublishAsync(LogBatch batch) =>
        await server.GetRequiredService<IEventPublisher>().PublishAsync(LogTailTopics.Log, batch);
}

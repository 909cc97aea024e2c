using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>A log line to publish; <paramref name="Level"/> is the detected level, empty for none.</summary>
public sealed record LogFeedLine(string Text, string Level);

/// <summary>
/// A dashboard whose log tail follows <see cref="TailedFile"/> (a fresh empty temp file, so tests can also append to a
/// real file), and a feed of the page's real <c>log</c> topic straight through its hub, with exact levels and markers,
/// for UI tests. Disposing it stops the server and deletes the file's directory.
/// </summary>
public sealed class LogFeed : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private int _disposed;

    private LogFeed(DashboardServer server, TempDirectory directory)
    {
        Server = server;
        _directory = directory;
    }

    public DashboardServer Server { get; }

    public string TailedFile => _directory.File("app.log");

    /// <summary>Starts a dashboard whose log tail follows a fresh empty temp file, with these settings.</summary>
    public static async Task<LogFeed> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var directory = new TempDirectory();
        try
        {
            var file = directory.File("app.log");
            await File.WriteAllTextAsync(file, "", TestContext.Current.CancellationToken);
            var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["Dashboard:LogTail:Paths:0"] = file,
            };
            return new LogFeed(await DashboardServer.StartAsync(all), directory);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server and deletes the tailed file; a second call does nothing (a test may stop it early).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await Server.DisposeAsync();
            _directory.Dispose();
        }
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
        await Server.GetRequiredService<IEventPublisher>().PublishAsync(LogTailTopics.Log, batch);
}

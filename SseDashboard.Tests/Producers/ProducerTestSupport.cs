using System.Collections.Concurrent;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Producers;

/// <summary>Fixture files copied beside the tests.</summary>
public static class Fixtures
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Producers", "Fixtures", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>A writable copy of a fixture directory, deleted with the returned scope.</summary>
    public static TempDirectory CopyOf(string relative)
    {
        var temp = new TempDirectory();
        var source = PathOf(relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(temp.Path, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return temp;
    }
}

public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ssedashboard-tests", Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(GetTimestamp());

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Records what producers publish, in order, without a hub.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    private long _id;

    public ConcurrentQueue<(Topic Topic, object Payload)> Published { get; } = new();

    public IEnumerable<T> Of<T>(Topic<T> topic) where T : notnull =>
        Published.Where(p => ReferenceEquals(p.Topic, topic)).Select(p => (T)p.Payload);

    public ValueTask<SseEvent> PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull
    {
        Published.Enqueue((topic, payload));
        return ValueTask.FromResult(new SseEvent(Interlocked.Increment(ref _id), topic, 0, payload, [], []));
    }

    public ValueTask<IReadOnlyList<SseEvent>> PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default)
    {
        var events = new List<SseEvent>();
        foreach (var (topic, payload) in publications)
        {
            Published.Enqueue((topic, payload));
            events.Add(new SseEvent(Interlocked.Increment(ref _id), topic, 0, payload, [], []));
        }

        return ValueTask.FromResult<IReadOnlyList<SseEvent>>(events);
    }
}

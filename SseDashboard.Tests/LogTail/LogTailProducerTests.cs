using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Producers;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>The log tail producer: a fault shows on the log, and the producer follows on.</summary>
public sealed class LogTailProducerTests
{
    [Fact]
    public async Task LogTailProducer_PublishFailsOnce_ShowsAnErrorMarker_SkipsThatBatch_AndFollowsOn()
    {
        using var dir = new TempDirectory();
        var log = dir.File("app.log");
        File.WriteAllText(log, "first\n");
        var publisher = new FailsOncePublisher(payload => payload is LogBatch { Kind: LogKinds.Lines });
        var options = Options.Create(new LogTailOptions { Paths = [log], PollInterval = TimeSpan.FromMilliseconds(10) });
        using var producer = new LogTailProducer(
            publisher,
            TimeProvider.System,
            options,
            new LogRedactor(options, TimeProvider.System, NullLogger<LogRedactor>.Instance),
            new NoFilePositions(),
            new RestartPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
            NullLogger<LogTailProducer>.Instance);

        await producer.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => publisher.Inner.Of(LogTailTopics.Log).Any(), TimeSpan.FromSeconds(10), "the error marker");
        File.AppendAllText(log, "second\n");
        await Eventually.TrueAsync(
            () => publisher.Inner.Of(LogTailTopics.Log).Any(b => b.Lines.Any(l => l.Text == "second")),
            TimeSpan.FromSeconds(10),
            "lines written after the restart");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        var batches = publisher.Inner.Of(LogTailTopics.Log).ToList();
        Assert.Equal(LogKinds.Error, batches[0].Kind);
        Assert.Equal("The log follower failed: hub unavailable", batches[0].Error);
        Assert.Equal(["second"], batches.Skip(1).SelectMany(b => b.Lines).Select(l => l.Text));
    }
}

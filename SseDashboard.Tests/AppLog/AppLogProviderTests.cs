using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.AppLog;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.AppLog;

/// <summary>The app's own log entries taken in-process: what an entry carries, what is left out, and a full queue.</summary>
public sealed class AppLogProviderTests
{
    private readonly AppLogQueue _queue = new();

    [Fact]
    public void Entry_CarriesTemplatePropertiesScopesEventIdExceptionAndTrace()
    {
        using var factory = Factory(new AppLogOptions());
        var logger = factory.CreateLogger("Orders.Checkout");
        using var activity = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start();
        InvalidOperationException thrown;
        try
        {
            throw new InvalidOperationException("card declined", new TimeoutException("gateway"));
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        using (logger.BeginScope(new Dictionary<string, object?> { ["Tenant"] = "acme" }))
        {
            logger.LogError(new EventId(7, "CheckoutFailed"), thrown, "Order {OrderId} of {Amount} failed for {Paid}", 42, 9.5, false);
        }

        Assert.True(_queue.Reader.TryRead(out var entry));
        Assert.Equal((LogLevel.Error, "Orders.Checkout", "Order 42 of 9.5 failed for False", "Order {OrderId} of {Amount} failed for {Paid}"),
            (entry.Level, entry.Category, entry.Message, entry.Template));
        Assert.Equal(
            """{"OrderId":42,"Amount":9.5,"Paid":false,"Tenant":"acme","EventId":"CheckoutFailed","SpanId":"SPAN"}""".Replace("SPAN", activity.SpanId.ToHexString()),
            System.Text.Json.JsonSerializer.Serialize(entry.Fields));
        Assert.StartsWith("System.InvalidOperationException: card declined", entry.Exception);
        Assert.Contains("System.TimeoutException: gateway", entry.Exception);
        Assert.Contains(nameof(Entry_CarriesTemplatePropertiesScopesEventIdExceptionAndTrace), entry.Exception);
        Assert.Equal(activity.TraceId.ToHexString(), entry.TraceId);
    }

    [Fact]
    public void BelowTheMinimumLevel_TheDashboardsOwnCategories_AndExcludedOnes_AreNotTaken()
    {
        using var factory = Factory(new AppLogOptions { MinimumLevel = LogLevel.Warning, Exclude = ["Noisy"] });

        factory.CreateLogger("Orders").LogInformation("below the minimum");
        factory.CreateLogger("SseDashboard.History.HistoryWriter").LogError("the dashboard's own");
        factory.CreateLogger("Noisy.Cache").LogError("excluded, and every category under it");
        factory.CreateLogger("NoisyNeighbour").LogWarning("kept: only a whole name excludes");

        Assert.Equal(["kept: only a whole name excludes"], Drain().Select(e => e.Message));
    }

    [Fact]
    public void ByDefault_AspNetCoresPerRequestEntries_AreNotTaken()
    {
        using var factory = Factory(new AppLogOptions());

        factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").LogInformation("Request starting");
        factory.CreateLogger("Microsoft.Hosting.Lifetime").LogInformation("Application started");

        Assert.Equal(["Application started"], Drain().Select(e => e.Message));
    }

    [Fact]
    public void LoggingCall_NeverThrowsOrWaits_AFullQueueCountsWhatItDrops_APropertyThatThrowsLosesOnlyItsEntry()
    {
        var queue = new AppLogQueue(capacity: 2);
        using var factory = LoggerFactory.Create(b => b.AddProvider(new AppLogProvider(queue, Options.Create(new AppLogOptions()), TimeProvider.System)));
        var logger = factory.CreateLogger("Orders");

        logger.LogInformation("value {Value}", new Throws());
        for (var i = 0; i < 5; i++)
        {
            logger.LogInformation("entry {Index}", i);
        }

        Assert.Equal(3, queue.TakeDropped());
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.Equal("entry 0", first.Message);
    }

    [Fact]
    public async Task Publisher_CutsLongEntries_AndKeepsToTheRate_CountingTheRestIntoOneMarker()
    {
        var queue = new AppLogQueue();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new AppLogProvider(queue, Options.Create(new AppLogOptions()), TimeProvider.System)));
        var logger = factory.CreateLogger("Orders");
        logger.LogInformation("{Body}", new string('é', 100));
        for (var i = 0; i < 4; i++)
        {
            logger.LogInformation("entry {Index}", i);
        }

        var publisher = new RecordingPublisher();
        var options = Options.Create(new LogTailOptions { MaxLineBytes = 64, MaxLinesPerSecond = 2 });
        var redactor = new LogRedactor(options, TimeProvider.System, NullLogger<LogRedactor>.Instance);
        using var service = new AppLogPublisher(queue, publisher, redactor, TimeProvider.System, options, NullLogger<AppLogPublisher>.Instance);

        await service.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => publisher.Of(LogTailTopics.Log).Any(b => b.Kind == LogKinds.Skipped), TimeSpan.FromSeconds(10), "the marker");
        await service.StopAsync(TestContext.Current.CancellationToken);

        var lines = publisher.Of(LogTailTopics.Log).Where(b => b.Kind == LogKinds.Lines).SelectMany(b => b.Lines).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal((new string('é', 32), true), (lines[0].Text, lines[0].Cut));
        Assert.Equal(3, publisher.Of(LogTailTopics.Log).Where(b => b.Kind == LogKinds.Skipped).Sum(b => b.Skipped));
    }

    [Fact]
    public void Redaction_MasksAWholeFieldWhoseNameIsASecret_NumbersToo_AndANaNPropertyKeepsItsEntry()
    {
        using var factory = Factory(new AppLogOptions());
        var redactor = new LogRedactor(Options.Create(new LogTailOptions()), TimeProvider.System, NullLogger<LogRedactor>.Instance);

        factory.CreateLogger("Orders").LogInformation("pin {Password} and {Secret}, ratio {Ratio}", 123456, "abc;def", double.NaN);

        var entry = Assert.Single(Drain());
        var line = redactor.Redact(new LogLine(entry.Message, "info") { Fields = entry.Fields });
        Assert.Equal(("***", "***", "NaN"), (line.Fields!["Password"].GetString(), line.Fields["Secret"].GetString(), line.Fields["Ratio"].GetString()));
    }

    [Fact]
    public async Task Publisher_SendsAMarkerForWhatWasDropped_ThenTheEntriesAsRedactedLinesOfTheApp()
    {
        var queue = new AppLogQueue(capacity: 2);
        using var factory = LoggerFactory.Create(b => b.AddProvider(new AppLogProvider(queue, Options.Create(new AppLogOptions()), TimeProvider.System)));
        var logger = factory.CreateLogger("Orders");
        logger.LogWarning("connecting with password={Password}", "hunter2");
        logger.LogInformation("second");
        logger.LogInformation("dropped");
        var publisher = new RecordingPublisher();
        var redactor = new LogRedactor(Options.Create(new LogTailOptions()), TimeProvider.System, NullLogger<LogRedactor>.Instance);
        using var service = new AppLogPublisher(queue, publisher, redactor, TimeProvider.System, Options.Create(new LogTailOptions()), NullLogger<AppLogPublisher>.Instance);

        await service.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => publisher.Of(LogTailTopics.Log).Any(b => b.Kind == LogKinds.Skipped), TimeSpan.FromSeconds(10), "the entries and the marker published");
        await service.StopAsync(TestContext.Current.CancellationToken);

        // The dropped entry came after the queued ones: the marker after their lines.
        var (lines, marker) = (publisher.Of(LogTailTopics.Log).First(), publisher.Of(LogTailTopics.Log).Last());
        Assert.Equal((LogKinds.Skipped, (long?)1, AppLogPublisher.Source), (marker.Kind, marker.Skipped, marker.File));
        Assert.Equal((AppLogPublisher.Source, 2), (lines.File, lines.Lines.Count));
        var secret = lines.Lines[0];
        Assert.Equal(("connecting with password=***", "warn", "Orders", true), (secret.Text, secret.Level, secret.Category, secret.Redacted));
        Assert.Equal("***", secret.Fields!["Password"].GetString());
        Assert.Equal("connecting with password=***", secret.Message); // the template too: masking fails closed
    }

    private ILoggerFactory Factory(AppLogOptions options) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new AppLogProvider(_queue, Options.Create(options), TimeProvider.System)));

    private List<AppLogEntry> Drain()
    {
        var entries = new List<AppLogEntry>();
        while (_queue.Reader.TryRead(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private sealed class Throws
    {
        public override string ToString() => throw new FormatException("no text");
    }
}

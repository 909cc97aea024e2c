using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SseDashboard.Meters;

namespace SseDashboard.Tests.Meters;

/// <summary>The sampler on the test's own meters (names unique to each test: a listener sees every meter in the process).</summary>
public sealed class MeterSamplerTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly string _prefix = $"test.{Guid.NewGuid():N}.";

    private IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    [Fact]
    public void Counter_IsARatePerSecond_OverTheInterval()
    {
        using var meter = new Meter(_prefix + "meter");
        var counter = meter.CreateCounter<long>(_prefix + "requests", "{request}");
        using var sampler = Sampler(_prefix + "requests");

        counter.Add(30);
        counter.Add(20, new KeyValuePair<string, object?>("route", "/b"));
        _time.Advance(TimeSpan.FromSeconds(2));
        var first = Single(sampler.Sample());
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = Single(sampler.Sample());

        Assert.Equal((_prefix + "requests", "{request}/s", 25.0), (first.Name, first.Unit, first.Value));
        Assert.Equal(0, second.Value);
        Assert.Equal([25.0, 0.0], second.History);
    }

    [Fact]
    public void Histogram_IsCountPerSecond_WithP50AndP99InMilliseconds()
    {
        using var meter = new Meter(_prefix + "meter");
        var duration = meter.CreateHistogram<double>(_prefix + "duration", "s");
        using var sampler = Sampler(_prefix + "duration");

        for (var i = 1; i <= 100; i++)
        {
            duration.Record(i / 1000.0);
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        var reading = Single(sampler.Sample());
        _time.Advance(TimeSpan.FromSeconds(1));
        var quiet = Single(sampler.Sample());

        Assert.Equal(("/s", 25.0, 50.0, 99.0), (reading.Unit, reading.Value, reading.P50, reading.P99));
        Assert.Equal((0.0, null, null), (quiet.Value, quiet.P50, quiet.P99));
    }

    [Fact]
    public void Histogram_NotADuration_KeepsItsOwnUnit_ForPercentiles()
    {
        using var meter = new Meter(_prefix + "meter");
        var size = meter.CreateHistogram<long>(_prefix + "size", "By");
        using var sampler = Sampler(_prefix + "size");

        size.Record(100);
        size.Record(300);
        _time.Advance(TimeSpan.FromSeconds(1));

        var reading = Single(sampler.Sample());
        Assert.Equal((100.0, 300.0, "By"), (reading.P50, reading.P99, reading.PercentileUnit));
    }

    [Fact]
    public void TwoInstrumentsOfOneName_TheFirstIsRead_TheOtherIsNot()
    {
        using var first = new Meter(_prefix + "first");
        using var second = new Meter(_prefix + "second");
        var read = first.CreateCounter<long>(_prefix + "same");
        using var sampler = Sampler(_prefix + "same");
        var ignored = second.CreateHistogram<double>(_prefix + "same");

        read.Add(2);
        ignored.Record(1_000);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2.0, Single(sampler.Sample()).Value);
    }

    [Fact]
    public void UpDownCounter_IsItsValueNow_AcrossTagSets()
    {
        using var meter = new Meter(_prefix + "meter");
        var active = meter.CreateUpDownCounter<int>(_prefix + "active", "{connection}");
        using var sampler = Sampler(_prefix + "active");

        active.Add(3, new KeyValuePair<string, object?>("endpoint", "a"));
        active.Add(2, new KeyValuePair<string, object?>("endpoint", "b"));
        active.Add(-1, new KeyValuePair<string, object?>("endpoint", "a"));
        _time.Advance(TimeSpan.FromSeconds(1));

        var reading = Single(sampler.Sample());
        Assert.Equal(("{connection}", 4.0), (reading.Unit, reading.Value));
    }

    [Fact]
    public void ObservableCounter_IsTheRateBetweenTwoTotals_ObservableGauge_ItsValue()
    {
        using var meter = new Meter(_prefix + "meter");
        long allocated = 1_000;
        meter.CreateObservableCounter(_prefix + "allocated", () => allocated, "By");
        meter.CreateObservableGauge(_prefix + "depth", () => new[] { new Measurement<int>(2), new Measurement<int>(5) }, "{item}");
        using var sampler = Sampler(_prefix + "allocated", _prefix + "depth");

        _time.Advance(TimeSpan.FromSeconds(1));
        var first = sampler.Sample();
        allocated += 4_096;
        _time.Advance(TimeSpan.FromSeconds(2));
        var second = sampler.Sample();

        Assert.Null(first.Instruments[0].Value);
        Assert.Equal(("By/s", 2_048.0), (second.Instruments[0].Unit, second.Instruments[0].Value));
        Assert.Equal(("{item}", 7.0), (second.Instruments[1].Unit, second.Instruments[1].Value));
    }

    [Fact]
    public void InstrumentsOfAnotherAppsMeterFactory_AreNotRead_ItsOwnAre_InTheConfiguredOrder()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var theirs = other.GetRequiredService<IMeterFactory>().Create(_prefix + "meter").CreateCounter<long>(_prefix + "theirs");
        var ours = Factory.Create(_prefix + "meter").CreateCounter<long>(_prefix + "ours");
        using var sampler = Sampler(_prefix + "theirs", _prefix + "missing", _prefix + "ours");

        theirs.Add(1);
        ours.Add(1);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([_prefix + "ours"], sampler.Sample().Instruments.Select(i => i.Name));
    }

    [Fact]
    public void Options_BadValues_AreEachNamedByKey()
    {
        var result = new ValidateMetersOptions().Validate(null, new MetersOptions
        {
            Interval = TimeSpan.Zero,
            Instruments = ["http.server.active_requests", " ", "http.server.active_requests"],
        });

        Assert.Equal(
            ["Dashboard:Meters:Interval ", "Dashboard:Meters:Instruments:1 ", "Dashboard:Meters:Instruments:2 "],
            result.Failures!.Select(f => f[..(f.IndexOf(' ') + 1)]));
    }

    [Fact]
    public async Task Producer_FirstSample_ComesHalfAnIntervalOrMoreAfterTheSamplerBegan_ThenOnTheBoundaries()
    {
        var time = new SseDashboard.Tests.Infrastructure.TimerCountingTimeProvider(DateTimeOffset.Parse("2026-12-05T12:00:00.990Z"));
        var publisher = new SseDashboard.Tests.Infrastructure.RecordingPublisher();
        using var sampler = new MeterSampler(Factory, Options.Create(new MetersOptions { Instruments = [_prefix + "none"] }), time);
        using var producer = new MetersProducer(
            sampler, publisher, time, Options.Create(new MetersOptions()),
            new SseDashboard.Producers.RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MetersProducer>.Instance);

        await producer.StartAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 2; i++)
        {
            await SseDashboard.Tests.Infrastructure.Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "the producer waiting");
            time.Advance(time.TimerDueTimes[^1]);
        }

        await SseDashboard.Tests.Infrastructure.Eventually.TrueAsync(
            () => publisher.Of(MetersTopics.Meters).Any(), TimeSpan.FromSeconds(10), "the first sample");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        // Not at 12:00:01.000, 10 ms after the sampler began: half a second on, then the next boundary.
        Assert.Equal("12:00:02.000", publisher.Of(MetersTopics.Meters).First().Timestamp.ToString("HH:mm:ss.fff"));
    }

    [Fact]
    public void StoredMeters_GetEachHostsSparklines_PerInstrument()
    {
        var restorer = new StoredMetersHistories();
        MetersSample Stored(string host, double value) =>
            new MetersSample(DateTimeOffset.UnixEpoch, [new("kestrel.active_connections", "{connection}", value)]) { Host = host };

        restorer.Restore(MetersTopics.Meters, Stored("web-1", 1));
        restorer.Restore(MetersTopics.Meters, Stored("web-2", 9));
        var restored = (MetersSample)restorer.Restore(MetersTopics.Meters, Stored("web-1", 2));

        Assert.Equal([1.0, 2.0], restored.Instruments[0].History);
    }

    private MeterSampler Sampler(params string[] instruments) =>
        new(Factory, Options.Create(new MetersOptions { Instruments = instruments }), _time);

    private static InstrumentReading Single(MetersSample sample) => Assert.Single(sample.Instruments);

    public void Dispose() => _services.Dispose();
}

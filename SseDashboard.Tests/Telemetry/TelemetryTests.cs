using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Telemetry;

/// <summary>OTLP export of metrics and traces, switched on by the standard <c>OTEL_*</c> variables.</summary>
public sealed class TelemetryTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EndpointVariableAlone_AnOtlpHttpReceiverGetsTheStreamsAndRequestsMetrics_AndSpans_WithinTwentySeconds()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var started = DateTime.UtcNow;
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
        });

        await using (var stream = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock"))
        {
            await stream.NextAsync();
        }

        using (await server.Client.GetAsync("/panels/clock", Ct))
        {
        }

        await Eventually.TrueAsync(
            () => receiver.Metrics.Any(m => m.Name == "sse.connections") && receiver.Metrics.Any(m => m.Name == "http.server.request.duration"),
            TimeSpan.FromSeconds(20) - (DateTime.UtcNow - started),
            "sse.connections and http.server.request.duration at the receiver");
        await Eventually.TrueAsync(
            () => receiver.Spans.Any(s => Path(s) == "/panels/clock"),
            TimeSpan.FromSeconds(20),
            "the page request's span at the receiver");

        Assert.All(receiver.Metrics, m => Assert.Equal("SseDashboard", m.Service));
        Assert.Equal("{connection}", receiver.Metrics.First(m => m.Name == "sse.connections").Unit);
        Assert.Equal("s", receiver.Metrics.First(m => m.Name == "http.server.request.duration").Unit);
        // The stream ended before the page request began: had it a span, that would have come first.
        Assert.DoesNotContain(receiver.Spans, s => Path(s) == "/sse");
    }

    [Fact]
    public async Task MetricsEndpointAlone_ExportsMetrics_AndTracesNothing()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var spans = new LockedList<System.Diagnostics.Activity>();
        await using var server = await DashboardServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = new Uri(receiver.Endpoint, "/v1/metrics").ToString(),
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));

        using (await server.Client.GetAsync("/panels/clock", Ct))
        {
        }

        await Eventually.TrueAsync(
            () => receiver.Metrics.Any(m => m.Name == "http.server.request.duration"),
            TimeSpan.FromSeconds(10),
            "the page request's duration at the metrics endpoint");
        server.App.Services.GetService<TracerProvider>()?.ForceFlush();
        Assert.Empty(spans.Snapshot());
    }

    [Fact]
    public async Task ExportedInstruments_HaveTheirDocumentedNamesAndUnits()
    {
        var exported = new LockedList<Metric>();
        await using var blackHole = BlackHole.Start();
        await using var server = await DashboardServer.StartAsync(
            new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = blackHole.Endpoint, ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "1000" },
            builder => builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported)));

        await using (var stream = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock"))
        {
            await stream.NextAsync();
        }

        using (await server.Client.GetAsync("/panels/clock", Ct))
        {
        }

        var expected = new Dictionary<string, string>
        {
            // The SseDashboard meter.
            ["sse.connections"] = "{connection}",
            ["sse.events_written"] = "{event}",
            ["sse.bytes_written"] = "By",
            ["sse.disconnects"] = "{connection}",
            ["sse.publish_to_write"] = "ms",
            ["sse.queue_depth"] = "{event}",
            // ASP.NET Core, Kestrel, the runtime and System.Net.Http (this test's own client shares the process's meter).
            ["http.server.request.duration"] = "s",
            ["http.server.active_requests"] = "{request}",
            ["kestrel.active_connections"] = "{connection}",
            ["dotnet.gc.collections"] = "{collection}",
            ["dotnet.process.memory.working_set"] = "By",
            ["http.client.request.duration"] = "s",
        };
        var provider = server.GetRequiredService<MeterProvider>();
        await Eventually.TrueAsync(
            () =>
            {
                provider.ForceFlush();
                var seen = exported.Snapshot();
                return expected.Keys.All(name => seen.Any(m => m.Name == name));
            },
            TimeSpan.FromSeconds(10),
            "every documented instrument");

        var units = exported.Snapshot();
        Assert.All(expected, e => Assert.Equal(e.Value, units.First(m => m.Name == e.Key).Unit));
    }

    [Fact]
    public async Task OnPostgreSql_CommandsAreSpans_AndNpgsqlMetricsAreExported()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var metrics = new LockedList<Metric>();
        var spans = new LockedList<System.Diagnostics.Activity>();
        await using var blackHole = BlackHole.Start();
        await using var server = await DashboardServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = blackHole.Endpoint,
                ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "1000",
                ["Dashboard:Store:Provider"] = "Postgres",
                ["Dashboard:Store:ConnectionString"] = connectionString,
            },
            builder => builder.Services
                .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics))
                .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));

        using (await server.Client.GetAsync("/api/history/cpu", Ct))
        {
        }

        await Eventually.TrueAsync(
            () =>
            {
                server.GetRequiredService<MeterProvider>().ForceFlush();
                server.GetRequiredService<TracerProvider>().ForceFlush();
                return metrics.Snapshot().Any(m => m.MeterName == "Npgsql") && spans.Snapshot().Any(s => s.Source.Name == "Npgsql");
            },
            TimeSpan.FromSeconds(10),
            "Npgsql's metrics and a PostgreSQL command's span");

        Assert.Contains(spans.Snapshot(), s => s.Source.Name == "Npgsql" && ((string?)s.GetTagItem("db.system.name") ?? (string?)s.GetTagItem("db.system")) == "postgresql");
    }

    [Fact]
    public async Task EndpointThatNeverAnswers_TheAppStartsAndServes_ExportNeverHoldsARequest()
    {
        await using var blackHole = BlackHole.Start();
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = blackHole.Endpoint,
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });

        // Exports are under way into the black hole (it accepted their connections and never answers).
        await Eventually.TrueAsync(() => blackHole.Accepted >= 2, TimeSpan.FromSeconds(10), "metric and span exports reaching the endpoint");
        for (var i = 0; i < 20; i++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var page = await server.Client.GetAsync("/panels/clock", timeout.Token);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        await using var stream = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");
        Assert.Equal("clock", (await stream.NextAsync()).EventType);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("http://127.0.0.1:4318", "false")]
    public async Task WithoutAnEndpoint_OrTurnedOff_NothingIsRegistered(string? endpoint, string? enabled)
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["Dashboard:Telemetry:Enabled"] = enabled,
        });

        Assert.Null(server.App.Services.GetService<MeterProvider>());
        Assert.Null(server.App.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Enabled_NotABoolean_RefusesToStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Telemetry:Enabled"] = "maybe" }));

        Assert.Contains("Dashboard:Telemetry:Enabled", error.Message);
    }

    private static string? Path(OtlpSpan span) => span.Attributes.GetValueOrDefault("url.path");

    /// <summary>An endpoint that accepts connections and never answers: a collector that hangs.</summary>
    private sealed class BlackHole : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = [];
        private readonly Task _accepting;
        private int _accepted;

        private BlackHole()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Accepted => Volatile.Read(ref _accepted);

        public static BlackHole Start() => new();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_held)
                    {
                        _held.Add(socket);
                    }

                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
            lock (_held)
            {
                _held.ForEach(s => s.Dispose());
            }
        }
    }
}

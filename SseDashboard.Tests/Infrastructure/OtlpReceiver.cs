using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>A metric as an OTLP export carried it: its name, unit and the service that sent it.</summary>
public sealed record OtlpMetric(string Service, string Scope, string Name, string Unit);

/// <summary>A span as an OTLP export carried it: its name and string attributes.</summary>
public sealed record OtlpSpan(string Scope, string Name, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1:0, as a collector listens on 4318: it answers <c>/v1/metrics</c> and
/// <c>/v1/traces</c> and keeps what they carried. The messages are read with Google.Protobuf's wire reader, field by
/// number (the generated OTLP types are not a package here, and these few fields are all a test reads).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>Where it listens (once started): what <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names.</summary>
    public Uri Endpoint => new(_app.Urls.First());

    public ConcurrentQueue<OtlpMetric> Metrics { get; } = new();

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            foreach (var metric in ReadMetrics(await BodyAsync(request)))
            {
                receiver.Metrics.Enqueue(metric);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            foreach (var span in ReadSpans(await BodyAsync(request)))
            {
                receiver.Spans.Enqueue(span);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    private static async Task<ByteString> BodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return ByteString.CopyFrom(body.ToArray());
    }

    // ExportMetricsServiceRequest: resource_metrics = 1 { resource = 1, scope_metrics = 2 { scope = 1, metrics = 2 { name = 1, unit = 3 } } }
    private static IEnumerable<OtlpMetric> ReadMetrics(ByteString request) =>
        from resource in Fields(request, 1)
        let service = Attributes(Fields(resource, 1).SelectMany(r => Fields(r, 1))).GetValueOrDefault("service.name", "")
        from scopeMetrics in Fields(resource, 2)
        let scope = Text(Fields(scopeMetrics, 1).SelectMany(s => Fields(s, 1)))
        from metric in Fields(scopeMetrics, 2)
        select new OtlpMetric(service, scope, Text(Fields(metric, 1)), Text(Fields(metric, 3)));

    // ExportTraceServiceRequest: resource_spans = 1 { scope_spans = 2 { scope = 1, spans = 2 { name = 5, attributes = 9 } } }
    private static IEnumerable<OtlpSpan> ReadSpans(ByteString request) =>
        from resource in Fields(request, 1)
        from scopeSpans in Fields(resource, 2)
        let scope = Text(Fields(scopeSpans, 1).SelectMany(s => Fields(s, 1)))
        from span in Fields(scopeSpans, 2)
        select new OtlpSpan(scope, Text(Fields(span, 5)), Attributes(Fields(span, 9)));

    // Resource { attributes = 1 } and Span { attributes = 9 }: KeyValue { key = 1, value = 2: AnyValue { string_value = 1 } }.
    private static Dictionary<string, string> Attributes(IEnumerable<ByteString> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in keyValues)
        {
            attributes[Text(Fields(keyValue, 1))] = Text(Fields(keyValue, 2).SelectMany(v => Fields(v, 1)));
        }

        return attributes;
    }

    private static string Text(IEnumerable<ByteString> field) => field.FirstOrDefault()?.ToStringUtf8() ?? "";

    /// <summary>Every length-delimited field <paramref name="number"/> of <paramref name="message"/>, in order.</summary>
    private static IEnumerable<ByteString> Fields(ByteString message, int number)
    {
        var input = message.CreateCodedInput();
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                yield return input.ReadBytes();
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

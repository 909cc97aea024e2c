using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>A request a webhook got: its path, headers and body.</summary>
public sealed record Webhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A webhook receiver on 127.0.0.1:0 (real Kestrel), as Slack, Discord or ntfy would be: it takes POSTs to any path,
/// answering <see cref="FailFirst"/> of them with <see cref="FailWith"/> first (a destination that fails, then recovers).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Webhook> _received = Channel.CreateUnbounded<Webhook>();
    private int _failures;

    private WebhookReceiver(WebApplication app) => _app = app;

    public int FailFirst { get; set; }

    /// <summary>The status those first requests get: 503 by default (retried), 400 for one that is not.</summary>
    public int FailWith { get; set; } = StatusCodes.Status503ServiceUnavailable;

    /// <summary>Requests refused so far.</summary>
    public int Refused => Volatile.Read(ref _failures);

    public string Url(string path) => new Uri(new Uri(_app.Urls.First()), path).ToString();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            if (Interlocked.Increment(ref receiver._failures) <= receiver.FailFirst)
            {
                return Results.StatusCode(receiver.FailWith);
            }

            Interlocked.Decrement(ref receiver._failures);
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver._received.Writer.TryWrite(new Webhook(context.Request.Path, headers, body));
            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>The next request received, within <paramref name="timeout"/> (10 s by default).</summary>
    public async Task<Webhook> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No webhook within {timeout ?? TimeSpan.FromSeconds(10)}.");
        }
    }

    /// <summary>The requests received and not yet taken.</summary>
    public int Pending => _received.Reader.Count;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

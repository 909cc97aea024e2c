using System.Net.ServerSentEvents;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>An open SSE response read with the framework's <see cref="SseParser"/>; every read awaits with a timeout.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly IAsyncEnumerator<SseItem<string>> _items;

    private SseClient(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _body = body;
        _items = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseClient> ConnectAsync(HttpClient client, string url, string? lastEventIdHeader = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = client.DefaultRequestVersion, VersionPolicy = client.DefaultVersionPolicy };
        if (lastEventIdHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventIdHeader);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        return new SseClient(response, await response.Content.ReadAsStreamAsync(timeout.Token));
    }

    /// <summary>The next event, or fails when none arrives within <paramref name="timeout"/> (default 5 s).</summary>
    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null)
    {
        var next = _items.MoveNextAsync().AsTask();
        var finished = await Task.WhenAny(next, Task.Delay(timeout ?? TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        if (finished != next)
        {
            throw new TimeoutException("No SSE event arrived in time.");
        }

        if (!await next)
        {
            throw new EndOfStreamException("The SSE stream ended.");
        }

        return _items.Current;
    }

    /// <summary>Reads until an event of <paramref name="eventType"/> arrives.</summary>
    public async Task<SseItem<string>> NextOfTypeAsync(string eventType, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var item = await NextAsync(TimeSpan.FromSeconds(5));
            if (item.EventType == eventType)
            {
                return item;
            }

            deadline.Token.ThrowIfCancellationRequested();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _response.Dispose();
        await _body.DisposeAsync();
    }
}

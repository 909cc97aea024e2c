using System.Text;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>Renders without Razor and counts every render, to prove the hub renders each event once.</summary>
public sealed class CountingRenderer : IEventRenderer
{
    private int _html;
    private int _json;

    public int HtmlRenders => Volatile.Read(ref _html);

    public int JsonRenders => Volatile.Read(ref _json);

    public ValueTask<string> RenderHtmlAsync(Topic topic, object payload)
    {
        Interlocked.Increment(ref _html);
        return ValueTask.FromResult(payload switch
        {
            TextPayload { Reset: true } => "reset",
            TextPayload text => $"<p>{text.Text}</p>",
            _ => $"<p>{payload}</p>",
        });
    }

    public byte[] RenderJson(Topic topic, object payload)
    {
        Interlocked.Increment(ref _json);
        return topic.SerializeJson(payload);
    }
}

public static class HubFactory
{
    public static EventHub Create(CountingRenderer renderer, params Topic[] topics) => Create(renderer, new SseOptions(), topics);

    public static EventHub Create(CountingRenderer renderer, SseOptions sse, params Topic[] topics) =>
        new(topics, renderer, Options.Create(sse), TimeProvider.System);

    /// <summary>Everything queued for a subscription now (superseded entries skipped), as the writer loop would see it.</summary>
    public static List<SseEvent> Drain(this Subscription subscription) =>
        subscription.Queue.TakeBatch().Where(e => e is not null).Select(e => e!).ToList();

    public static string Text(this SseEvent e, SseFormat format = SseFormat.Json) => Encoding.UTF8.GetString(e.Frame(format));
}

using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;

namespace SseDashboard.Streaming;

/// <summary>Encodes events into SSE bytes with the framework's <see cref="SseFormatter"/>.</summary>
public static class SseFraming
{
    /// <summary>A comment line; <see cref="SseFormatter"/> has no way to write comments.</summary>
    internal static readonly byte[] HeartbeatFrame = ":\n\n"u8.ToArray();

    /// <summary>The frame of one event; with no <paramref name="id"/>, no <c>id:</c> field (the client's last id stays).</summary>
    public static async ValueTask<byte[]> EncodeAsync(string eventType, long? id, ReadOnlyMemory<byte> utf8Data)
    {
        var item = new SseItem<ReadOnlyMemory<byte>>(utf8Data, eventType)
        {
            EventId = id?.ToString(CultureInfo.InvariantCulture),
        };
        using var buffer = new MemoryStream(utf8Data.Length + 64);
        // SseFormatter writes every CR, LF or CRLF inside data as a new "data:" line, so no payload can end a frame.
        await SseFormatter.WriteAsync(new[] { item }.ToAsyncEnumerable(), buffer, static (item, writer) => writer.Write(item.Data.Span));
        return buffer.ToArray();
    }

    public static ValueTask<byte[]> EncodeAsync(string eventType, long? id, string data) =>
        EncodeAsync(eventType, id, Encoding.UTF8.GetBytes(data));

    /// <summary>
    /// The last frame of a stream whose access ended: <c>event: close</c> with <c>{"reason":…}</c>, and no id, so a
    /// resume continues after the last event shown. The reason is one of <see cref="StreamLease"/>'s constants.
    /// </summary>
    public static byte[] CloseFrame(string reason) =>
        Encoding.UTF8.GetBytes($"event: close\ndata: {{\"reason\":\"{reason}\"}}\n\n");

    /// <summary>The <c>retry:</c> field alone; <see cref="SseFormatter"/> only writes it alongside data.</summary>
    public static byte[] RetryFrame(TimeSpan retry) =>
        Encoding.ASCII.GetBytes($"retry: {(long)retry.TotalMilliseconds}\n\n");
}

using System.Net;
using System.Text;

namespace SseDashboard.Bench.Client;

/// <summary>An SSE URL resolved once: where to connect and the request every connection to it sends.</summary>
internal sealed record SseTarget(string Url, IPEndPoint EndPoint, byte[] Request)
{
    public static async Task<SseTarget> ResolveAsync(string url)
    {
        var uri = new Uri(url);
        var endPoint = new IPEndPoint(uri.IsLoopback ? IPAddress.Loopback : (await Dns.GetHostAddressesAsync(uri.Host))[0], uri.Port);
        var request = Encoding.ASCII.GetBytes(
            $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n");
        return new SseTarget(url, endPoint, request);
    }
}

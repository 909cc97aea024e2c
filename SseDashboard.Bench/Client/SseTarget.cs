using System.Net;
using System.Text;

namespace SseDashboard.Bench.Client;

/// <summary>An SSE URL resolved once: where to connect and the request every connection to it sends.</summary>
internal sealed record SseTarget(string Url, IPEndPoint EndPoint, byte[] Request)
{
    /// <summary>
    /// The dashboard runs in its default Token mode with this token (<c>Dashboard:Auth:Token</c>), and every client
    /// sends it as a bearer; the peers ignore the header.
    /// </summary>
    public const string Token = "bench-token-0123456789abcdef";

    public static async Task<SseTarget> ResolveAsync(string url)
    {
        var uri = new Uri(url);
        var endPoint = new IPEndPoint(uri.IsLoopback ? IPAddress.Loopback : (await Dns.GetHostAddressesAsync(uri.Host))[0], uri.Port);
        var request = Encoding.ASCII.GetBytes(
            $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nAuthorization: Bearer {Token}\r\n\r\n");
        return new SseTarget(url, endPoint, request);
    }
}

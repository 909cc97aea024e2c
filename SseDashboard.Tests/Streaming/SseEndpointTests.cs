using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

public sealed class SseEndpointTests
{
    [Fact]
    public async Task Get_ReturnsEventStreamHeaders_AndRetryFirst()
    {
        await using var server = await DashboardServer.StartAsync();
        using var response = await server.Client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache, no-transform", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.Empty(response.Content.Headers.ContentEncoding);

        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var buffer = new byte[7];
        await body.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
        Assert.Equal("retry: ", System.Text.Encoding.ASCII.GetString(buffer));
    }
}

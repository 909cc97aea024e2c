using System.Net;
using System.Text;
using System.Text.Json;
using SseDashboard.Clock;
using SseDashboard.Panels;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

public sealed class SseEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Task<DashboardServer> StartWithTopicAsync(Topic<TextPayload> topic, IDictionary<string, string?>? settings = null) =>
        DashboardServer.StartAsync(settings, b => b.Services.AddPanel<TextPanel, TextPayload>(topic));

    [Fact]
    public async Task Get_ReturnsEventStreamHeaders_AndRetryFirst()
    {
        await using var server = await DashboardServer.StartAsync();
        using var response = await server.Client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache, no-transform", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no", response.Headers.NonValidated["X-Accel-Buffering"].ToString());
        Assert.Empty(response.Content.Headers.ContentEncoding);

        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var buffer = new byte[7];
        await body.ReadExactlyAsync(buffer, Ct);
        Assert.Equal("retry: ", Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public async Task Get_WithGzipAccepted_IsStillNeverCompressed()
    {
        await using var server = await DashboardServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sse");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");

        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Connect_StateTopic_GetsTheNewestValueAtOnce_NotAtTheNextTick()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Clock:Interval"] = "01:00:00" });
        var hub = server.GetRequiredService<EventHub>();
        await Eventually.TrueAsync(async () => await hub.NewestAsync(ClockTopics.Clock) is not null, TimeSpan.FromSeconds(10), "the clock publishes at start");

        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock&format=json");
        var item = await sse.NextAsync();

        Assert.Equal("clock", item.EventType);
        Assert.Equal((await hub.NewestAsync(ClockTopics.Clock))!.Id.ToString(), item.EventId);
    }

    [Theory]
    [InlineData("/sse?topics=clock,nope", "topics")]
    [InlineData("/sse?format=xml", "format")]
    [InlineData("/sse?lastEventId=abc", "lastEventId")]
    public async Task BadQuery_Returns400ProblemNamingTheParameter(string url, string parameter)
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownTopic_ProblemListsTheValidTopics()
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync("/sse?topics=nope", Ct);

        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var valid = problem.RootElement.GetProperty("validValues").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(server.GetRequiredService<EventHub>().Topics.Select(t => t.Name), valid);
        Assert.Contains("clock", valid);
    }

    [Fact]
    public async Task IdleStream_GetsHeartbeatComments()
    {
        var ticks = TestTopics.NewStream();
        await using var server = await StartWithTopicAsync(ticks, new Dictionary<string, string?> { ["Dashboard:Sse:Heartbeat"] = "00:00:00.1" });
        using var response = await server.Client.GetAsync("/sse?topics=ticks", HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);

        var text = await ReadUntilAsync(body, "\n:\n\n:\n\n", TimeSpan.FromSeconds(5));

        Assert.StartsWith("retry: ", text);
    }

    [Fact]
    public async Task Healthz_ReportsHealthy_OnceEventsFlow()
    {
        await using var server = await DashboardServer.StartAsync();
        var hub = server.GetRequiredService<EventHub>();
        await Eventually.TrueAsync(() => hub.LastPublishedAt is not null, TimeSpan.FromSeconds(10), "the clock publishes at start");

        using var response = await server.Client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    internal static async Task<string> ReadUntilAsync(Stream body, string marker, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout);
        var text = new StringBuilder();
        var buffer = new byte[1024];
        while (!text.ToString().Contains(marker))
        {
            var read = await body.ReadAsync(buffer, deadline.Token);
            Assert.True(read > 0, "the stream ended");
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}

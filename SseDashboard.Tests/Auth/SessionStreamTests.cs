using System.Net;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

/// <summary>A browser session's streams end when the session does: on expiry, and on logout from any tab.</summary>
public sealed class SessionStreamTests
{
    [Fact]
    public async Task SessionExpiring_SendsCloseExpired_AndEndsTheStreamWithinTwoSeconds()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Auth:SessionLifetime"] = "00:00:02" });
        using var client = await LoggedInAsync(server);
        var loggedInAt = DateTimeOffset.UtcNow;
        await using var stream = await SseClient.ConnectAsync(client, "/sse?topics=clock");

        var close = await stream.NextOfTypeAsync("close", TimeSpan.FromSeconds(8));
        var closedAt = DateTimeOffset.UtcNow;
        using var reconnect = await client.GetAsync("/sse?topics=clock", HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal("""{"reason":"expired"}""", close.Data);
        Assert.Null(close.EventId);
        Assert.InRange(closedAt - loggedInAt, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(HttpStatusCode.Unauthorized, reconnect.StatusCode);
    }

    [Fact]
    public async Task Logout_SendsCloseRevoked_ToEveryStreamOfThatSession_NotToOthers()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = await LoggedInAsync(server);
        using var other = await LoggedInAsync(server);
        await using var tab1 = await SseClient.ConnectAsync(client, "/sse?topics=clock&format=json");
        await using var tab2 = await SseClient.ConnectAsync(client, "/sse?topics=clock");
        await using var otherTab = await SseClient.ConnectAsync(other, "/sse?topics=clock&format=json");
        await using var script = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock&format=json");
        var form = await FormTokenAsync(client, "/", "form[action='/logout']");

        using var logout = await PostFormAsync(client, "/logout", ("__RequestVerificationToken", form));

        Assert.Equal("""{"reason":"revoked"}""", (await tab1.NextOfTypeAsync("close", TimeSpan.FromSeconds(2))).Data);
        Assert.Equal("""{"reason":"revoked"}""", (await tab2.NextOfTypeAsync("close", TimeSpan.FromSeconds(2))).Data);
        var hub = server.GetRequiredService<SseDashboard.Streaming.EventHub>();
        await hub.PublishAsync(SseDashboard.Clock.ClockTopics.Clock, new SseDashboard.Clock.ClockSample(DateTimeOffset.UtcNow, 1), Ct);
        Assert.Equal("clock", (await otherTab.NextOfTypeAsync("clock")).EventType);
        Assert.Equal("clock", (await script.NextOfTypeAsync("clock")).EventType);
    }

    [Fact]
    public async Task Logout_WithoutItsAntiforgeryToken_Is400_AndTheSessionLives()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = await LoggedInAsync(server);

        using var logout = await PostFormAsync(client, "/logout");
        using var page = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

public sealed class EmbedTokenTests
{
    private const string Tool = "https://tools.example";

    [Fact]
    public async Task Create_Answers201WithIdTokenExpiryAndUrl_AndTheListNeverShowsATokenAgain()
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.PostAsJsonAsync(
            "/api/embed-tokens", new { panels = new[] { "cpu", "memory" }, expiresIn = "30.00:00:00", origins = new[] { Tool } }, Ct);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var list = await server.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = created.GetProperty("id").GetString()!;
        var token = created.GetProperty("token").GetString()!;
        Assert.Equal($"/api/embed-tokens/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal($"/panels/cpu?embed={token}", created.GetProperty("url").GetString());
        Assert.InRange(created.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.Equal(["cpu", "memory"], listed.GetProperty("panels").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal([Tool], listed.GetProperty("origins").EnumerateArray().Select(p => p.GetString()));
        Assert.DoesNotContain(token, list.GetRawText());
        Assert.False(listed.TryGetProperty("token", out _));
    }

    [Theory]
    [InlineData("""{"panels":["nope"]}""", "panels")]
    [InlineData("""{"panels":[]}""", "panels")]
    [InlineData("""{"panels":["cpu"],"expiresIn":"00:00:00"}""", "expiresIn")]
    [InlineData("""{"panels":["cpu"],"expiresIn":"400.00:00:00"}""", "expiresIn")]
    [InlineData("""{"panels":["cpu"],"origins":["https://tools.example/path"]}""", "origins")]
    [InlineData("""{"panels":["cpu"],"origins":["*"]}""", "origins")]
    public async Task Create_WithBadInput_Is400NamingTheField_AndMakesNoToken(string body, string field)
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.PostAsync("/api/embed-tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var list = await server.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Empty(list.EnumerateArray());
    }

    [Theory]
    [InlineData("""{"panels":["cpu"],"expiresIn":"soon"}""", "application/json")]
    [InlineData("""{"panels":["cpu"]""", "application/json")]
    [InlineData("""{"panels":["cpu"]}""", "text/plain")]
    public async Task Create_WithABodyThatIsNotTheJson_IsRefused_AndMakesNoToken(string body, string mediaType)
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.PostAsync("/api/embed-tokens", new StringContent(body, System.Text.Encoding.UTF8, mediaType), Ct);
        var list = await server.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct);

        Assert.Equal(mediaType == "application/json" ? HttpStatusCode.BadRequest : HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(mediaType == "application/json" ? "JSON" : "application/json", problem.GetRawText());
        Assert.Empty(list.EnumerateArray());
    }

    [Fact]
    public async Task Create_WithoutLogin_Is401_AndWithAnEmbedToken_Is403()
    {
        await using var server = await DashboardServer.StartAsync();
        var token = (await server.CreateEmbedTokenAsync(["cpu"])).GetProperty("token").GetString();
        using var anonymous = server.NewClient();

        using var noLogin = await anonymous.PostAsJsonAsync("/api/embed-tokens", new { panels = new[] { "log" } }, Ct);
        using var withEmbed = await anonymous.PostAsJsonAsync($"/api/embed-tokens?embed={token}", new { panels = new[] { "log" } }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, noLogin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withEmbed.StatusCode);
    }

    [Fact]
    public async Task EmbedToken_ReachesOnlyItsPanels_PagesAndStreams()
    {
        await using var server = await DashboardServer.StartAsync();
        await server.StartupEventsAsync();
        var token = (await server.CreateEmbedTokenAsync(["cpu"])).GetProperty("token").GetString();
        using var client = server.NewClient();

        using var cpu = await client.GetAsync($"/panels/cpu?embed={token}", Ct);
        using var log = await client.GetAsync($"/panels/log?embed={token}", Ct);
        using var logStream = await client.GetAsync($"/sse?topics=cpu,log&embed={token}", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var index = await client.GetAsync($"/?embed={token}", Ct);
        using var api = await client.GetAsync($"/api/embed-tokens?embed={token}", Ct);
        await using var stream = await SseClient.ConnectAsync(client, $"/sse?format=json&embed={token}");

        Assert.Equal(HttpStatusCode.OK, cpu.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, log.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, logStream.StatusCode);
        Assert.Equal("topics", (await logStream.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("parameter").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, index.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        // No topics: the token's own. The snapshot holds every topic's newest event, so anything else would show here.
        var first = await stream.NextAsync();
        Assert.Equal("cpu", first.EventType);
        await server.GetRequiredService<SseDashboard.Streaming.EventHub>().PublishAsync(
            SseDashboard.Clock.ClockTopics.Clock, new SseDashboard.Clock.ClockSample(DateTimeOffset.UtcNow, 1), Ct);
        await server.GetRequiredService<SseDashboard.Streaming.EventHub>().PublishAsync(
            SseDashboard.Metrics.MetricsTopics.Cpu, SseDashboard.Metrics.CpuSample.Faulted(DateTimeOffset.UtcNow, "test"), Ct);
        Assert.Equal("cpu", (await stream.NextAsync()).EventType);
    }

    [Fact]
    public async Task EmbedToken_FrameAncestorsAndCors_AreTheTokensOrigins()
    {
        await using var server = await DashboardServer.StartAsync();
        var token = (await server.CreateEmbedTokenAsync(["clock"], [Tool])).GetProperty("token").GetString();
        using var client = server.NewClient();

        using var page = await client.GetAsync($"/panels/clock?embed={token}", Ct);
        using var fromTool = await SendWithOriginAsync(client, $"/sse?embed={token}", Tool);
        using var fromStranger = await SendWithOriginAsync(client, $"/sse?embed={token}", "https://stranger.example");
        using var dashboard = await server.Client.GetAsync("/panels/clock", Ct);

        Assert.EndsWith($"frame-ancestors {Tool}", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(Tool, fromTool.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(fromStranger.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.EndsWith("frame-ancestors 'self'", dashboard.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task EmbedToken_OriginsAreStoredAsBrowsersSendThem_SoCorsAndFramingMatch()
    {
        await using var server = await DashboardServer.StartAsync();
        var token = (await server.CreateEmbedTokenAsync(["clock"], ["https://Tools.Example:443/"])).GetProperty("token").GetString();
        using var client = server.NewClient();

        using var page = await client.GetAsync($"/panels/clock?embed={token}", Ct);
        using var stream = await SendWithOriginAsync(client, $"/sse?embed={token}", Tool);
        var list = await server.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct);

        Assert.EndsWith($"frame-ancestors {Tool}", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(Tool, stream.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(Tool, list[0].GetProperty("origins")[0].GetString());
    }

    [Fact]
    public async Task EmbedToken_ValidForAYear_Streams()
    {
        await using var server = await DashboardServer.StartAsync();
        var token = (await server.CreateEmbedTokenAsync(["clock"], expiresIn: "365.00:00:00")).GetProperty("token").GetString();
        using var client = server.NewClient();

        await using var stream = await SseClient.ConnectAsync(client, $"/sse?embed={token}");

        Assert.Equal("clock", (await stream.NextAsync()).EventType);
    }

    [Fact]
    public async Task EmbedToken_TamperedOrMadeUp_Is401_AndCountsAsAWrongToken()
    {
        await using var server = await DashboardServer.StartAsync();
        var token = (await server.CreateEmbedTokenAsync(["cpu"])).GetProperty("token").GetString()!;
        var tampered = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];
        using var client = server.NewClient();

        using var response = await client.GetAsync($"/panels/cpu?embed={tampered}", Ct);
        for (var i = 1; i < SseDashboard.Auth.FailedLogins.PermitLimit; i++)
        {
            using var made = await client.GetAsync($"/sse?embed=made-up-{i}", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, made.StatusCode);
        }

        using var throttled = await client.GetAsync($"/panels/cpu?embed={token}", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
    }

    [Fact]
    public async Task Revoke_EndsTheToken_OpenStreamsGetCloseRevoked_AndASecondRevokeIs404()
    {
        await using var server = await DashboardServer.StartAsync();
        var created = await server.CreateEmbedTokenAsync(["clock"]);
        var (id, token) = (created.GetProperty("id").GetString(), created.GetProperty("token").GetString());
        using var client = server.NewClient();
        await using var stream = await SseClient.ConnectAsync(client, $"/sse?format=json&embed={token}");
        Assert.Equal("clock", (await stream.NextAsync()).EventType);

        using var revoke = await server.Client.DeleteAsync($"/api/embed-tokens/{id}", Ct);
        var close = await stream.NextOfTypeAsync("close", TimeSpan.FromSeconds(2));
        using var again = await server.Client.DeleteAsync($"/api/embed-tokens/{id}", Ct);
        using var page = await client.GetAsync($"/panels/clock?embed={token}", Ct);
        var list = await server.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal("""{"reason":"revoked"}""", close.Data);
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("revoked", await page.Content.ReadAsStringAsync(Ct));
        Assert.Empty(list.EnumerateArray());
    }

    [Fact]
    public async Task Expiry_OpenStreamGetsCloseExpiredWithinTwoSeconds_ThenTheTokenIs401()
    {
        await using var server = await DashboardServer.StartAsync();
        var created = await server.CreateEmbedTokenAsync(["clock"], expiresIn: "00:00:02");
        var expiresAt = created.GetProperty("expiresAt").GetDateTimeOffset();
        var token = created.GetProperty("token").GetString();
        using var client = server.NewClient();
        await using var stream = await SseClient.ConnectAsync(client, $"/sse?format=json&embed={token}");

        var close = await stream.NextOfTypeAsync("close", TimeSpan.FromSeconds(6));
        var closedAt = DateTimeOffset.UtcNow;
        using var again = await client.GetAsync($"/sse?embed={token}", Ct);

        Assert.Equal("""{"reason":"expired"}""", close.Data);
        Assert.InRange(closedAt - expiresAt, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains("expired", await again.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task TokensAndRevocations_SurviveARestart_WithTheSameDataPath()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Dashboard:DataPath"] = data.Path };
        string? kept, revoked;
        await using (var first = await DashboardServer.StartAsync(settings))
        {
            kept = (await first.CreateEmbedTokenAsync(["cpu"])).GetProperty("token").GetString();
            var gone = await first.CreateEmbedTokenAsync(["cpu"]);
            revoked = gone.GetProperty("token").GetString();
            using var _ = await first.Client.DeleteAsync($"/api/embed-tokens/{gone.GetProperty("id").GetString()}", Ct);
        }

        await using var second = await DashboardServer.StartAsync(settings);
        using var client = second.NewClient();
        using var keptPage = await client.GetAsync($"/panels/cpu?embed={kept}", Ct);
        using var revokedPage = await client.GetAsync($"/panels/cpu?embed={revoked}", Ct);
        var list = await second.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct);

        Assert.Equal(HttpStatusCode.OK, keptPage.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revokedPage.StatusCode);
        Assert.Single(list.EnumerateArray());
        Assert.True(Directory.EnumerateFiles(Path.Combine(data.Path, "keys"), "key-*.xml").Any());
    }

    private static async Task<HttpResponseMessage> SendWithOriginAsync(HttpClient client, string path, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Origin", origin } } };
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }
}

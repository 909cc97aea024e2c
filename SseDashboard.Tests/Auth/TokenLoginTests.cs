using System.Net;
using System.Text.Json;
using SseDashboard.Auth;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

public sealed class TokenLoginTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/panels/cpu")]
    public async Task Page_WithoutLogin_RedirectsToLogin(string path)
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/sse")]
    [InlineData("/sse?topics=cpu&format=json")]
    [InlineData("/api/embed-tokens")]
    public async Task StreamAndApi_WithoutLogin_Answer401ProblemJson(string path)
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Healthz_WithoutLogin_IsOpen_AndSaysOnlyItsStatus()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task LoginLink_SetsAStrictHttpOnlySessionCookie_AndRedirectsWithoutTheToken()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Auth:SessionLifetime"] = "2.00:00:00" });
        using var client = server.NewClient();

        using var login = await client.GetAsync($"/login?t={DashboardServer.Token}&ReturnUrl=%2Fpanels%2Fcpu", Ct);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/panels/cpu", login.Headers.Location!.OriginalString);
        var cookie = Assert.IsType<string>(SessionCookie(login)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.DoesNotContain("secure", cookie); // plain HTTP: a Secure cookie would never come back
        var expires = DateTimeOffset.Parse(cookie.Split("expires=")[1].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(2));

        using var page = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task LoginLink_ToAnotherSite_StaysOnTheDashboard()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        using var login = await client.GetAsync($"/login?t={DashboardServer.Token}&ReturnUrl=https%3A%2F%2Fevil.example%2F", Ct);

        Assert.Equal("/", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task LoginForm_PostedWithItsAntiforgeryToken_LogsIn_WithoutIt_Is400()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();
        var form = await FormTokenAsync(client, "/login", "form.login-form");

        using var forged = await PostFormAsync(client, "/login", ("token", DashboardServer.Token));
        using var posted = await PostFormAsync(client, "/login", ("token", DashboardServer.Token), ("__RequestVerificationToken", form), ("returnUrl", "/"));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null(SessionCookie(forged));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.NotNull(SessionCookie(posted));
    }

    [Fact]
    public async Task WrongTokens_Are401_AndThe11thFailureWithinAMinuteIs429_EvenForTheRightToken()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        for (var i = 0; i < FailedLogins.PermitLimit; i++)
        {
            using var wrong = await client.GetAsync("/login?t=not-the-token-at-all", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Null(SessionCookie(wrong));
        }

        using var throttled = await client.GetAsync("/login?t=not-the-token-at-all", Ct);
        using var right = await client.GetAsync($"/login?t={DashboardServer.Token}", Ct);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/embed-tokens") { Headers = { { "Authorization", $"Bearer {DashboardServer.Token}" } } };
        using var script = await client.SendAsync(bearer, Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), FailedLogins.Window);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, script.StatusCode);
    }

    [Fact]
    public async Task Bearer_TheToken_ReadsStreamAndApi_AWrongOneIs401WithAChallenge()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-token-wrong-token");

        using var wrong = await client.GetAsync("/api/embed-tokens", Ct);
        await using var stream = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock&format=json");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("clock", (await stream.NextAsync()).EventType);
    }

    [Fact]
    public async Task Logout_RefusesTheSessionFromThenOn_EvenACopyOfItsCookie()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();
        using var login = await client.GetAsync($"/login?t={DashboardServer.Token}", Ct);
        var form = await FormTokenAsync(client, "/", "form[action='/logout']");
        using var copy = server.NewClient();
        copy.DefaultRequestHeaders.Add("Cookie", SessionCookie(login)!.Split(';')[0]);

        using var logout = await PostFormAsync(client, "/logout", ("__RequestVerificationToken", form));
        using var after = await client.GetAsync("/", Ct);
        using var copied = await copy.GetAsync("/api/embed-tokens", Ct);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login", logout.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, copied.StatusCode);
    }

    [Fact]
    public async Task RandomToken_WhenNoneIsConfigured_IsA128BitHexToken_ThatLogsIn()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Auth:Token"] = "" });
        var token = server.GetRequiredService<LoginToken>();
        using var client = server.NewClient();

        using var fixedToken = await client.GetAsync($"/login?t={DashboardServer.Token}", Ct);
        using var random = await client.GetAsync($"/login?t={token.Value}", Ct);

        Assert.True(token.IsRandom);
        Assert.Matches("^[0-9a-f]{32}$", token.Value);
        Assert.Equal(HttpStatusCode.Unauthorized, fixedToken.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, random.StatusCode);
    }

    [Fact]
    public async Task LoginLinkFollowedFromAnotherSite_LandsOnAPageThatMovesOn_SoTheStrictCookieIsSent()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/login?t={DashboardServer.Token}&ReturnUrl=%2Fpanels%2Fcpu")
        {
            Headers = { { "Sec-Fetch-Site", "cross-site" }, { "Sec-Fetch-Mode", "navigate" } },
        };

        using var login = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.NotNull(SessionCookie(login));
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await login.Content.ReadAsStringAsync(Ct));
        Assert.Equal("0;url=/panels/cpu", document.QuerySelector("meta[http-equiv=refresh]")?.GetAttribute("content"));
        Assert.DoesNotContain(DashboardServer.Token, document.DocumentElement.OuterHtml);
    }

    [Fact]
    public async Task ChangingTheConfiguredToken_EndsItsSessions_KeepingItKeepsThem()
    {
        using var data = new TempDirectory();
        string cookie;
        await using (var first = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:DataPath"] = data.Path }))
        {
            using var client = first.NewClient();
            using var login = await client.GetAsync($"/login?t={DashboardServer.Token}", Ct);
            cookie = SessionCookie(login)!.Split(';')[0];
        }

        await using var same = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:DataPath"] = data.Path });
        var kept = await StatusWithCookieAsync(same, cookie);
        await same.DisposeAsync();
        await using var rotated = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:DataPath"] = data.Path,
            ["Dashboard:Auth:Token"] = "a-brand-new-token-0123456789",
        });
        var ended = await StatusWithCookieAsync(rotated, cookie);

        Assert.Equal(HttpStatusCode.OK, kept);
        Assert.Equal(HttpStatusCode.Unauthorized, ended);
    }

    [Fact]
    public async Task RandomTokens_SessionsSurviveARestart_WithTheSameDataPath()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Dashboard:DataPath"] = data.Path, ["Dashboard:Auth:Token"] = "" };
        string cookie;
        await using (var first = await DashboardServer.StartAsync(settings))
        {
            using var client = first.NewClient();
            using var login = await client.GetAsync($"/login?t={first.GetRequiredService<LoginToken>().Value}", Ct);
            cookie = SessionCookie(login)!.Split(';')[0];
        }

        await using var second = await DashboardServer.StartAsync(settings);

        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync(second, cookie));
    }

    private static async Task<HttpStatusCode> StatusWithCookieAsync(DashboardServer server, string cookie)
    {
        using var client = server.NewClient();
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        using var response = await client.GetAsync("/api/embed-tokens", Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task PageHeaders_SayNoSniffAndNoReferrer()
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync("/", Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Theory]
    [InlineData("Token", "short", "Dashboard:Auth:Token must be at least 16 characters")]
    [InlineData("SessionLifetime", "00:00:00", "Dashboard:Auth:SessionLifetime must be between")]
    [InlineData("Proxy:UserHeader", "X Bad", "Dashboard:Auth:Proxy:UserHeader must be an HTTP header name")]
    [InlineData("Proxy:TrustedNetworks:0", "10.0.0.0/33", "Dashboard:Auth:Proxy:TrustedNetworks:0 must be a network in CIDR notation")]
    public async Task BadAuthSetting_StopsStart_NamingTheKey(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { [$"Dashboard:Auth:{key}"] = value }));

        Assert.Contains(message, error.Message);
        Assert.DoesNotContain("test-token", error.Message);
    }
}

using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

/// <summary>OpenIdConnect mode against a real OpenID provider (oidc-provider on loopback).</summary>
public sealed class OpenIdConnectTests(OpenIdProvider provider)
{
    [Fact]
    public async Task Root_RedirectsToTheProvidersAuthorizationEndpoint_WithClientIdPkceAndTheDashboardsCallback()
    {
        await using var server = await DashboardServer.StartAsync(await provider.SettingsAsync("ops"));
        using var browser = server.NewClient();

        using var response = await browser.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(new Uri(await provider.IssuerAsync(), "auth?").ToString(), location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(OpenIdProvider.ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.Equal(new Uri(server.BaseAddress, "/signin-oidc").ToString(), query["redirect_uri"]);
        Assert.Equal(["openid", "profile", "email"], query["scope"].ToString().Split(' '));
    }

    [Fact]
    public async Task AMemberOfAnAllowedGroup_SignsInAndSeesTheDashboard_WithGroupsFromUserinfo_AndLogoutEndsTheSessionAtTheProviderToo()
    {
        await using var server = await DashboardServer.StartAsync(await provider.SettingsAsync("ops"));
        var jar = new CookieContainer();
        using var browser = server.NewClient(jar);

        using (var page = await OpenIdProvider.SignInAsync(browser, "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(new Uri(server.BaseAddress, "/"), page.RequestMessage!.RequestUri);
            Assert.Contains("<span class=\"user\" title=\"Signed in\">alice</span>", await page.Content.ReadAsStringAsync(Ct));
        }

        await using var stream = await SseClient.ConnectAsync(browser, "/sse?topics=clock&format=json");
        var cookie = SessionCookieOf(jar, server);
        var form = await FormTokenAsync(browser, "/", "form[action='/logout']");
        using var logout = await PostFormAsync(browser, "/logout", ("__RequestVerificationToken", form));

        Assert.Equal("""{"reason":"revoked"}""", (await stream.NextOfTypeAsync("close", TimeSpan.FromSeconds(2))).Data);
        // On to the provider's end-session endpoint from a page of the dashboard's own, with the ID token.
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        var leave = new HtmlParser().ParseDocument(await logout.Content.ReadAsStringAsync(Ct)).QuerySelector("a")!.GetAttribute("href")!;
        Assert.StartsWith(new Uri(await provider.IssuerAsync(), "session/end").ToString(), leave);
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(new Uri(leave).Query)["id_token_hint"]), "the ID token goes with the sign-out");
        // A copy of the session's cookie is refused.
        using var copy = server.NewClient();
        copy.DefaultRequestHeaders.Add("Cookie", cookie);
        using var after = await copy.GetAsync("/api/hosts", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task InAHostApp_TheCallbackIsBelowTheMount_AndSigningInLandsOnTheMountedDashboard()
    {
        await using var host = await HostApp.StartAsync(await provider.SettingsAsync("ops"), map: app => app.MapSseDashboard("/ops"));
        using var browser = host.NewClient();

        using (var challenge = await browser.GetAsync("/ops", Ct))
        {
            Assert.Equal(new Uri(host.BaseAddress, "/ops/signin-oidc").ToString(), QueryHelpers.ParseQuery(challenge.Headers.Location!.Query)["redirect_uri"]);
        }

        using var page = await OpenIdProvider.SignInAsync(browser, "alice", "/ops");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("/ops", page.RequestMessage!.RequestUri!.AbsolutePath);
        using var home = await browser.GetAsync("/", Ct);
        Assert.Equal("host home", await home.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ASessionsStream_EndsWithCloseExpired_WhenItsLifetimeIsUp()
    {
        var settings = await provider.SettingsAsync("ops");
        settings["Dashboard:Auth:SessionLifetime"] = "00:00:02";
        await using var server = await DashboardServer.StartAsync(settings);
        using var browser = server.NewClient();
        using (var page = await OpenIdProvider.SignInAsync(browser, "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        await using var stream = await SseClient.ConnectAsync(browser, "/sse?topics=clock");

        Assert.Equal("""{"reason":"expired"}""", (await stream.NextOfTypeAsync("close", TimeSpan.FromSeconds(8))).Data);
    }

    [Fact]
    public async Task AUserOutsideTheAllowedGroups_Gets403_APageSayingSo_WithASignOut()
    {
        await using var server = await DashboardServer.StartAsync(await provider.SettingsAsync("ops"));
        using var browser = server.NewClient();

        using var page = await OpenIdProvider.SignInAsync(browser, "bob");
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var api = await browser.GetAsync("/api/hosts", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        var document = new HtmlParser().ParseDocument(html);
        Assert.Contains("who may not see this dashboard", document.QuerySelector("[role=alert]")!.TextContent);
        Assert.Contains("Your groups: sales.", document.QuerySelector(".login-hint")!.TextContent);
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        var form = document.QuerySelector("form[action='/logout'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var signOut = await PostFormAsync(browser, "/logout", ("__RequestVerificationToken", form));
        Assert.Equal(HttpStatusCode.OK, signOut.StatusCode); // the page that goes on to the provider's end-session
    }

    [Fact]
    public async Task AllowedUsers_LetInByEmail()
    {
        var settings = await provider.SettingsAsync();
        settings["Dashboard:Auth:OpenIdConnect:AllowedUsers:0"] = "BOB@example.test";
        await using var server = await DashboardServer.StartAsync(settings);
        using var browser = server.NewClient();

        using var page = await OpenIdProvider.SignInAsync(browser, "bob");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task AClientCredentialsJwt_ReadsSseAndTheApi_BesideTheStaticToken_AndATamperedOneIs401()
    {
        await using var server = await DashboardServer.StartAsync(await provider.SettingsAsync("ops"));
        var jwt = await provider.ClientCredentialsTokenAsync();
        using var script = server.NewClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);

        await using (var sse = await SseClient.ConnectAsync(script, "/sse?topics=clock&format=json"))
        {
            Assert.Equal("clock", (await sse.NextOfTypeAsync("clock")).EventType);
        }

        using (var api = await script.GetAsync("/api/hosts", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }

        using (var staticToken = await server.Client.GetAsync("/api/hosts", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, staticToken.StatusCode);
        }

        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt[..^4] + (jwt.EndsWith("AAAA") ? "BBBB" : "AAAA"));
        using var tampered = await script.GetAsync("/api/hosts", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Contains("The bearer JWT was refused", await tampered.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task WithNoAudienceConfigured_NoJwtIsTaken()
    {
        var settings = await provider.SettingsAsync("ops");
        settings.Remove("Dashboard:Auth:OpenIdConnect:Audience");
        await using var server = await DashboardServer.StartAsync(settings);
        using var script = server.NewClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await provider.ClientCredentialsTokenAsync());

        using var api = await script.GetAsync("/api/hosts", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task ASessionCookieFromTokenMode_IsRefusedInOpenIdConnectMode_OnTheSameKeys()
    {
        using var data = new TempDirectory();
        string cookie;
        await using (var tokenMode = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:DataPath"] = data.Path }))
        {
            var jar = new CookieContainer();
            using var browser = tokenMode.NewClient(jar);
            using var login = await browser.GetAsync($"/login?t={DashboardServer.Token}", Ct);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            cookie = SessionCookieOf(jar, tokenMode);
        }

        var settings = await provider.SettingsAsync("ops");
        settings["Dashboard:DataPath"] = data.Path;
        await using var server = await DashboardServer.StartAsync(settings);
        using var copy = server.NewClient();
        copy.DefaultRequestHeaders.Add("Cookie", cookie);

        using var page = await copy.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith((await provider.IssuerAsync()).ToString(), page.Headers.Location!.ToString());
    }

    [Fact]
    public async Task AnUnreachableProvider_GetsAPageSayingSo_NotAStackTrace()
    {
        var settings = await provider.SettingsAsync("ops");
        settings["Dashboard:Auth:OpenIdConnect:Authority"] = $"http://127.0.0.1:{ClosedPort()}";
        await using var server = await DashboardServer.StartAsync(settings);
        using var browser = server.NewClient();

        using var page = await OpenIdProvider.FollowAsync(browser, await browser.GetAsync("/", Ct));
        var html = await page.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("cannot be reached now", html);
        Assert.DoesNotContain("Exception", html);
    }

    [Fact]
    public async Task Settings_AreValidatedAtStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Auth:Mode"] = "OpenIdConnect",
            ["Dashboard:Auth:OpenIdConnect:Authority"] = "login.example.com",
        }));

        Assert.Contains("Dashboard:Auth:OpenIdConnect:Authority must be the provider's absolute URL", error.Message);
        Assert.Contains("Dashboard:Auth:OpenIdConnect:ClientId is required", error.Message);
        Assert.Contains("Dashboard:Auth:OpenIdConnect:AllowedUsers or AllowedGroups must name who may look", error.Message);
    }

    /// <summary>The session cookie in <paramref name="jar"/>, as a Cookie header's value.</summary>
    private static string SessionCookieOf(CookieContainer jar, RunningApp server) =>
        $"{SseDashboard.Auth.AuthExtensions.CookieName}={jar.GetCookies(server.BaseAddress)[SseDashboard.Auth.AuthExtensions.CookieName]!.Value}";

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

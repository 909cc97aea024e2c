using System.Net;
using SseDashboard.Auth;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

/// <summary>
/// Behind a TLS-terminating proxy on a trusted network (loopback here), the client and the scheme are the ones the
/// proxy names: throttling counts each client, not the proxy, and the session cookie is Secure.
/// </summary>
public sealed class BehindAProxyTests
{
    [Fact]
    public async Task WrongTokens_AreCountedPerForwardedClient_NotPerProxy()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        for (var i = 0; i < FailedLogins.PermitLimit; i++)
        {
            using var wrong = await LoginFromAsync(client, "203.0.113.5", "not-the-token-at-all");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await LoginFromAsync(client, "203.0.113.5", "not-the-token-at-all");
        using var neighbour = await LoginFromAsync(client, "203.0.113.6", DashboardServer.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, neighbour.StatusCode);
    }

    [Fact]
    public async Task WrongTokens_FromOneIpv6Slash64_CountAsOneClient()
    {
        await using var server = await DashboardServer.StartAsync();
        using var client = server.NewClient();

        for (var i = 1; i <= FailedLogins.PermitLimit; i++)
        {
            using var wrong = await LoginFromAsync(client, $"2001:db8:1:2::{i:x}", "not-the-token-at-all");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var sameNetwork = await LoginFromAsync(client, "2001:db8:1:2:ffff::1", "not-the-token-at-all");
        using var otherNetwork = await LoginFromAsync(client, "2001:db8:1:3::1", "not-the-token-at-all");

        Assert.Equal(HttpStatusCode.TooManyRequests, sameNetwork.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherNetwork.StatusCode);
    }

    [Fact]
    public async Task RightTokens_TakeNoPermit_SoAScriptPollingOftenIsNeverThrottled()
    {
        await using var server = await DashboardServer.StartAsync();

        for (var i = 0; i < 3 * FailedLogins.PermitLimit; i++)
        {
            using var right = await server.Client.GetAsync("/api/embed-tokens", Ct);
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        using var client = server.NewClient();
        for (var i = 0; i < FailedLogins.PermitLimit; i++)
        {
            using var wrong = await client.GetAsync("/login?t=not-the-token-at-all", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
    }

    [Fact]
    public async Task ForwardedHttps_MakesTheSessionCookieSecure_FromATrustedProxyOnly()
    {
        await using var server = await DashboardServer.StartAsync();
        await using var distrusting = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Auth:Proxy:TrustedNetworks:0"] = "10.0.0.0/8" });

        using var trusted = await LoginWithProtoAsync(server);
        using var untrusted = await LoginWithProtoAsync(distrusting);

        Assert.Contains("secure", CookieAttributes(trusted));
        Assert.DoesNotContain("secure", CookieAttributes(untrusted));
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(HttpClient client, string forwardedFor, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/login?t={token}") { Headers = { { "X-Forwarded-For", forwardedFor } } };
        return await client.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> LoginWithProtoAsync(DashboardServer server)
    {
        using var client = server.NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/login?t={DashboardServer.Token}") { Headers = { { "X-Forwarded-Proto", "https" } } };
        return await client.SendAsync(request, Ct);
    }

    private static string[] CookieAttributes(HttpResponseMessage login) =>
        SessionCookie(login)!.ToLowerInvariant().Split(';').Select(p => p.Trim()).ToArray();
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

/// <summary>
/// Proxy mode behind a real nginx, as README's oauth2-proxy setup but with nginx's own basic auth as the login: nginx
/// names the user in <c>X-Forwarded-User</c>, replacing whatever the client sent, and streams pass through unbuffered.
/// </summary>
public sealed class ProxyBehindNginxTests
{
    [Fact]
    public async Task BehindNginx_TheProxysUserIsTheUser_StreamsFlow_AndAForgedHeaderChangesNothing()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Auth:Mode"] = "Proxy",
            ["Dashboard:Clock:Interval"] = "00:00:00.2",
        });
        await using var nginx = await NginxProxy.StartAsync(prefix =>
        {
            File.WriteAllText(Path.Combine(prefix, "htpasswd"), "alice:{PLAIN}wonderland\n");
            return $$"""
                location / {
                    auth_basic "dashboard";
                    auth_basic_user_file {{prefix}}/htpasswd;
                    proxy_set_header X-Forwarded-User $remote_user;
                    proxy_pass {{server.BaseAddress.ToString().TrimEnd('/')}};
                    proxy_http_version 1.1;
                    proxy_buffering off;
                    proxy_read_timeout 1h;
                }
                """;
        });
        using var anonymous = new HttpClient { BaseAddress = nginx.BaseAddress };
        anonymous.DefaultRequestHeaders.Add("X-Forwarded-User", "mallory");
        using var alice = new HttpClient { BaseAddress = nginx.BaseAddress };
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("alice:wonderland")));
        alice.DefaultRequestHeaders.Add("X-Forwarded-User", "mallory");

        using var refused = await anonymous.GetAsync("/", Ct);
        using var page = await alice.GetAsync("/", Ct);
        await using var stream = await SseClient.ConnectAsync(alice, "/sse?topics=clock&format=json");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains(">alice<", html);
        Assert.DoesNotContain("mallory", html);
        var first = await stream.NextAsync();
        var next = await stream.NextAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(("clock", "clock"), (first.EventType, next.EventType));
        Assert.True(long.Parse(next.EventId!) > long.Parse(first.EventId!));
    }
}

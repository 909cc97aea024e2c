using System.Net;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

public sealed class ProxyAndOpenModeTests
{
    private static readonly Dictionary<string, string?> Proxy = new() { ["Dashboard:Auth:Mode"] = "Proxy" };

    [Fact]
    public async Task Proxy_FromLoopbackWithTheUserHeader_IsThatUser_WithoutIt401()
    {
        await using var server = await DashboardServer.StartAsync(Proxy);
        using var alice = server.NewClient();
        alice.DefaultRequestHeaders.Add("X-Forwarded-User", "alice@example.com");
        using var nobody = server.NewClient();

        using var page = await alice.GetAsync("/", Ct);
        await using var stream = await SseClient.ConnectAsync(alice, "/sse?topics=clock");
        using var refused = await nobody.GetAsync("/", Ct);
        using var refusedStream = await nobody.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("alice@example.com", await page.Content.ReadAsStringAsync(Ct));
        Assert.Equal("clock", (await stream.NextAsync()).EventType);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode); // pages answer 401 too: the proxy does the login
        Assert.Equal(HttpStatusCode.Unauthorized, refusedStream.StatusCode);
    }

    [Fact]
    public async Task Proxy_ConfiguredNetworks_ReplaceLoopback_SoALoopbackHeaderIsNotBelieved()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(Proxy)
        {
            ["Dashboard:Auth:Proxy:TrustedNetworks:0"] = "10.0.0.0/8",
        });
        using var client = server.NewClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-User", "mallory");

        using var page = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task Proxy_OtherUserHeader_IsTheOneRead_AndABearerTokenIsNotALogin()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(Proxy)
        {
            ["Dashboard:Auth:Proxy:UserHeader"] = "Remote-User",
        });
        using var client = server.NewClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-User", "mallory");

        using var wrongHeader = await client.GetAsync("/api/embed-tokens", Ct);
        using var bearer = await server.Client.GetAsync("/api/embed-tokens", Ct);
        client.DefaultRequestHeaders.Add("Remote-User", "bob");
        using var rightHeader = await client.GetAsync("/api/embed-tokens", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rightHeader.StatusCode);
    }

    [Fact]
    public async Task None_IsOpenToAll_AndWarnsAtStartNamingTheSetting()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Auth:Mode"] = "None" });
        using var client = server.NewClient();

        using var page = await client.GetAsync("/", Ct);
        await using var stream = await SseClient.ConnectAsync(client, "/sse?topics=clock");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("clock", (await stream.NextAsync()).EventType);
        var logs = Path.Combine(server.Directory, "logs");
        await Eventually.TrueAsync(
            () => Directory.Exists(logs) && Directory.EnumerateFiles(logs).Any(f => ReadShared(f).Contains("Dashboard:Auth:Mode is None", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5),
            "the start-up warning in the log");
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}

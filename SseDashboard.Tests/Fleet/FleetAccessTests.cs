using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Pages;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Fleet;

/// <summary>Two dashboard nodes with data paths of their own on one PostgreSQL: sign-ins and revocations hold on both.</summary>
public sealed class FleetAccessTests(PostgresServer postgres)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ACookieFromOneNodeOpensTheOther_AndALogoutOnOneEndsTheSessionsStreamsOnBoth()
    {
        await using var nodes = await TwoNodesAsync();
        var (a, b) = (nodes.A, nodes.B);
        Assert.NotEqual(nodes.Fixtures[0].DataPath, nodes.Fixtures[1].DataPath);

        // Logged in on A; the same cookie (a browser behind a load balancer) on B. Cookies go by host, not port.
        var jar = new CookieContainer();
        using var browser = a.NewClient(jar);
        using (var login = await browser.GetAsync($"/login?t={DashboardServer.Token}", Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }

        var cookie = $"{SseDashboard.Auth.AuthExtensions.CookieName}={jar.GetCookies(a.BaseAddress)[SseDashboard.Auth.AuthExtensions.CookieName]!.Value}";
        using (var page = await browser.GetAsync(new Uri(b.BaseAddress, "/"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        Assert.False(Directory.Exists(Path.Combine(nodes.Fixtures[0].DataPath, "keys")), "the key ring is in the store, not under the data path");
        await using var onA = await SseClient.ConnectAsync(browser, "/sse?topics=clock&format=json");
        await using var onB = await SseClient.ConnectAsync(browser, new Uri(b.BaseAddress, "/sse?topics=clock&format=json").ToString());
        var form = await FormTokenAsync(browser, "/", "form[action='/logout']");

        using var logout = await PostFormAsync(browser, "/logout", ("__RequestVerificationToken", form));

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("""{"reason":"revoked"}""", (await onA.NextOfTypeAsync("close", Propagation)).Data);
        Assert.Equal("""{"reason":"revoked"}""", (await onB.NextOfTypeAsync("close", Propagation)).Data);
        using var copy = b.NewClient();
        copy.DefaultRequestHeaders.Add("Cookie", cookie);
        using var onBAgain = await copy.GetAsync("/api/hosts", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, onBAgain.StatusCode);
    }

    [Fact]
    public async Task AnEmbedTokenRevokedOnOneNode_IsRefusedOnTheOtherWithinASecond_AndItsStreamThereEnds()
    {
        await using var nodes = await TwoNodesAsync();
        var (a, b) = (nodes.A, nodes.B);
        var token = (await a.CreateEmbedTokenAsync(["clock"])).GetProperty("token").GetString()!;
        var embed = $"/sse?topics=clock&format=json&embed={Uri.EscapeDataString(token)}";
        using var viewer = b.NewClient();
        await using var onB = await SseClient.ConnectAsync(viewer, embed);
        Assert.Equal("clock", (await onB.NextOfTypeAsync("clock")).EventType);

        var revoking = Stopwatch.StartNew();
        using (var revoke = await a.Client.DeleteAsync($"/api/embed-tokens/{(await ListAsync(a)).Single()}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        Assert.Equal("""{"reason":"revoked"}""", (await onB.NextOfTypeAsync("close", Propagation)).Data);
        using var again = await viewer.GetAsync(embed, HttpCompletionOption.ResponseHeadersRead, Ct);
        revoking.Stop();
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains("revoked", await again.Content.ReadAsStringAsync(Ct));
        Assert.True(revoking.Elapsed < Propagation, $"refused on the other node {revoking.ElapsedMilliseconds} ms after the revocation");
    }

    [Fact]
    public async Task TwoNodesIssuingAndRevokingAtOnce_LoseNoneOfEachOthersEntries()
    {
        await using var nodes = await TwoNodesAsync();
        var (a, b) = (nodes.A, nodes.B);
        const int PerNode = 15;

        async Task<List<string>> IssueAsync(DashboardServer node) =>
            [.. await Task.WhenAll(Enumerable.Range(0, PerNode).Select(async _ => (await node.CreateEmbedTokenAsync(["cpu"])).GetProperty("id").GetString()!))];

        var issued = await Task.WhenAll(IssueAsync(a), IssueAsync(b));
        Assert.Equal(Sorted([.. issued[0], .. issued[1]]), Sorted(await ListAsync(b)));

        // Each node revokes the other's first five while both issue more.
        async Task RevokeAsync(DashboardServer node, IEnumerable<string> ids) =>
            await Task.WhenAll(ids.Select(async id =>
            {
                using var response = await node.Client.DeleteAsync($"/api/embed-tokens/{id}", Ct);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }));

        var more = Task.WhenAll(IssueAsync(a), IssueAsync(b));
        await Task.WhenAll(RevokeAsync(a, issued[1].Take(5)), RevokeAsync(b, issued[0].Take(5)));
        var later = await more;

        string[] live = [.. issued[0].Skip(5), .. issued[1].Skip(5), .. later[0], .. later[1]];
        Assert.Equal(Sorted(live), Sorted(await ListAsync(a)));
        Assert.Equal(Sorted(live), Sorted(await ListAsync(b)));
    }

    [Fact]
    public async Task ANodeStartedWhileTheStoreIsDown_RefusesLoginsAndEmbedTokens_SaysSoOnTheLoginPage_AndRecoversByItself()
    {
        await using var own = new PostgresServer();
        using var fixture = Node(await own.CreateDatabaseAsync(), "node-d");
        string embed;
        await using (var before = await fixture.StartAsync())
        {
            embed = $"/sse?topics=clock&embed={Uri.EscapeDataString((await before.CreateEmbedTokenAsync(["clock"])).GetProperty("token").GetString()!)}";
        }

        await own.StopClusterAsync();
        await using var node = await fixture.StartAsync();
        using var browser = node.NewClient();

        using (var login = await browser.GetAsync($"/login?t={DashboardServer.Token}", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
            Assert.Contains(WebUtility.HtmlEncode(LoginModel.StoreDown), await login.Content.ReadAsStringAsync(Ct));
        }

        using (var embedded = await browser.GetAsync(embed, HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            // Not a 401, which the page would take for "signed out": a 503 it retries.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, embedded.StatusCode);
            Assert.Contains("cannot be checked now", await embedded.Content.ReadAsStringAsync(Ct));
        }

        await own.StartClusterAgainAsync();
        await Eventually.TrueAsync(
            async () =>
            {
                using var login = await browser.GetAsync($"/login?t={DashboardServer.Token}", Ct);
                return login.StatusCode == HttpStatusCode.Redirect;
            },
            TimeSpan.FromSeconds(20),
            "a login once the store is back");
        using var page = await browser.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        await using var stream = await SseClient.ConnectAsync(node.NewClient(), embed);
        Assert.Equal("clock", (await stream.NextOfTypeAsync("clock")).EventType);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string[]> ListAsync(DashboardServer node) =>
        (await node.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", Ct)).EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray();

    private static string[] Sorted(IEnumerable<string> ids) => [.. ids.Order(StringComparer.Ordinal)];

    private async Task<TwoNodes> TwoNodesAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var nodes = new TwoNodes([Node(connectionString, "node-a"), Node(connectionString, "node-b")]);
        try
        {
            nodes.A = await nodes.Fixtures[0].StartAsync();
            nodes.B = await nodes.Fixtures[1].StartAsync();
            // Each node refuses sign-ins until it has read the access list (its listener connects after start).
            await Eventually.TrueAsync(
                () => nodes.A.GetRequiredService<SseDashboard.Auth.AccessStore>().IsCurrent && nodes.B.GetRequiredService<SseDashboard.Auth.AccessStore>().IsCurrent,
                TimeSpan.FromSeconds(10),
                "both nodes reading the access list");
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    private static HistoryFixture Node(string connectionString, string host) =>
        new("Postgres", connectionString, new Dictionary<string, string?> { ["Dashboard:HostName"] = host });

    /// <summary>Both nodes, stopped before their directories go.</summary>
    private sealed class TwoNodes(HistoryFixture[] fixtures) : IAsyncDisposable
    {
        public HistoryFixture[] Fixtures => fixtures;

        public DashboardServer A { get; set; } = null!;

        public DashboardServer B { get; set; } = null!;

        public async ValueTask DisposeAsync()
        {
            foreach (var server in new[] { A, B }.OfType<DashboardServer>())
            {
                await server.DisposeAsync();
            }

            foreach (var fixture in fixtures)
            {
                fixture.Dispose();
            }
        }
    }
}

using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>Dashboard:HostName: the rule, and the host every payload carries.</summary>
public sealed class HostNameTests
{
    [Theory]
    [InlineData("web 1")]
    [InlineData("web/1")]
    [InlineData("wéb-1")]
    [InlineData("<b>")]
    [InlineData("a123456789b123456789c123456789d123456789e123456789f123456789g123")]
    public async Task ABadHostName_StopsStartUp_NamingTheKey(string name)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:HostName"] = name }));
        Assert.Contains("Dashboard:HostName must be letters, digits, '.', '-' and '_', at most 63 characters", error.Message);
    }

    [Fact]
    public async Task EveryPayload_CarriesTheHostName_AndHostsFiltersTheStream()
    {
        const string host = "web_1.example-A123456789b123456789c123456789d123456789e12345678";
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = host,
            ["Dashboard:Clock:Interval"] = "00:00:00.05",
            ["Dashboard:Metrics:Interval"] = "00:00:00.05",
            ["Dashboard:Server:Interval"] = "00:00:00.1",
        });
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock,cpu,memory,server&format=json");
        foreach (var topic in new[] { "clock", "cpu", "memory", "server" })
        {
            using var payload = JsonDocument.Parse((await sse.NextOfTypeAsync(topic)).Data);
            Assert.Equal(host, payload.RootElement.GetProperty("host").GetString());
        }

        // Another host's stream gets this node's clock, but none of this host's cpu.
        await using var other = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock,cpu&format=json&hosts=web-2");
        var types = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            types.Add((await other.NextAsync()).EventType!);
        }

        Assert.Equal(["clock", "clock", "clock"], types);
    }

    [Theory]
    [InlineData("web 1")]
    [InlineData("a,b/c")]
    [InlineData(",")]
    public async Task BadHosts_Are400_NamingTheParameter(string hosts)
    {
        await using var server = await DashboardServer.StartAsync();
        var response = await server.Client.GetAsync($"/sse?hosts={Uri.EscapeDataString(hosts)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("hosts", problem.RootElement.GetProperty("parameter").GetString());
    }
}

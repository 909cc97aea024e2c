using SseDashboard.Alerts;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Alerts;

/// <summary>Two dashboard nodes on one PostgreSQL with the same rules: one evaluates, and the other takes over when it goes.</summary>
public sealed class FleetAlertsTests(PostgresServer postgres)
{
    [Fact]
    public async Task OneNotificationPerMatch_NotTwo_TheOtherNodeShowsIt_AndAfterTheEvaluatorGoesTheOtherTakesOverFromTheStoredState()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        using var fixtureA = Node(receiver, connectionString, "node-a");
        using var fixtureB = Node(receiver, connectionString, "node-b");
        var a = await fixtureA.StartAsync();
        await using var b = await fixtureB.StartAsync();
        try
        {
            await Eventually.TrueAsync(() => Leader(a) || Leader(b), TimeSpan.FromSeconds(10), "one node evaluating");
            Assert.False(Leader(a) && Leader(b), "both nodes evaluate");
            var (evaluator, other, otherFixture) = Leader(a) ? (a, b, fixtureB) : (b, a, fixtureA);
            await AlertsTests.AlertsReadyAsync(evaluator);
            var evaluatorFixture = evaluator == a ? fixtureA : fixtureB;

            await using var onOther = await SseClient.ConnectAsync(other.Client, "/sse?topics=alerts&format=json");
            await evaluatorFixture.AppendAsync("WARN payment declined card=4242");
            var first = (await receiver.NextAsync()).Json;
            Assert.Equal("payment declined", first.GetProperty("rule").GetString());
            // The node that does not evaluate shows it too, from the store, and the matches that come while it fires.
            Assert.Equal("firing", (await AlertsTests.NextActiveAsync(onOther, "payment declined")).GetProperty("state").GetString());
            await evaluatorFixture.AppendAsync("WARN payment declined card=4343");
            while ((await AlertsTests.NextActiveAsync(onOther, "payment declined")).GetProperty("matches").GetInt64() < 2)
            {
            }

            // The evaluator goes; the other takes the lead and goes on from the stored state: the alert that fired
            // is not notified again, a new match is, once.
            await evaluator.DisposeAsync();
            await Eventually.TrueAsync(() => Leader(other), TimeSpan.FromSeconds(10), "the other node taking over within 10 s");
            await AlertsTests.AlertsReadyAsync(other);
            await otherFixture.AppendAsync("WARN payment declined card=5555");
            var second = (await receiver.NextAsync()).Json;
            Assert.Equal(other == a ? "node-a" : "node-b", second.GetProperty("host").GetString());
            Assert.Contains("5555", second.GetProperty("lines")[0].GetString());
            await otherFixture.AppendAsync("marker");
            Assert.Equal("marker", (await receiver.NextAsync()).Json.GetProperty("rule").GetString());
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    private static bool Leader(DashboardServer node)
    {
        try
        {
            return node.GetRequiredService<AlertLeader>().IsLeader;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static HistoryFixture Node(WebhookReceiver receiver, string connectionString, string host) =>
        new("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = host,
            ["Dashboard:Alerts:Destinations:hook:Url"] = receiver.Url("/hook"),
            ["Dashboard:Alerts:Rules:0:Name"] = "payment declined",
            ["Dashboard:Alerts:Rules:0:Words"] = "payment declined",
            ["Dashboard:Alerts:Rules:1:Name"] = "marker",
            ["Dashboard:Alerts:Rules:1:Words"] = "marker",
        });
}

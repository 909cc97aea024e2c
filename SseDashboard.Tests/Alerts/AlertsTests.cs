using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Alerts;

/// <summary>Alert rules on one dashboard (SQLite), notifying a real webhook receiver.</summary>
public sealed class AlertsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALogRule_PostsTheMatchingLineWithinFiveSeconds_NamingRuleAndHost_Redacted_AndNothingForLinesThatDoNotMatch()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "payment declined",
            ["Dashboard:Alerts:Rules:0:Words"] = "payment declined",
            ["Dashboard:Alerts:Rules:0:MinLevel"] = "warn",
        });
        await using var server = await fixture.StartAsync();
        await AlertsReadyAsync(server);

        // Below the level, then other words: neither matches; then the one that does.
        await fixture.AppendAsync("INFO payment declined card=1111", "WARN payment accepted card=2222");
        await fixture.AppendAsync("WARN payment declined card=4242 password=hunter2");
        var started = DateTimeOffset.UtcNow;
        var webhook = await receiver.NextAsync(TimeSpan.FromSeconds(5));

        var json = webhook.Json;
        Assert.Equal("payment declined", json.GetProperty("rule").GetString());
        Assert.Equal("Log", json.GetProperty("kind").GetString());
        Assert.Equal("firing", json.GetProperty("state").GetString());
        Assert.Equal("web-1", json.GetProperty("host").GetString());
        var lines = json.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray();
        var line = Assert.Single(lines);
        Assert.StartsWith("WARN payment declined card=4242 password=", line);
        Assert.Equal(1, json.GetProperty("matches").GetInt64());
        Assert.DoesNotContain("hunter2", webhook.Body);
        Assert.DoesNotContain("1111", webhook.Body);
        Assert.DoesNotContain("2222", webhook.Body);
        Assert.EndsWith("/#alert-payment-declined", json.GetProperty("url").GetString());
        Assert.True(json.GetProperty("startsAt").GetDateTimeOffset() >= started.AddSeconds(-5));
    }

    [Fact]
    public async Task AMetricRule_AboveForTwoSeconds_FiresWithinTenSeconds_WithItsValue()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "busy",
            ["Dashboard:Alerts:Rules:0:Kind"] = "Metric",
            ["Dashboard:Alerts:Rules:0:Topic"] = "cpu",
            ["Dashboard:Alerts:Rules:0:Field"] = "systemPercent",
            ["Dashboard:Alerts:Rules:0:Above"] = "-1",
            ["Dashboard:Alerts:Rules:0:For"] = "00:00:02",
        });
        await using var server = await fixture.StartAsync();

        var json = (await receiver.NextAsync(TimeSpan.FromSeconds(10))).Json;

        Assert.Equal("busy", json.GetProperty("rule").GetString());
        Assert.Equal("Metric", json.GetProperty("kind").GetString());
        Assert.Equal("firing", json.GetProperty("state").GetString());
        Assert.True(json.GetProperty("value").GetDouble() >= 0);
        Assert.Contains("cpu.systemPercent", json.GetProperty("summary").GetString());
        // Pending first, for its For: the change history has both (stored after the notification is on its way).
        string[] states = [];
        await Eventually.TrueAsync(
            async () =>
            {
                var changes = await server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?rule=busy", Ct);
                states = [.. changes.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("state").GetString()!)];
                return states.Length == 2;
            },
            TimeSpan.FromSeconds(5),
            "both changes stored");
        Assert.Equal(["firing", "pending"], states);
    }

    [Fact]
    public async Task MatchesWhileFiring_AreGroupedAndSampled_ThenResolveAfterAQuietWindow()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "errors",
            ["Dashboard:Alerts:Rules:0:Words"] = "boom",
            ["Dashboard:Alerts:Rules:0:Window"] = "00:00:03",
            ["Dashboard:Alerts:GroupInterval"] = "00:00:01",
        });
        await using var server = await fixture.StartAsync();
        await AlertsReadyAsync(server);

        await fixture.AppendAsync("boom 0");
        Assert.Equal(1, (await receiver.NextAsync()).Json.GetProperty("matches").GetInt64());
        await fixture.AppendAsync([.. Enumerable.Range(1, 7).Select(i => $"boom {i}")]);

        var grouped = (await receiver.NextAsync()).Json;
        Assert.Equal("firing", grouped.GetProperty("state").GetString());
        Assert.Equal(8, grouped.GetProperty("matches").GetInt64());
        Assert.Equal(["boom 1", "boom 2", "boom 3", "boom 4", "boom 5"], grouped.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray());
        var resolved = (await receiver.NextAsync()).Json;
        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        Assert.True(resolved.GetProperty("endsAt").GetDateTimeOffset() > resolved.GetProperty("startsAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AFiringAlert_NotifiesAgainEveryRepeatInterval()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "busy",
            ["Dashboard:Alerts:Rules:0:Kind"] = "Metric",
            ["Dashboard:Alerts:Rules:0:Topic"] = "memory",
            ["Dashboard:Alerts:Rules:0:Field"] = "usedPercent",
            ["Dashboard:Alerts:Rules:0:Above"] = "-1",
            ["Dashboard:Alerts:Rules:0:For"] = "00:00:00",
            ["Dashboard:Alerts:RepeatInterval"] = "00:00:02",
        });
        await using var server = await fixture.StartAsync();

        var first = (await receiver.NextAsync()).Json;
        var again = (await receiver.NextAsync()).Json;

        Assert.Equal("firing", again.GetProperty("state").GetString());
        Assert.Equal(first.GetProperty("startsAt").GetDateTimeOffset(), again.GetProperty("startsAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task ASilencedRule_NotifiesNothing_StillShowsMarked_AndTheSilenceOutlivesARestart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "quiet",
            ["Dashboard:Alerts:Rules:0:Words"] = "hush",
            ["Dashboard:Alerts:Rules:1:Name"] = "marker",
            ["Dashboard:Alerts:Rules:1:Words"] = "marker",
        });
        string silenceId;
        await using (var server = await fixture.StartAsync())
        {
            await AlertsReadyAsync(server);
            using var created = await server.Client.PostAsJsonAsync("/api/alerts/silences", new { rule = "quiet", duration = "01:00:00" }, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            silenceId = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
            await using var alerts = await SseClient.ConnectAsync(server.Client, "/sse?topics=alerts&format=json");
            await fixture.AppendAsync("hush now");
            var active = await NextActiveAsync(alerts, "quiet");
            Assert.True(active.GetProperty("silenced").GetBoolean());
            Assert.Equal("firing", active.GetProperty("state").GetString());

            // The next notification is the marker's: the silenced rule sent none before it.
            await fixture.AppendAsync("marker one");
            Assert.Equal("marker", (await receiver.NextAsync()).Json.GetProperty("rule").GetString());
        }

        await using var again = await fixture.StartAsync();
        var silences = await again.Client.GetFromJsonAsync<JsonElement>("/api/alerts/silences", Ct);
        Assert.Equal(silenceId, Assert.Single(silences.EnumerateArray().ToArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task ARestartWhileFiring_DoesNotNotifyAgain()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "busy",
            ["Dashboard:Alerts:Rules:0:Kind"] = "Metric",
            ["Dashboard:Alerts:Rules:0:Topic"] = "cpu",
            ["Dashboard:Alerts:Rules:0:Field"] = "systemPercent",
            ["Dashboard:Alerts:Rules:0:Above"] = "-1",
            ["Dashboard:Alerts:Rules:0:For"] = "00:00:00",
            ["Dashboard:Alerts:Rules:1:Name"] = "marker",
            ["Dashboard:Alerts:Rules:1:Words"] = "marker",
        });
        await using (var server = await fixture.StartAsync())
        {
            Assert.Equal("busy", (await receiver.NextAsync()).Json.GetProperty("rule").GetString());
            // Stored after its notification went out: the change recorded means the state was saved before it.
            await Eventually.TrueAsync(
                async () => (await server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?rule=busy&state=firing", Ct)).GetProperty("changes").GetArrayLength() == 1,
                TimeSpan.FromSeconds(5),
                "the firing stored");
        }

        await using var again = await fixture.StartAsync();
        // cpu events evaluated after the restart (the condition holds on), then the marker's line: its notification
        // is the next, so none came for the alert that had fired before.
        await using (var cpu = await SseClient.ConnectAsync(again.Client, "/sse?topics=cpu&format=json"))
        {
            await cpu.NextOfTypeAsync("cpu");
            await cpu.NextOfTypeAsync("cpu");
        }

        await AlertsReadyAsync(again);
        await fixture.AppendAsync("marker");
        Assert.Equal("marker", (await receiver.NextAsync()).Json.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task AFailingDestination_IsRetried_AndItsNotificationArrives()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst = 2;
        using var fixture = Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "retry",
            ["Dashboard:Alerts:Rules:0:Words"] = "again",
        });
        await using var server = await fixture.StartAsync();
        await AlertsReadyAsync(server);

        await fixture.AppendAsync("again and again");
        var webhook = await receiver.NextAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("retry", webhook.Json.GetProperty("rule").GetString());
        Assert.Equal(2, receiver.Refused);
    }

    /// <summary>A dashboard following a log file on SQLite, reporting host web-1, with one Json destination at the receiver.</summary>
    internal static HistoryFixture Fixture(WebhookReceiver receiver, Dictionary<string, string?> settings)
    {
        settings["Dashboard:HostName"] = "web-1";
        settings["Dashboard:Metrics:Interval"] = "00:00:00.1";
        if (!settings.Keys.Any(k => k.StartsWith("Dashboard:Alerts:Destinations:", StringComparison.Ordinal)))
        {
            settings["Dashboard:Alerts:Destinations:hook:Url"] = receiver.Url("/hook");
        }

        return new HistoryFixture("Sqlite", null, settings);
    }

    /// <summary>Waits for the evaluator's first publication: from then on it reads every event.</summary>
    internal static async Task AlertsReadyAsync(DashboardServer server)
    {
        await using var alerts = await SseClient.ConnectAsync(server.Client, "/sse?topics=alerts&format=json");
        await alerts.NextOfTypeAsync("alerts");
    }

    /// <summary>The next <c>alerts</c> event listing <paramref name="rule"/> as active: that entry.</summary>
    internal static async Task<JsonElement> NextActiveAsync(SseClient alerts, string rule)
    {
        while (true)
        {
            var json = JsonDocument.Parse((await alerts.NextOfTypeAsync("alerts")).Data).RootElement;
            if (json.GetProperty("active").EnumerateArray().FirstOrDefault(a => a.GetProperty("rule").GetString() == rule) is { ValueKind: JsonValueKind.Object } active)
            {
                return active;
            }
        }
    }
}

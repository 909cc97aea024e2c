using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>A tailed file with JSON entries and coloured lines, through the stream and the store.</summary>
public sealed class JsonLinesHistoryTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => StoreProviders.All;

    private const string Clef =
        """{"@t":"2026-12-05T10:00:00.1234567Z","@mt":"Order {OrderId} failed","@l":"Error","OrderId":42,"Customer":"acme","@x":"System.InvalidOperationException: boom\n   at Shop.Orders.Charge() in Orders.cs:line 12"}""";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ClefEntry_IsOneEntryOnTheStream_AndFoundByItsFieldsAndException(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await using var server = await fixture.StartAsync();
        await using var stream = await SseClient.ConnectAsync(server.Client, "/sse?format=json&topics=log");
        await fixture.AppendAsync(Clef, "\u001b[33mWARN\u001b[0m \u001b]0;title\u0007disk at 91%", "Order 42 mentioned in plain text");
        await HistoryFixture.StoredLinesAsync(server, l => l.Count == 3);

        var raw = (await stream.NextOfTypeAsync("log")).Data;
        Assert.DoesNotContain("\\u001b", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\u001b', raw);
        var lines = JsonDocument.Parse(raw).RootElement.GetProperty("lines").EnumerateArray().ToArray();
        var entry = lines[0];
        Assert.Equal(("Order 42 failed", "error", "Order {OrderId} failed"), (entry.GetProperty("text").GetString(), entry.GetProperty("level").GetString(), entry.GetProperty("message").GetString()));
        Assert.Equal(42, entry.GetProperty("fields").GetProperty("OrderId").GetInt32());
        Assert.StartsWith("System.InvalidOperationException: boom", entry.GetProperty("exception").GetString());
        Assert.Equal("2026-12-05T10:00:00.123Z", entry.GetProperty("timestamp").GetString());
        Assert.Equal(("WARN disk at 91%", "warn"), (lines[1].GetProperty("text").GetString(), lines[1].GetProperty("level").GetString()));

        // By a field (key=value), by a field's value, by the exception; the plain line mentioning 42 is not OrderId=42.
        Assert.Equal(["Order 42 failed"], await HistoryFixture.TextsAsync(server, "/api/logs?q=OrderId=42"));
        Assert.Equal(["Order 42 failed"], await HistoryFixture.TextsAsync(server, "/api/logs?q=acme"));
        Assert.Equal(["Order 42 failed"], await HistoryFixture.TextsAsync(server, "/api/logs?q=InvalidOperationException"));
        Assert.Equal(["WARN disk at 91%"], await HistoryFixture.TextsAsync(server, "/api/logs?q=disk"));

        // field.KEY=VALUE: exactly that value, a number or text alike; with the words of q beside it.
        Assert.Equal(["Order 42 failed"], await HistoryFixture.TextsAsync(server, "/api/logs?field.OrderId=42"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?field.OrderId=4"));
        Assert.Equal(["Order 42 failed"], await HistoryFixture.TextsAsync(server, "/api/logs?field.Customer=acme&field.OrderId=42&q=failed"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?field.Customer=acme&q=disk"));
        using var nameless = await server.Client.GetAsync("/api/logs?field.=42", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, nameless.StatusCode);

        // level:NAME in q: that level exactly, beside the words.
        Assert.Equal(["Order 42 failed"], await HistoryFixture.TextsAsync(server, "/api/logs?q=level:error"));
        Assert.Equal(["WARN disk at 91%"], await HistoryFixture.TextsAsync(server, "/api/logs?q=disk%20level:warn"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?q=level:error&level=fatal"));
        using var unknown = await server.Client.GetAsync("/api/logs?q=level:loud", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);

        // A boolean, a key with a quote in it, and NULs (which PostgreSQL keeps as U+FFFD): stored, and found.
        await fixture.AppendAsync("""{"msg":"flagged","ok":true,"we\"ird":"x","raw":"a\u0000b"}""", "plain\0nul");
        await HistoryFixture.StoredLinesAsync(server, l => l.Count == 5);
        Assert.Equal(["flagged"], await HistoryFixture.TextsAsync(server, "/api/logs?field.ok=true"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?field.ok=false"));
        Assert.Equal(["flagged"], await HistoryFixture.TextsAsync(server, $"/api/logs?{Uri.EscapeDataString("field.we\"ird")}=x"));

        // The store gives the entry back whole.
        var stored = (await server.Client.GetFromJsonAsync<JsonElement>("/api/logs?q=OrderId=42", TestContext.Current.CancellationToken))
            .GetProperty("lines")[0];
        Assert.Equal(("acme", "2026-12-05T10:00:00.123Z"), (stored.GetProperty("fields").GetProperty("Customer").GetString(), stored.GetProperty("timestamp").GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AStreamResumedAcrossAMultiLineEntry_GetsItWhole_AsOneItem(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await using var server = await fixture.StartAsync();
        var before = await fixture.ReadLineIdAsync(server, "before");

        await fixture.AppendAsync("[ERR] charge failed", "System.InvalidOperationException: boom", "   at Shop.Charge()", "   at Shop.Run()", "[INF] after");
        await HistoryFixture.StoredLinesAsync(server, l => l.Count == 3);

        // Cut off after "before": the resume brings the entry whole, one id, its four lines.
        await using var resumed = await SseClient.ConnectAsync(server.Client, "/sse?format=json&topics=log", lastEventIdHeader: before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (lines, _) = await HistoryFixture.ReadLogAsync(resumed, 2);
        Assert.Equal(["[ERR] charge failed\nSystem.InvalidOperationException: boom\n   at Shop.Charge()\n   at Shop.Run()", "[INF] after"], lines);
    }
}

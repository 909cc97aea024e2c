using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

public sealed record LogFeedLine(string Text, string Level);

/// <summary>A batch of log lines, or a marker (<c>rotated</c>, <c>truncated</c>, <c>missing</c>), or a <c>reset</c>.</summary>
public sealed record LogFeedBatch(string Kind, IReadOnlyList<LogFeedLine> Lines, string? Marker = null);

[JsonSerializable(typeof(LogFeedBatch))]
public sealed partial class LogFeedJsonContext : JsonSerializerContext;

/// <summary>
/// Renders a batch with the log panel's markup contract: sibling <c>div.log-line[data-level]</c> elements, a
/// <c>div.log-marker[data-kind]</c>, or a <c>div.log-reset</c> that tells the page to clear.
/// </summary>
public sealed class LogFeedPanel : ComponentBase
{
    [Parameter] public LogFeedBatch Data { get; set; } = default!;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        switch (Data.Kind)
        {
            case "reset":
                builder.OpenElement(0, "div");
                builder.AddAttribute(1, "class", "log-reset");
                builder.AddAttribute(2, "data-kind", "reset");
                builder.CloseElement();
                break;
            case "lines":
                foreach (var line in Data.Lines)
                {
                    builder.OpenElement(3, "div");
                    builder.AddAttribute(4, "class", "log-line");
                    builder.AddAttribute(5, "data-level", line.Level);
                    builder.AddContent(6, line.Text);
                    builder.CloseElement();
                }

                break;
            default:
                builder.OpenElement(7, "div");
                builder.AddAttribute(8, "class", "log-marker");
                builder.AddAttribute(9, "data-kind", Data.Kind);
                builder.AddContent(10, Data.Marker);
                builder.CloseElement();
                break;
        }
    }
}

/// <summary>
/// Feeds the page's <c>log</c> panel. Until the producers' real <c>log</c> topic is merged this is a test stream topic
/// named <c>log</c> rendering the same markup; switching to the real one changes only this class.
/// </summary>
public sealed class LogFeed(DashboardServer server)
{
    public const string TopicName = "log";

    private readonly Topic<LogFeedBatch> _topic = (Topic<LogFeedBatch>)server.GetRequiredService<IEnumerable<Topic>>()
        .Single(t => t.Name == TopicName);

    public static void Register(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<Topic>(new Topic<LogFeedBatch>(
            TopicName,
            TopicKind.Stream,
            typeof(LogFeedPanel),
            LogFeedJsonContext.Default.LogFeedBatch,
            _ => new LogFeedBatch("reset", [])));

    /// <summary>Starts a dashboard whose hub has the log topic, with these settings.</summary>
    public static async Task<(DashboardServer Server, LogFeed Feed)> StartServerAsync(IDictionary<string, string?>? settings = null)
    {
        var server = await DashboardServer.StartAsync(settings, Register);
        return (server, new LogFeed(server));
    }

    public Task AppendAsync(params string[] lines) =>
        AppendAsync(lines.Select(l => new LogFeedLine(l, "info")).ToArray());

    public async Task AppendAsync(params LogFeedLine[] lines) =>
        await server.GetRequiredService<IEventPublisher>().PublishAsync(_topic, new LogFeedBatch("lines", lines));

    public async Task MarkerAsync(string kind, string text) =>
        await server.GetRequiredService<IEventPublisher>().PublishAsync(_topic, new LogFeedBatch(kind, [], text));

    /// <summary>Publishes what the hub sends a client it cannot resume: the topic's reset.</summary>
    public async Task ResetAsync() =>
        await server.GetRequiredService<IEventPublisher>().PublishAsync(_topic, new LogFeedBatch("reset", []));
}

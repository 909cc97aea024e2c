using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary>What the page and the embeds share: first paint from one hub snapshot, and the URL that resumes right after it.</summary>
public abstract class DashboardPageModel(EventHub hub, IOptions<DashboardOptions> options) : PageModel
{
    public string Title { get; private set; } = "SseDashboard";

    /// <summary><c>light</c> or <c>dark</c> when asked for with <c>?theme=</c>; otherwise the reader's <c>prefers-color-scheme</c>.</summary>
    public string? Theme { get; private set; }

    public bool Embedded { get; protected init; }

    public string ConnectUrl { get; private set; } = "";

    public IReadOnlyList<PanelView> Panels { get; private set; } = [];

    protected EventHub Hub => hub;

    protected async Task<IActionResult> RenderAsync(IReadOnlyCollection<Topic> topics, string title, bool allTopics)
    {
        var theme = Request.Query["theme"].ToString();
        if (theme.Length > 0 && theme is not ("light" or "dark"))
        {
            return BadRequest($"theme must be 'light' or 'dark' (was '{theme}').");
        }

        Theme = theme.Length > 0 ? theme : null;
        Title = title;

        // The panels and the connect URL come from one atomic snapshot: the stream resumes exactly after what is painted.
        var snapshot = await hub.SnapshotAsync(topics, HttpContext.RequestAborted);
        var lastEventId = snapshot.LastEventId.ToString(CultureInfo.InvariantCulture);
        var query = allTopics
            ? $"?lastEventId={lastEventId}"
            : $"?topics={Uri.EscapeDataString(string.Join(',', topics.Select(t => t.Name)))}&lastEventId={lastEventId}";
        ConnectUrl = Url.Content("~/sse") + query;

        var maxLogLines = options.Value.Ui.MaxLogLines;
        Panels = topics.Select(t => new PanelView(t, NewestLines(snapshot.Events[t.Name], maxLogLines), maxLogLines)).ToArray();
        return Page();
    }

    /// <summary>
    /// The newest events that together hold at least <paramref name="maxLines"/> lines (a batch can carry hundreds):
    /// anything older would be trimmed by the page as soon as it loaded.
    /// </summary>
    private static SseEvent[] NewestLines(IReadOnlyList<SseEvent> events, int maxLines)
    {
        var start = events.Count;
        for (var lines = 0; start > 0 && lines < maxLines; start--)
        {
            lines += events[start - 1].Payload is LogBatch { Lines.Count: > 0 } batch ? batch.Lines.Count : 1;
        }

        return events.Skip(start).ToArray();
    }
}

/// <summary>One panel's first paint: its topic and the events retained for it (state: the newest; stream: the ring).</summary>
public sealed record PanelView(Topic Topic, IReadOnlyList<SseEvent> Events, int MaxLogLines)
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["clock"] = "Clock",
        ["cpu"] = "CPU",
        ["memory"] = "Memory",
        ["log"] = "Log",
    };

    public string Title => Titles.GetValueOrDefault(Topic.Name, Topic.Name);

    public bool IsStream => Topic.Kind == TopicKind.Stream;

    /// <summary>The panel component's parameters: the payload, and the event id where the panel declares one.</summary>
    public IDictionary<string, object?> Parameters(SseEvent e)
    {
        var parameters = new Dictionary<string, object?> { ["Data"] = e.Payload };
        if (Topic.PanelType.GetProperty("EventId", BindingFlags.Public | BindingFlags.Instance) is not null)
        {
            parameters["EventId"] = e.Id;
        }

        return parameters;
    }
}

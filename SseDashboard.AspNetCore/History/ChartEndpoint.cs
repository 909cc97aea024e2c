using System.Globalization;
using Microsoft.Extensions.Options;
using SseDashboard.Mount;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>
/// <c>GET /panels/{topic}/chart?range=1h</c> (or <c>from</c> and <c>to</c>): a panel's stored history as an HTML
/// fragment of SVG charts, drawn from the same <see cref="MetricSeries"/> as <c>/api/history/{topic}</c>.
/// </summary>
public static class ChartEndpoint
{
    /// <summary>About one point per unit of the plot's width: more would not show, and would only add bytes.</summary>
    public const int MaxPoints = 300;

    public static IEndpointRouteBuilder MapCharts(this IEndpointRouteBuilder app)
    {
        app.MapGet("/panels/{topic}/chart", GetChartAsync);
        return app;
    }

    private static async Task<IResult> GetChartAsync(
        string topic, HttpRequest request, HistoryStore store, PanelHistory history, PanelRenderer panels, IStreamAccess access,
        IOptions<HistoryOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // An embed token reaches /panels/*: the picker is not offered there, and its grant is the live panel only.
        if (access.AllowedTopics(request.HttpContext) is not null)
        {
            return TypedResults.Problem(
                title: "Not allowed", detail: "An embed token shows a panel live; its history needs a login.", statusCode: StatusCodes.Status403Forbidden);
        }

        if (history.ChartOf(topic) is not { } chart)
        {
            return HistoryApi.NoHistory(history, topic);
        }

        var now = timeProvider.GetUtcNow();
        var rangeName = request.Query["range"].ToString();
        string caption;
        string? refreshUrl = null;
        DateTimeOffset from, to;
        if (request.Query.ContainsKey("from") || request.Query.ContainsKey("to"))
        {
            if (rangeName.Length > 0)
            {
                return HistoryApi.Problem("range", "Send range, or from and to, not both.");
            }

            if (HistoryApi.ParseRange(request, now, TimeSpan.FromHours(1), out from, out to) is { } problem)
            {
                return problem;
            }

            rangeName = "custom";
            caption = $"{from.UtcDateTime:yyyy-MM-dd HH:mm} to {to.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        }
        else
        {
            var names = ChartRange.Stored.Select(r => r.Name).ToArray();
            if (ChartRange.Stored.FirstOrDefault(r => r.Name == (rangeName.Length == 0 ? "1h" : rangeName)) is not { } range)
            {
                return HistoryApi.Problem("range", $"Unknown range '{rangeName}'. Valid ranges: {string.Join(", ", names)} (or from and to).", names);
            }

            (from, to, rangeName) = (now - range.Span, now, range.Name);
            caption = $"Last {range.Label}, times in UTC";
            refreshUrl = $"{request.HttpContext.RequestServices.GetRequiredService<DashboardMount>().Url(request, $"/panels/{Uri.EscapeDataString(topic)}/chart")}?range={range.Name}";
        }

        // A host page's charts are that host's; with no host, every host's samples together (one host, outside a fleet).
        if (SseRequest.ParseHost(request.Query["host"], out var host) is { } hostProblem)
        {
            return hostProblem;
        }

        if (host is not null && refreshUrl is not null)
        {
            refreshUrl += $"&host={Uri.EscapeDataString(host)}";
        }

        var series = await MetricSeries.ReadAsync(store, topic, host, from, to, options.Value.MetricsRetention, now, MaxPoints, cancellationToken);
        var html = await panels.RenderComponentAsync<HistoryChart>(new Dictionary<string, object?>
        {
            [nameof(HistoryChart.Series)] = series,
            [nameof(HistoryChart.Chart)] = chart,
            [nameof(HistoryChart.Range)] = rangeName,
            [nameof(HistoryChart.Caption)] = $"{caption} · a point per {Duration(series.BucketSeconds)}: the line its average, the band its min–max",
            [nameof(HistoryChart.RefreshUrl)] = refreshUrl,
            // A chart that ends now is redrawn about when a new point is due, at most twice a minute.
            [nameof(HistoryChart.RefreshSeconds)] = Math.Max(30, series.BucketSeconds),
        });
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static string Duration(int seconds) => seconds switch
    {
        < 60 => $"{seconds} s",
        < 3600 when seconds % 60 == 0 => $"{seconds / 60} min",
        _ when seconds % 3600 == 0 => $"{seconds / 3600} h",
        _ => $"{(seconds / 60.0).ToString("0.#", CultureInfo.InvariantCulture)} min",
    };
}

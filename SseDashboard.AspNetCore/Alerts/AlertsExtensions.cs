using Microsoft.Extensions.Http.Resilience;
using SseDashboard.History;
using SseDashboard.Panels;

namespace SseDashboard.Alerts;

public static class AlertsExtensions
{
    /// <summary>
    /// <c>Dashboard:Alerts</c>: rules on the events the panels show, evaluated on one node, notifying webhooks through
    /// a resilient HTTP client; the <c>alerts</c> topic and panel, and their state in the history store. Only with rules.
    /// </summary>
    public static WebApplicationBuilder AddAlerts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<AlertsOptions, ValidateAlertsOptions>(AlertsOptions.Section);
        services.AddPanel<AlertsPanel, AlertsUpdate>(AlertTopics.Alerts);
        services.AddSingleton(sp => new AlertStore(sp.GetService<HistoryStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AlertLeader(sp.GetService<HistoryStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertLeader>>()));
        services.AddSingleton<AlertLinks>();
        services.AddSingleton<AlertNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertNotifier>());
        services.AddSingleton<AlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        services.AddHostedService<AlertFollower>();
        // Each destination's host its own pipeline: one failing destination never opens the circuit for another.
        // No request logging: a webhook's URL is its secret (Slack's and Discord's key is in the path), and the app's
        // log is tailed onto the dashboard.
        services.AddHttpClient(AlertNotifier.HttpClientName)
            .RemoveAllLoggers()
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
                resilience.Retry.MaxRetryAttempts = 4;
                resilience.Retry.Delay = TimeSpan.FromSeconds(1);
                resilience.Retry.UseJitter = true;
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(1);
            })
            .SelectPipelineByAuthority();
        return builder;
    }

    /// <summary>Whether any rule is configured: without one there is nothing to evaluate or show.</summary>
    public static bool HasRules(WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(AlertsOptions.Section + ":Rules").GetChildren().Any();

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<AlertEvaluator>() is not null)
        {
            app.MapAlertsApi();
        }

        return app;
    }
}

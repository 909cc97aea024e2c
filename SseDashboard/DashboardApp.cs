using Microsoft.Extensions.Options;
using Serilog;
using SseDashboard.AppLog;
using SseDashboard.Auth;
using SseDashboard.Clock;
using SseDashboard.Fleet;
using SseDashboard.History;
using SseDashboard.Logging;
using SseDashboard.LogTail;
using SseDashboard.Meters;
using SseDashboard.Metrics;
using SseDashboard.Pages;
using SseDashboard.Server;
using SseDashboard.Streaming;
using SseDashboard.Telemetry;

namespace SseDashboard;

/// <summary>Builds and runs the dashboard; the table of contents of the app.</summary>
public static class DashboardApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // The library's front-end files from its build's static web assets in any environment, as in Development
        // (a build run as it is); a published app has them in its wwwroot.
        builder.WebHost.UseStaticWebAssets();

        // Metrics and traces over OTLP when the OTEL_* variables ask for them; Serilog, and one line per request. Every
        // setting read here is read before the logger opens its file, so a bad one leaves nothing open.
        builder.AddTelemetry();
        var meters = builder.Configuration.GetValue(MetersOptions.Section + ":Enabled", false);
        var appLog = builder.Configuration.GetValue(AppLogOptions.Section + ":Enabled", false);
        builder.AddDashboardLogging();

        // The hub and its /sse endpoint: knows topics, not panels.
        builder.AddStreaming();

        // Every published event stored (SQLite, PostgreSQL or none): ids go on across restarts, and the history API.
        builder.AddHistory();

        // Which host this process reports; with PostgreSQL, one of a fleet's dashboard nodes or agents.
        builder.AddFleet();
        if (FleetExtensions.RoleOf(builder) == NodeRole.Agent)
        {
            return CreateAgent(builder);
        }

        // The panels: each registers its topics, its panel and its producer.
        builder.AddClock();
        builder.AddMetrics();
        builder.AddLogTail();
        builder.AddServerPanel();

        // The app's own log entries in-process, when Dashboard:AppLog:Enabled says so (it tails its own file by default).
        if (appLog)
        {
            builder.AddAppLog();
        }

        // The app's own instruments in-process (what dotnet-counters shows), when Dashboard:Meters:Enabled says so.
        if (meters)
        {
            builder.AddMeters();
        }

        // Who may look: login token, proxy users or none; embed tokens; who may stream what.
        builder.AddDashboardAuth();

        // The page, the embeddable panels and their front-end files.
        builder.AddPages();

        var app = builder.Build();

        app.UseRequestLogging();
        app.UsePages();
        app.UseDashboardAuth();
        app.MapStreaming();
        app.MapAuth();
        app.MapHistory();
        app.MapFleet();
        app.MapPages();
        return app;
    }

    // An agent: this host's metrics and log tail into the fleet's store, and /healthz; no UI, no streams.
    private static WebApplication CreateAgent(WebApplicationBuilder builder)
    {
        builder.AddMetrics();
        builder.AddLogTail();
        var app = builder.Build();
        app.UseRequestLogging();
        app.MapAgent();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Create(args);
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (SettingsProblems(ex) is { } problems)
        {
            // A bad setting: say which key and why in one line, not a stack trace.
            Console.Error.WriteLine($"SseDashboard failed to start: {problems}");
            return 1;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"SseDashboard failed to start: {ex}");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    // Each feature validates its own section at start: one failing section throws its OptionsValidationException,
    // several throw them together in an AggregateException. A value of the wrong type fails in the binder, which
    // names the key in its message. Anything else is a bug and keeps its stack trace.
    private static string? SettingsProblems(Exception ex) => ex switch
    {
        OptionsValidationException options => options.Message,
        HistorySchemaException schema => schema.Message,
        AggregateException { InnerExceptions: var inner } when inner.All(e => e is OptionsValidationException) =>
            string.Join("; ", inner.Select(e => e.Message)),
        InvalidOperationException { Message: var message } when message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            message,
        _ => null,
    };
}

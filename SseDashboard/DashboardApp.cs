using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Serilog;
using SseDashboard.AppLog;
using SseDashboard.Auth;
using SseDashboard.Fleet;
using SseDashboard.History;
using SseDashboard.Logging;
using SseDashboard.LogTail;
using SseDashboard.Meters;
using SseDashboard.Metrics;
using SseDashboard.Pages;
using SseDashboard.Streaming;
using SseDashboard.Telemetry;

namespace SseDashboard;

/// <summary>Builds and runs the dashboard; the table of contents of the app.</summary>
public static class DashboardApp
{
    /// <summary>
    /// Where the standalone app's defaults differ from a host's: its own login, its own log file tailed, and what an
    /// open stream keeps, since its pipeline is the dashboard's own.
    /// </summary>
    private static readonly Dictionary<string, string?> StandaloneDefaults = new()
    {
        [AuthOptions.Section + ":Mode"] = nameof(AuthMode.Token),
        [AppLogOptions.Section + ":Enabled"] = "false",
        [MetersOptions.Section + ":Enabled"] = "false",
        [SseOptions.Section + ":ReleaseRequestServices"] = "true",
        // The hosting's per-request log scope and activity live as long as a stream (about 0.5 KB together), for log
        // properties (RequestId, RequestPath, trace ids) no sink here writes; tracing over OTLP still makes activities.
        // Serilog's own rule (its provider takes every level) is the one to override.
        ["Logging:Serilog:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
    };

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Below every other source: appsettings, the environment and the command line all override them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = StandaloneDefaults });
        configure?.Invoke(builder);

        // Metrics and traces over OTLP when the OTEL_* variables ask for them; Serilog, and one line per request. Every
        // setting read here is read before the logger opens its file, so a bad one leaves nothing open.
        builder.AddTelemetry();
        builder.AddDashboardLogging();

        // Kestrel tuned for thousands of long streams: this process serves little else.
        builder.AddStreamingTransport();
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddSseDashboardChecks();

        // With PostgreSQL, one of a fleet's dashboard nodes or agents.
        if (FleetExtensions.RoleOf(builder) == NodeRole.Agent)
        {
            return CreateAgent(builder);
        }

        if (builder.Configuration.GetValue(AuthOptions.Section + ":Mode", AuthMode.Token) == AuthMode.Host)
        {
            // Host mode trusts a host app's own sign-in, which this app does not have: anyone would be let in.
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions),
                ["Dashboard:Auth:Mode: Host is for the dashboard inside a host app, whose own sign-in says who is signed in; this app takes Token, Proxy or None."]);
        }

        // The dashboard as a host app would have it, with the whole server its own: keys under the data path, its
        // login as the default scheme, cross-origin embeds, forwarded headers from a trusted proxy.
        builder.AddSseDashboard();
        builder.AddStandaloneAuth();

        var app = builder.Build();

        app.UseRequestLogging();
        app.UsePages();
        app.UseDashboardAuth();
        app.MapSseDashboard();
        return app;
    }

    // An agent: this host's metrics and log tail into the fleet's store, and /healthz; no UI, no streams.
    private static WebApplication CreateAgent(WebApplicationBuilder builder)
    {
        builder.AddStreaming();
        builder.AddHistory();
        builder.AddFleet();
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

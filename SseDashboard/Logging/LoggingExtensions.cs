using Serilog;
using Serilog.Events;

namespace SseDashboard.Logging;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog (Serilog.AspNetCore) from the <c>Serilog</c> section: console and a rolling file under <c>logs/</c>.
    /// The logger is this app's own, not the static <see cref="Log.Logger"/>, so apps in one process keep their files apart.
    /// </summary>
    public static WebApplicationBuilder AddDashboardLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog(
            (services, logger) => logger.ReadFrom.Configuration(builder.Configuration),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>One line per request as it ends (Serilog's request logging), at Debug for <c>/sse</c> and <c>/healthz</c>.</summary>
    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.GetLevel = LevelOf;
        });
        return app;
    }

    // Path first: a storm of refused streams (503 past MaxConnections) or failing probes must not flood the tailed log.
    // A refusal the app chose (503 at capacity, 429 throttled) is not a fault: Information, not Error.
    internal static LogEventLevel LevelOf(HttpContext context, double elapsedMs, Exception? exception) =>
        context.Request.Path.StartsWithSegments("/sse") || context.Request.Path.StartsWithSegments("/healthz") ? LogEventLevel.Debug
        : exception is not null ? LogEventLevel.Error
        : context.Response.StatusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests ? LogEventLevel.Information
        : context.Response.StatusCode >= 500 ? LogEventLevel.Error
        : LogEventLevel.Information;
}

using Serilog;

namespace SseDashboard.Logging;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog from the <c>Serilog</c> section (console and a rolling file under <c>logs/</c>), built from the
    /// packages Serilog.AspNetCore is made of; requests are logged one line each by <see cref="RequestLoggingMiddleware"/>.
    /// </summary>
    public static WebApplicationBuilder AddDashboardLogging(this WebApplicationBuilder builder)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .CreateLogger();

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);

        return builder;
    }

    /// <summary>One line per request, at Debug for <c>/sse</c> and <c>/healthz</c>.</summary>
    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.UseMiddleware<RequestLoggingMiddleware>();
        return app;
    }
}

using Microsoft.AspNetCore.HttpLogging;
using Serilog;

namespace SseDashboard.Logging;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog from the <c>Serilog</c> section (console and a rolling file under <c>logs/</c>), built from the
    /// packages Serilog.AspNetCore is made of, plus ASP.NET Core's own HTTP logging for requests.
    /// </summary>
    public static WebApplicationBuilder AddDashboardLogging(this WebApplicationBuilder builder)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .CreateLogger();

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);

        builder.Services.AddHttpLogging(options =>
        {
            // Never log bodies: an SSE response body is endless.
            options.LoggingFields = HttpLoggingFields.RequestPropertiesAndHeaders
                | HttpLoggingFields.ResponseStatusCode
                | HttpLoggingFields.Duration;
            options.CombineLogs = true;
        });
        return builder;
    }
}

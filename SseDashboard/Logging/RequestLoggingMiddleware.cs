using System.Diagnostics;

namespace SseDashboard.Logging;

/// <summary>
/// One line per request when it ends: method, path, status, duration, as Serilog.AspNetCore's request logging writes
/// it (written here because that package cannot be restored where this builds). Streams and health probes log at
/// Debug: at the default level a reconnect storm adds nothing to the log the dashboard tails.
/// </summary>
public sealed partial class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            var failed = context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            LogRequest(logger, LogLevel.Error, ex, context.Request.Method, context.Request.Path, failed, Elapsed(started));
            throw;
        }

        var status = context.Response.StatusCode;
        LogRequest(logger, LevelOf(context.Request.Path, status), null, context.Request.Method, context.Request.Path, status, Elapsed(started));
    }

    // Path first: a storm of refused streams (503 past MaxConnections) or failing probes must not flood the tailed log.
    private static LogLevel LevelOf(PathString path, int status) =>
        path.StartsWithSegments("/sse") || path.StartsWithSegments("/healthz") ? LogLevel.Debug
        : status >= 500 ? LogLevel.Error
        : LogLevel.Information;

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms")]
    private static partial void LogRequest(ILogger logger, LogLevel level, Exception? exception, string requestMethod, string requestPath, int statusCode, double elapsed);
}

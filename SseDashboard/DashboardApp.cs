using Serilog;
using SseDashboard.Logging;
using SseDashboard.Pages;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard;

/// <summary>Builds and runs the dashboard; the table of contents of the app.</summary>
public static class DashboardApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // Options (validated at start), Serilog, HTTP request logging.
        builder.AddDashboardOptions();
        builder.AddDashboardLogging();

        // The hub, its SSE endpoint and the panels that render its events.
        builder.AddDashboardStreaming();

        // Background producers publishing into the hub.
        builder.AddDashboardProducers();

        // The page, the embeddable panels and their front-end files.
        builder.AddDashboardPages();

        var app = builder.Build();

        app.UseHttpLogging();
        app.MapDashboardStreaming();
        app.MapDashboardPages();
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
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Options validation failures land here: say what is wrong in one line, not a stack trace.
            Console.Error.WriteLine($"SseDashboard failed to start: {ex.Message}");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}

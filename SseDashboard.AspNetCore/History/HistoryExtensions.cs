using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.History;

public static class HistoryExtensions
{
    /// <summary>
    /// <c>Dashboard:Store</c>: the store every published event is written to (SQLite by default, PostgreSQL, or none),
    /// its writer, retention, health, the history API and the panels' charts. Registered before the producers, so at
    /// shutdown the writer stops after them and stores what they published last.
    /// </summary>
    public static WebApplicationBuilder AddHistory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<HistoryOptions, ValidateHistoryOptions>(HistoryOptions.Section);
        var provider = builder.Configuration.GetValue(HistoryOptions.Section + ":Provider", StoreProvider.Sqlite);
        services.AddSingleton(sp => new HistoryStatus(
            sp.GetRequiredService<IOptions<HistoryOptions>>().Value.Provider, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HistoryStatus>>()));
        if (provider == StoreProvider.None)
        {
            return builder;
        }

        services.AddSingleton<HistoryStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<HistoryOptions>>().Value;
            return options.Provider switch
            {
                StoreProvider.Postgres => new PostgresHistoryStore(options.ConnectionString!),
                _ => new SqliteHistoryStore(options.ConnectionString is { Length: > 0 } configured
                    ? configured
                    : $"Data Source={sp.GetRequiredService<IOptions<DataOptions>>().Value.Resolve("dashboard.db")}"),
            };
        });
        services.AddSingleton<HistoryWriter>();
        services.AddSingleton<IEventHistory>(sp => sp.GetRequiredService<HistoryWriter>());
        services.AddSingleton<IFilePositions>(sp => sp.GetRequiredService<HistoryWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<HistoryWriter>());
        services.AddHostedService<RetentionService>();
        // The page's range pickers, log scroll-back and search: only with a store to read them from.
        services.AddSingleton<PanelHistory>();
        return builder;
    }

    /// <summary>The store's health check (its writes succeed; always with no store): see <c>AddStreamingCheck</c>.</summary>
    public static IHealthChecksBuilder AddHistoryCheck(this IHealthChecksBuilder checks) =>
        checks.AddCheck<HistoryHealthCheck>("history", tags: [StreamingExtensions.HealthTag]);

    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<HistoryStore>() is not null)
        {
            app.MapHistoryApi();
            app.MapCharts();
        }

        return app;
    }
}

/// <summary>Applies <c>Dashboard:Store</c>'s retention every <c>TrimInterval</c>, in the background.</summary>
public sealed class RetentionService(
    HistoryStore store, HistoryStatus status, IOptions<HistoryOptions> options, TimeProvider timeProvider, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.TrimInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = timeProvider.GetUtcNow();
            try
            {
                var removed = await store.TrimAsync(
                    new Retention(
                        (now - o.MetricsRetention).ToUnixTimeMilliseconds(),
                        (now - o.DownsampledRetention).ToUnixTimeMilliseconds(),
                        (now - o.LogRetention).ToUnixTimeMilliseconds(),
                        o.MaxLogLines),
                    stoppingToken);
                logger.LogDebug("Retention removed {Rows} rows", removed);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                status.Failed("apply retention", ex);
            }
        }
    }
}


using Microsoft.Extensions.DependencyInjection.Extensions;
using SseDashboard.LogTail;

namespace SseDashboard.AppLog;

public static class AppLogExtensions
{
    /// <summary>
    /// The app's own log entries in the <c>log</c> topic (<c>Dashboard:AppLog</c>): a logger provider beside the app's
    /// others, and the publisher that sends what it takes. Needs the <c>log</c> topic (<c>AddLogTail()</c>).
    /// </summary>
    public static WebApplicationBuilder AddAppLog(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<AppLogOptions, ValidateAppLogOptions>(AppLogOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AppLogQueue>(_ => new AppLogQueue());
        services.TryAddSingleton<LogRedactor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, AppLogProvider>());
        // Every level reaches the provider, which applies Dashboard:AppLog:MinimumLevel itself (the app's own default
        // filter, Information, would otherwise hide Debug from it).
        builder.Logging.AddFilter<AppLogProvider>(null, LogLevel.Trace);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AppLogPublisher>());
        return builder;
    }
}

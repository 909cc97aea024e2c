using Microsoft.Extensions.DependencyInjection.Extensions;
using SseDashboard.Panels;
using SseDashboard.Producers;

namespace SseDashboard.LogTail;

public static class LogTailExtensions
{
    /// <summary>The <c>log</c> topic and panel, the file follower and <c>Dashboard:LogTail</c>.</summary>
    public static WebApplicationBuilder AddLogTail(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<LogTailOptions, ValidateLogTailOptions>(LogTailOptions.Section);
        services.AddSingleton<LogRedactor>();
        services.TryAddSingleton<IFilePositions, NoFilePositions>();
        // A batch counts its lines toward the page's line cap; on a first paint each line carries its id.
        services.AddPanel<LogPanel, LogBatch>(LogTailTopics.Log, countLines: batch => batch.Lines.Count, withEventId: (batch, id) => batch with { EventId = id });
        services.AddProducerDefaults();
        services.AddHostedService<LogTailProducer>();
        return builder;
    }
}

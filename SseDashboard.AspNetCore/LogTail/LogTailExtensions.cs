using Microsoft.Extensions.DependencyInjection.Extensions;
using SseDashboard.Panels;
using SseDashboard.Producers;

namespace SseDashboard.LogTail;

public static class LogTailExtensions
{
    /// <summary>The <c>log</c> topic and panel, the file follower and <c>Dashboard:LogTail</c>.</summary>
    public static WebApplicationBuilder AddLogTail(this WebApplicationBuilder builder) => builder.AddLogTopic().AddLogFollower();

    /// <summary>The <c>log</c> topic and panel, and <c>Dashboard:LogTail</c>'s limits and redaction, whoever publishes into it.</summary>
    public static WebApplicationBuilder AddLogTopic(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<LogTailOptions, ValidateLogTailOptions>(LogTailOptions.Section);
        services.AddSingleton<LogRedactor>();
        services.TryAddSingleton<IFilePositions, NoFilePositions>();
        // A batch counts its lines toward the page's line cap; on a first paint each line carries its id.
        services.AddPanel<LogPanel, LogBatch>(LogTailTopics.Log, countLines: batch => batch.Lines.Count, withEventId: (batch, id) => batch with { EventId = id });
        return builder;
    }

    /// <summary>The files of <c>Dashboard:LogTail:Paths</c> followed like <c>tail -F</c> into the <c>log</c> topic.</summary>
    public static WebApplicationBuilder AddLogFollower(this WebApplicationBuilder builder)
    {
        builder.Services.AddProducerDefaults();
        builder.Services.AddHostedService<LogTailProducer>();
        return builder;
    }
}

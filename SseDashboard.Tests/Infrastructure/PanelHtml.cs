using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>Panels as the hub renders them, through a <see cref="PanelRenderer"/> of these templates, read back as DOM.</summary>
public sealed class PanelHtml : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly RendererScope _scope;
    private readonly PanelRenderer _renderer;

    public PanelHtml(params PanelTemplate[] templates)
    {
        _scope = new RendererScope(_services.GetRequiredService<IServiceScopeFactory>());
        _renderer = new PanelRenderer(templates, _scope, NullLoggerFactory.Instance);
    }

    /// <summary>The body of a document holding the fragment the panel renders for <paramref name="payload"/>.</summary>
    public async Task<IElement> RenderAsync<T>(Topic<T> topic, T payload) where T : notnull
    {
        var html = await _renderer.RenderHtmlAsync(topic, payload);
        var document = new HtmlParser().ParseDocument($"<html><body>{html}</body></html>");
        return document.Body!;
    }

    public async ValueTask DisposeAsync()
    {
        _scope.Dispose();
        await _services.DisposeAsync();
    }
}

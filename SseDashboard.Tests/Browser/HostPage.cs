using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SseDashboard.Tests.Browser;

/// <summary>
/// An "internal tool" on another origin (its own Kestrel on 127.0.0.1:0): a page that frames a dashboard panel, and
/// one that reads <c>/sse</c> directly with EventSource.
/// </summary>
public sealed class HostPage : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HostPage(WebApplication app)
    {
        _app = app;
        Origin = new Uri(app.Urls.First()).GetLeftPart(UriPartial.Authority);
    }

    /// <summary>Scheme, host and port, as a browser names this page's origin.</summary>
    public string Origin { get; }

    public static async Task<HostPage> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/frame", (string src) => Results.Content(
            $"<!DOCTYPE html><title>tool</title><iframe id=\"embed\" src=\"{HtmlEncoder.Default.Encode(src)}\" width=\"480\" height=\"320\"></iframe>",
            "text/html"));
        app.MapGet("/direct", (string sse) => Results.Content(
            $$"""
            <!DOCTYPE html><title>waiting</title>
            <script>
              const source = new EventSource({{JsonSerializer.Serialize(sse)}}, { withCredentials: true });
              source.addEventListener('clock', e => { document.title = 'received ' + e.lastEventId; source.close(); });
              source.onerror = () => { document.title = 'refused'; source.close(); };
            </script>
            """,
            "text/html"));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new HostPage(app);
    }

    public string Url(string pathAndQuery) => Origin + pathAndQuery;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

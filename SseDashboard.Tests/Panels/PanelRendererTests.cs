using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SseDashboard.Panels;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Panels;

/// <summary>A panel that records the payload text of every instance the renderer lets go of.</summary>
public sealed class DisposeRecordingPanel : ComponentBase, IPanel<TextPayload>, IDisposable
{
    public static readonly ConcurrentQueue<string> Disposed = new();

    [Parameter] public TextPayload Data { get; set; } = default!;

    public void Dispose() => Disposed.Enqueue(Data.Text);

    protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, Data.Text);
}

public sealed class PanelRendererTests
{
    [Fact]
    public async Task EveryRenderedPanel_IsReleased_SoTheRendererDoesNotGrowWithEvents()
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var scope = new RendererScope(services.GetRequiredService<IServiceScopeFactory>());
        var topic = new Topic<TextPayload>("recorded", TopicKind.State, "Recorded", TestJsonContext.Default.TextPayload);
        var renderer = new PanelRenderer([new PanelTemplate<TextPayload, DisposeRecordingPanel>(topic)], scope, NullLoggerFactory.Instance);
        var run = Guid.NewGuid().ToString("N");

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"{run} {i}", await renderer.RenderHtmlAsync(topic, new TextPayload($"{run} {i}")));
        }

        // A renderer holds each root component until the renderer itself is disposed: components still held would
        // be memory growing with every event published, for the life of the app.
        var released = DisposeRecordingPanel.Disposed.Where(text => text.StartsWith(run, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{run} {i}"), released);
    }
}

using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

public sealed record TextPayload(string Text, bool Reset = false);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TextPayload))]
public sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>A panel that renders its payload's text, for topics the tests publish to themselves.</summary>
public sealed class TextPanel : ComponentBase, IPanel<TextPayload>
{
    [Parameter] public TextPayload Data { get; set; } = default!;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "p");
        builder.AddContent(1, Data.Reset ? "reset" : Data.Text);
        builder.CloseElement();
    }
}

public static class TestTopics
{
    public static Topic<TextPayload> NewStream(string name = "ticks") =>
        new(name, TopicKind.Stream, name, TestJsonContext.Default.TextPayload, _ => new TextPayload("", Reset: true));

    public static Topic<TextPayload> NewState(string name = "gauge") =>
        new(name, TopicKind.State, name, TestJsonContext.Default.TextPayload);
}

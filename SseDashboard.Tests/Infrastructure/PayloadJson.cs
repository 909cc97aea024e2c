using System.Text.Json;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>Reads a topic's serialized payload back, for the tests that pin its JSON.</summary>
public static class PayloadJson
{
    public static JsonElement Parse(byte[] utf8) => JsonDocument.Parse(utf8).RootElement;

    public static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}

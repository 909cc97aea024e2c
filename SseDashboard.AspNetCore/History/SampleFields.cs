using System.Text.Json;

namespace SseDashboard.History;

/// <summary>
/// The numeric fields of a stored sample, as charts and rollups name them: each top-level number by its name, and in a
/// top-level array of named objects (the <c>meters</c> payload's <c>instruments</c>), each one's <c>value</c> by its
/// <c>name</c> and its other numbers as <c>name.field</c> (<c>http.server.request.duration.p99</c>).
/// </summary>
public static class SampleFields
{
    public static IEnumerable<(string Name, double Value)> Numeric(JsonElement root)
    {
        foreach (var field in root.EnumerateObject())
        {
            if (field.Value.ValueKind == JsonValueKind.Number)
            {
                yield return (field.Name, field.Value.GetDouble());
            }
            else if (field.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in field.Value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var name)
                        || name.ValueKind != JsonValueKind.String || name.GetString() is not { } prefix)
                    {
                        continue;
                    }

                    foreach (var member in item.EnumerateObject().Where(m => m.Value.ValueKind == JsonValueKind.Number))
                    {
                        yield return (member.Name == "value" ? prefix : $"{prefix}.{member.Name}", member.Value.GetDouble());
                    }
                }
            }
        }
    }
}

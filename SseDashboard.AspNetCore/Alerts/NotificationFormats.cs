using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SseDashboard.Alerts;

/// <summary>A notification as each destination format takes it: the JSON of the API, Slack blocks, Discord embeds, ntfy.</summary>
public static class NotificationFormats
{
    public static HttpRequestMessage Request(AlertNotification n, DestinationOptions destination)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, destination.Url)
        {
            Content = destination.Format switch
            {
                DestinationFormat.Slack => JsonContent.Create(Slack(n)),
                DestinationFormat.Discord => JsonContent.Create(Discord(n)),
                DestinationFormat.Ntfy => new StringContent(Text(n), Encoding.UTF8, "text/plain"),
                _ => JsonContent.Create(n, AlertsJsonContext.Api.AlertNotification),
            },
        };
        if (destination.Format == DestinationFormat.Ntfy)
        {
            // ntfy reads its title, priority, tags and click action from headers (ASCII).
            request.Headers.Add("Title", Ascii(Title(n)));
            request.Headers.Add("Priority", n.State == AlertStates.Firing ? "high" : "default");
            request.Headers.Add("Tags", n.State == AlertStates.Firing ? "rotating_light" : "white_check_mark");
            request.Headers.Add("Click", n.Url);
        }

        foreach (var (name, value) in destination.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static string Title(AlertNotification n) => $"[{n.State.ToUpperInvariant()}] {n.Rule} on {n.Host}";

    /// <summary>The summary, then the sample lines.</summary>
    public static string Text(AlertNotification n)
    {
        var text = new StringBuilder(n.Summary);
        if (n.Matches > n.Lines.Count && n.Lines.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{n.Matches} matches; the first {n.Lines.Count}:");
        }

        foreach (var line in n.Lines)
        {
            text.Append('\n').Append(line);
        }

        return text.ToString();
    }

    private static JsonObject Slack(AlertNotification n)
    {
        var blocks = new JsonArray
        {
            // Slack's limits: 150 characters in a header, 3,000 in a section (a longer one is refused outright).
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(Title(n), 150) } },
            new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(Escape(n.Summary), 3000) } },
        };
        if (n.Lines.Count > 0)
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "```" + Cut(Escape(string.Join('\n', n.Lines)), 2990) + "```" } });
        }

        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray { new JsonObject { ["type"] = "mrkdwn", ["text"] = $"{Escape(n.Host)} · <{n.Url}|Open the dashboard>" } },
        });
        return new JsonObject { ["text"] = Title(n), ["blocks"] = blocks };
    }

    private static JsonObject Discord(AlertNotification n)
    {
        var description = n.Summary + (n.Lines.Count > 0 ? "\n```\n" + string.Join('\n', n.Lines).Replace("```", "'''", StringComparison.Ordinal) + "\n```" : "");
        var fields = new JsonArray { new JsonObject { ["name"] = "Host", ["value"] = n.Host, ["inline"] = true } };
        if (n.Matches > 0)
        {
            fields.Add(new JsonObject { ["name"] = "Matches", ["value"] = n.Matches.ToString(CultureInfo.InvariantCulture), ["inline"] = true });
        }

        if (n.Value is { } value)
        {
            fields.Add(new JsonObject { ["name"] = "Value", ["value"] = value.ToString("0.##", CultureInfo.InvariantCulture), ["inline"] = true });
        }

        var embed = new JsonObject
        {
            ["title"] = Title(n),
            ["description"] = description.Length > 4000 ? description[..4000] : description,
            ["url"] = n.Url,
            ["color"] = n.State == AlertStates.Firing ? 0xD93025 : 0x188038,
            ["fields"] = fields,
            ["timestamp"] = (n.EndsAt ?? n.StartsAt).ToString("O", CultureInfo.InvariantCulture),
        };
        return new JsonObject { ["embeds"] = new JsonArray { embed } };
    }

    // Slack's mrkdwn: &, < and > are escaped; the rest stays.
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string Ascii(string text) => new(text.Select(c => c is >= ' ' and < (char)127 ? c : '?').ToArray());
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace SseDashboard.Alerts;

/// <summary>One log line as a rule reads it, from the <c>log</c> event's JSON (its public shape): words made once for every rule.</summary>
public sealed class LogLineView(string text, string? level, string? document)
{
    private string[]? _tokens;

    public string Text { get; } = text;

    public string? Level { get; } = level;

    /// <summary>What history search reads: the text, the entry's fields as <c>key=value</c>, its exception.</summary>
    public string Document { get; } = document ?? text;

    /// <summary>The document's runs of letters and digits, lower case, in order.</summary>
    public string[] Tokens => _tokens ??= LogMatch.Tokenize(Document);

    public static LogLineView From(JsonElement line)
    {
        var text = line.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
        var level = line.TryGetProperty("level", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        string? document = null;
        if (line.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object
            || line.TryGetProperty("exception", out _))
        {
            var parts = new List<string> { text };
            if (fields.ValueKind == JsonValueKind.Object)
            {
                parts.AddRange(fields.EnumerateObject().Select(f => $"{f.Name}={(f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString() : f.Value.GetRawText())}"));
            }

            if (line.TryGetProperty("exception", out var exception) && exception.GetString() is { } e)
            {
                parts.Add(e);
            }

            document = string.Join(' ', parts);
        }

        return new LogLineView(text, level, document);
    }
}

/// <summary>
/// A Log rule's test of a line: every word as history search reads it (each word's runs of letters and digits in a row,
/// the last as a prefix, case-insensitive; so <c>card=4242</c> finds the text and the field alike), the regex (with
/// redaction's timeout), the least level, and the file globs.
/// </summary>
public sealed partial class LogMatch
{
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    private readonly string[][] _words;
    private readonly Regex? _regex;
    private readonly int _minLevel;
    private readonly Regex[] _files;

    public LogMatch(AlertRuleOptions rule)
    {
        _words = (rule.Words ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(Tokenize).Where(runs => runs.Length > 0).ToArray();
        _regex = rule.Regex is { Length: > 0 } regex ? new Regex(regex, RegexOptions.CultureInvariant, RegexTimeout) : null;
        _minLevel = LevelRank(rule.MinLevel);
        _files = rule.Files.Select(Glob).ToArray();
    }

    /// <summary>A level's rank (trace 0 … fatal 5), its usual spellings too; -1 for none or an unknown one.</summary>
    public static int LevelRank(string? level) => level?.ToLowerInvariant() switch
    {
        null => -1,
        "trace" or "trc" or "verbose" or "vrb" => 0,
        "debug" or "dbg" => 1,
        "info" or "information" or "inf" => 2,
        "warn" or "warning" or "wrn" => 3,
        "error" or "err" or "eror" => 4,
        "fatal" or "critical" or "crit" or "ftl" or "crt" => 5,
        var other => Array.IndexOf(Levels, other),
    };

    public bool FileMatches(string? file) => _files.Length == 0 || (file is not null && _files.Any(g => g.IsMatch(file)));

    /// <summary>Whether the line matches; a regex that runs out of time counts as no match.</summary>
    public bool Matches(LogLineView line)
    {
        if (_minLevel >= 0 && LevelRank(line.Level) < _minLevel)
        {
            return false;
        }

        foreach (var word in _words)
        {
            if (!Contains(line.Tokens, word))
            {
                return false;
            }
        }

        try
        {
            return _regex is null || _regex.IsMatch(line.Text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    internal static string[] Tokenize(string text) =>
        Tokens().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToArray();

    // The runs in a row, the last one as a prefix.
    private static bool Contains(string[] tokens, string[] runs)
    {
        for (var i = 0; i + runs.Length <= tokens.Length; i++)
        {
            var j = 0;
            while (j < runs.Length - 1 && tokens[i + j] == runs[j])
            {
                j++;
            }

            if (j == runs.Length - 1 && tokens[i + j].StartsWith(runs[j], StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // `**` any depth, `*` within a directory, `?` one character; the whole path.
    private static Regex Glob(string glob) => new(
        "^" + Regex.Escape(glob).Replace(@"\*\*", "\u0001", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal).Replace("\u0001", ".*", StringComparison.Ordinal) + "$",
        RegexOptions.CultureInvariant);

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Tokens();
}

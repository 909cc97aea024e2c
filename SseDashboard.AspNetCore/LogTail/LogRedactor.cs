using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace SseDashboard.LogTail;

/// <summary>
/// Masks secrets in log lines before they are published: the built-in patterns (unless
/// <c>Dashboard:LogTail:RedactDefaults</c> is false), then <c>Dashboard:LogTail:Redact</c>, each replacing its named
/// group <c>secret</c>, or its whole match, with <c>***</c>. A pattern that times out masks the whole line, and every
/// line for a second after, without running.
/// </summary>
public sealed partial class LogRedactor(IOptions<LogTailOptions> options, TimeProvider timeProvider, ILogger<LogRedactor> logger)
{
    public const string Mask = "***";

    // How long one pattern may look at one line.
    private const int TimeoutMilliseconds = 100;

    // How long a pattern that timed out is skipped: one that times out on every line would otherwise cap the tail at
    // ten lines a second.
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(1);

    private long _timeouts;

    // Built on first use, after start-up has validated the patterns: hosted services are made before that.
    private Rule[]? _rules;

    /// <summary>
    /// The same line when nothing was masked; otherwise a copy with the masked text (and a structured entry's message,
    /// string fields and exception), marked redacted.
    /// </summary>
    public LogLine Redact(LogLine line)
    {
        var text = Redact(line.Text);
        var message = line.Message is { } m ? Redact(m) : null;
        var exception = line.Exception is { } e ? Redact(e) : null;
        var fields = line.Fields is { } f ? RedactFields(f) : null;
        return ReferenceEquals(text, line.Text) && ReferenceEquals(message, line.Message) && ReferenceEquals(exception, line.Exception) && ReferenceEquals(fields, line.Fields)
            ? line
            // Masking moves the text under a line's colours: they go.
            : line with { Text = text, Message = message, Exception = exception, Fields = fields, Redacted = true, Ansi = ReferenceEquals(text, line.Text) ? line.Ansi : null };
    }

    // The same dictionary when nothing was masked. A field named like a secret is masked whole, whatever its value; any
    // other value (a string, a number) is read as "name=value", so the rules catch it as they would in a line, and
    // anything caught masks the whole value (fail closed).
    private IReadOnlyDictionary<string, JsonElement> RedactFields(IReadOnlyDictionary<string, JsonElement> fields)
    {
        Dictionary<string, JsonElement>? masked = null;
        foreach (var (name, value) in fields)
        {
            if (SecretName().IsMatch(name) || (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && HoldsSecret(value)))
            {
                masked ??= new(fields);
                masked[name] = JsonSerializer.SerializeToElement(Mask, LogTailJsonContext.Api.String);
                continue;
            }

            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => null,
            };
            if (text is not null && Caught($"{name}={text}"))
            {
                masked ??= new(fields);
                masked[name] = JsonSerializer.SerializeToElement(Mask, LogTailJsonContext.Api.String);
            }
        }

        return masked ?? fields;
    }

    // An object or array with a secret anywhere inside: a key named like one, or a value the rules catch (as name=value).
    private bool HoldsSecret(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Any(p =>
            SecretName().IsMatch(p.Name)
            || (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? HoldsSecret(p.Value)
                : p.Value.ValueKind == JsonValueKind.String && Caught($"{p.Name}={p.Value.GetString()}"))),
        JsonValueKind.Array => value.EnumerateArray().Any(v =>
            v.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? HoldsSecret(v) : v.ValueKind == JsonValueKind.String && Caught(v.GetString()!)),
        _ => false,
    };

    private bool Caught(string text) => !ReferenceEquals(Redact(text), text);

    /// <summary>How many times a pattern has run out of time on a line.</summary>
    internal long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>The same string instance when nothing was masked.</summary>
    public string Redact(string text)
    {
        var masked = text;
        foreach (var rule in _rules ??= Rules(options.Value))
        {
            // Fail closed: while the pattern is skipped, any line could hold what it was meant to catch.
            if (rule.IsOpen(timeProvider))
            {
                return Mask;
            }

            try
            {
                masked = rule.Regex.Replace(masked, rule.Evaluator);
            }
            catch (RegexMatchTimeoutException)
            {
                // The secret could be anywhere in a line the pattern could not finish: none of it goes out.
                Interlocked.Increment(ref _timeouts);
                rule.Open(timeProvider);
                rule.ReportTimeout(logger);
                return Mask;
            }
        }

        // A match whose secret already read *** (or whose group did not take part) changed nothing.
        return ReferenceEquals(masked, text) || masked == text ? text : masked;
    }

    /// <summary>Why <paramref name="pattern"/> cannot be used, or null when it can.</summary>
    public static string? Validate(string pattern)
    {
        try
        {
            // Parsed only: compiling it (as Configured does) finds no other error.
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static Rule[] Rules(LogTailOptions options)
    {
        // Bearer before key=value: in "token: Bearer x" key=value alone would mask "Bearer" and leave x.
        IEnumerable<Regex> defaults = options.RedactDefaults
            ? [Bearer(), BasicAuthorization(), UrlCredentials(), KeyValue(), UrlToken(), Jwt(), AwsAccessKey()]
            : [];
        return defaults.Concat(options.Redact.Select(Configured)).Select(r => new Rule(r)).ToArray();
    }

    private static Regex Configured(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(TimeoutMilliseconds));

    [GeneratedRegex(@"\bBearer\s+(?<secret>[A-Za-z0-9\-._~+/]+=*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\bAuthorization[""']?\s*[:=]\s*[""']?Basic\s+(?<secret>[A-Za-z0-9+/]+=*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex BasicAuthorization();

    // scheme://user:pass@host; anchored on "://" so a long word is not scanned once per letter for a scheme.
    [GeneratedRegex(@"://[^/\s:@]*:(?<secret>[^/\s@]+)@", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex UrlCredentials();

    // password=x, pwd: x, "api_key":"x", client_secret='x y', access_token=x (also in a query string or connection string).
    [GeneratedRegex(
        @"(?:password|passwd|pwd|secret|api[_-]?key|token)[""']?\s*[=:]\s*(?:""(?<secret>(?:[^""\\]|\\.)+)""|'(?<secret>[^']+)'|(?<secret>[^\s""'&;,]+))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        TimeoutMilliseconds)]
    private static partial Regex KeyValue();

    // The dashboard's own tokens in a URL, as the hosting log and access logs write it: /login?t=x, /panels/cpu?embed=x.
    // Query names are matched as ASP.NET Core reads them, ignoring case.
    [GeneratedRegex(@"[?&](?:t|embed)=(?<secret>[^&\s#""']+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex UrlToken();

    // Header and payload are base64url JSON ("eyJ" is '{"'); an unsigned token has an empty signature.
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AwsAccessKey();

    private sealed class Rule
    {
        private const long NeverOpened = long.MinValue;

        private int _timeoutReported;
        private long _openedAt = NeverOpened;

        public Rule(Regex regex)
        {
            Regex = regex;
            var secret = regex.GroupNumberFromName("secret");
            Evaluator = secret < 0 ? static _ => Mask : match => MaskGroup(match, match.Groups[secret]);
        }

        public Regex Regex { get; }

        public MatchEvaluator Evaluator { get; }

        /// <summary>Whether the pattern timed out less than <see cref="OpenFor"/> ago, and so is not to be run.</summary>
        public bool IsOpen(TimeProvider time)
        {
            var openedAt = Interlocked.Read(ref _openedAt);
            return openedAt != NeverOpened && time.GetElapsedTime(openedAt) < OpenFor;
        }

        public void Open(TimeProvider time) => Interlocked.Exchange(ref _openedAt, time.GetTimestamp());

        /// <summary>Warns once per pattern for the life of the process, not once per line.</summary>
        public void ReportTimeout(ILogger logger)
        {
            if (Interlocked.Exchange(ref _timeoutReported, 1) == 0)
            {
                logger.LogWarning(
                    "Log redaction pattern {Pattern} took longer than {Timeout} ms on a line; after each timeout, that line and every line for the next {OpenFor} s are masked whole as {Mask}, without running the pattern",
                    Regex.ToString(),
                    TimeoutMilliseconds,
                    OpenFor.TotalSeconds,
                    Mask);
            }
        }

        private static string MaskGroup(Match match, Group secret) =>
            !secret.Success || secret.Length == 0
                ? match.Value
                : string.Concat(
                    match.ValueSpan[..(secret.Index - match.Index)],
                    Mask,
                    match.ValueSpan[(secret.Index - match.Index + secret.Length)..]);
    }

    /// <summary>password, passwd, pwd, secret, token, apikey, authorization, cookie, connectionstring: any case, any separator.</summary>
    [GeneratedRegex(@"pass(?:word|wd)|pwd|secret|token|api[\W_]?key|authorization|cookie|connection[\W_]?string", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}

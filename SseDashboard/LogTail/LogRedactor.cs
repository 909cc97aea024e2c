using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace SseDashboard.LogTail;

/// <summary>
/// Masks secrets in log lines before they are published: the built-in patterns (unless
/// <c>Dashboard:LogTail:RedactDefaults</c> is false), then <c>Dashboard:LogTail:Redact</c>, each replacing its named
/// group <c>secret</c>, or its whole match, with <c>***</c>. A pattern that times out masks the whole line.
/// </summary>
public sealed partial class LogRedactor(IOptions<LogTailOptions> options, ILogger<LogRedactor> logger)
{
    public const string Mask = "***";

    // How long one pattern may look at one line.
    private const int TimeoutMilliseconds = 100;

    // Built on first use, after start-up has validated the patterns: hosted services are made before that.
    private Rule[]? _rules;

    /// <summary>The same line when nothing was masked; otherwise a copy with the masked text, marked redacted.</summary>
    public LogLine Redact(LogLine line)
    {
        var text = Redact(line.Text);
        return ReferenceEquals(text, line.Text) ? line : line with { Text = text, Redacted = true };
    }

    /// <summary>The same string instance when nothing was masked.</summary>
    public string Redact(string text)
    {
        var masked = text;
        foreach (var rule in _rules ??= Rules(options.Value))
        {
            try
            {
                masked = rule.Regex.Replace(masked, rule.Evaluator);
            }
            catch (RegexMatchTimeoutException)
            {
                // The secret could be anywhere in a line the pattern could not finish: none of it goes out.
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
        IEnumerable<Regex> defaults = options.RedactDefaults ? [Bearer(), BasicAuthorization(), UrlCredentials(), KeyValue(), Jwt(), AwsAccessKey()] : [];
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

    // Header and payload are base64url JSON ("eyJ" is '{"'); an unsigned token has an empty signature.
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AwsAccessKey();

    private sealed class Rule
    {
        private int _timeoutReported;

        public Rule(Regex regex)
        {
            Regex = regex;
            var secret = regex.GroupNumberFromName("secret");
            Evaluator = secret < 0 ? static _ => Mask : match => MaskGroup(match, match.Groups[secret]);
        }

        public Regex Regex { get; }

        public MatchEvaluator Evaluator { get; }

        /// <summary>Warns once per pattern for the life of the process, not once per line.</summary>
        public void ReportTimeout(ILogger logger)
        {
            if (Interlocked.Exchange(ref _timeoutReported, 1) == 0)
            {
                logger.LogWarning(
                    "Log redaction pattern {Pattern} took longer than {Timeout} ms on a line; such lines are published as {Mask}",
                    Regex.ToString(),
                    TimeoutMilliseconds,
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
}

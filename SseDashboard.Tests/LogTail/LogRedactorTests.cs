using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>Secrets in log lines become <c>***</c> before they are published; the rest of the line stays.</summary>
public sealed class LogRedactorTests
{
    [Theory]
    [InlineData("login ok password=hunter2 user=bob", "login ok password=*** user=bob")]
    [InlineData("mysql -u root PWD=abc123 -h db", "mysql -u root PWD=*** -h db")]
    [InlineData("client secret=s3cr3t loaded", "client secret=*** loaded")]
    [InlineData("calling api_key=AbC123xyz now", "calling api_key=*** now")]
    [InlineData("GET /callback?token=abc123&state=1 200", "GET /callback?token=***&state=1 200")]
    [InlineData("passwd: hunter2 (from env)", "passwd: *** (from env)")]
    [InlineData("api-key=k1 apikey=k2 access_token=t3", "api-key=*** apikey=*** access_token=***")]
    [InlineData("""body {"user":"bob","password":"a \"b\" c","ok":true}""", """body {"user":"bob","password":"***","ok":true}""")]
    [InlineData("Server=db;User Id=app;Password=s3cr3t;Pooling=true", "Server=db;User Id=app;Password=***;Pooling=true")]
    [InlineData("Authorization: Bearer abc.def", "Authorization: Bearer ***")]
    [InlineData("Authorization: Basic dXNlcjpwYXNz= sent", "Authorization: Basic *** sent")]
    [InlineData("postgres://app:s3cr3t@db:5432/x", "postgres://app:***@db:5432/x")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE used", "key *** used")]
    [InlineData("session ASIAY34FZKBOKMUTVV7A expires", "session *** expires")]
    [InlineData("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U done", "jwt *** done")]
    [InlineData("Request starting HTTP/1.1 GET http://127.0.0.1:5000/login?t=3b1b083ef133b91920b02404911045e1&ReturnUrl=%2F - - -", "Request starting HTTP/1.1 GET http://127.0.0.1:5000/login?t=***&ReturnUrl=%2F - - -")]
    [InlineData("GET /panels/cpu?embed=CfDJ8AbC_-x", "GET /panels/cpu?embed=***")]
    [InlineData("GET /sse?topics=cpu&embed=CfDJ8AbC_-x HTTP/1.1", "GET /sse?topics=cpu&embed=*** HTTP/1.1")]
    [InlineData("""10.0.0.7 - - "GET /login?T=3b1b083e HTTP/1.1" 302""", """10.0.0.7 - - "GET /login?T=*** HTTP/1.1" 302""")]
    public void DefaultPattern_MasksOnlyTheSecret_KeepsTheRestOfTheLine(string line, string expected)
    {
        var redacted = Redactor().Redact(LogLine.Of(line));

        Assert.Equal(expected, redacted.Text);
        Assert.True(redacted.Redacted);
    }

    [Fact]
    public void RedactedLine_KeepsTheLevelOfTheOriginal()
    {
        var redacted = Redactor().Redact(LogLine.Of("[12:00:00 ERR] login failed password=hunter2"));

        Assert.Equal(new LogLine("[12:00:00 ERR] login failed password=***", "error", Redacted: true), redacted);
    }

    [Theory]
    [InlineData("GET /health 200 in 3 ms")]
    [InlineData("password reset requested for bob")]
    [InlineData("http://localhost:5000/sse connected")]
    [InlineData("already masked password=***")]
    [InlineData("GET /sse?topics=cpu 200")]
    [InlineData("GET /?theme=dark&at=3 200")]
    public void LineWithoutSecrets_IsTheSameInstance_NotMarked(string text)
    {
        var line = LogLine.Of(text);

        var redacted = Redactor().Redact(line);

        Assert.Same(line, redacted);
        Assert.False(redacted.Redacted);
    }

    [Fact]
    public void RedactDefaultsFalse_LeavesAPasswordAlone()
    {
        var line = LogLine.Of("login password=x");

        Assert.Same(line, Redactor(new LogTailOptions { RedactDefaults = false }).Redact(line));
    }

    [Fact]
    public void ConfiguredPatternWithASecretGroup_MasksOnlyThatGroup()
    {
        var redactor = Redactor(new LogTailOptions { Redact = [@"session=(?<secret>\w+)"] });

        Assert.Equal("user bob session=*** ok", redactor.Redact("user bob session=abc123 ok"));
    }

    [Fact]
    public void ConfiguredPatternWithoutASecretGroup_MasksTheWholeMatch_AlongsideTheDefaults()
    {
        var redactor = Redactor(new LogTailOptions { Redact = [@"\b\d{3}-\d{2}-\d{4}\b"] });

        Assert.Equal("ssn *** stored, password=***", redactor.Redact("ssn 123-45-6789 stored, password=pw"));
    }

    [Fact]
    public void PatternThatTimesOut_MasksTheWholeLine_AndIsLoggedOnce()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger<LogRedactor>();
        var redactor = TimingOut(clock, logger);

        var first = redactor.Redact(Pathological());
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = redactor.Redact(Pathological());
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(new LogLine("***", null, Redacted: true), first);
        Assert.Equal(new LogLine("***", null, Redacted: true), second);
        Assert.Equal(2, redactor.Timeouts);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("(a+)+$", warning.Message);
        Assert.Contains("every line for the next 1 s are masked whole", warning.Message);
        Assert.Equal("the pattern still runs: no password=***", redactor.Redact("the pattern still runs: no password=pw"));
    }

    [Fact]
    public void PatternThatTimedOut_IsNotRunForASecond_EveryLineMaskedWhole()
    {
        var clock = new FakeTimeProvider();
        var redactor = TimingOut(clock);

        var lines = Enumerable.Range(0, 20).Select(_ => redactor.Redact(Pathological())).ToList();

        Assert.All(lines, line => Assert.Equal(new LogLine("***", null, Redacted: true), line));
        Assert.Equal(1, redactor.Timeouts);
    }

    [Fact]
    public void PatternThatTimedOut_RunsAgainAfterASecond()
    {
        var clock = new FakeTimeProvider();
        var redactor = TimingOut(clock);
        redactor.Redact(Pathological());
        clock.Advance(TimeSpan.FromMilliseconds(999));
        redactor.Redact(Pathological());
        Assert.Equal(1, redactor.Timeouts);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var line = redactor.Redact(Pathological());

        Assert.Equal(new LogLine("***", null, Redacted: true), line);
        Assert.Equal(2, redactor.Timeouts);
    }

    [Fact]
    public void PatternThatTimedOut_MasksAnOrdinaryLineWholeWhileOpen_AndLetsItThroughAfter()
    {
        var clock = new FakeTimeProvider();
        var redactor = TimingOut(clock);
        redactor.Redact(Pathological());

        // Fail closed: with the pattern not run, nothing tells this line from one holding what it was meant to catch.
        var whileOpen = redactor.Redact(LogLine.Of("GET /health 200 in 3 ms"));
        clock.Advance(TimeSpan.FromSeconds(1));
        var after = LogLine.Of("GET /health 200 in 3 ms");

        Assert.Equal(new LogLine("***", null, Redacted: true), whileOpen);
        Assert.Same(after, redactor.Redact(after));
        Assert.Equal(1, redactor.Timeouts);
    }

    [Fact]
    public void InvalidPattern_FailsValidation_NamingItsKey()
    {
        var result = new ValidateLogTailOptions().Validate(null, new LogTailOptions { Redact = [@"ok\d+", "("] });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Dashboard:LogTail:Redact:1 is not a valid regular expression: ", failure);
    }

    private static LogRedactor Redactor(LogTailOptions? options = null) =>
        new(Options.Create(options ?? new LogTailOptions()), new FakeTimeProvider(), NullLogger<LogRedactor>.Instance);

    private static LogRedactor TimingOut(TimeProvider clock, ILogger<LogRedactor>? logger = null) =>
        new(Options.Create(new LogTailOptions { Redact = ["(a+)+$"] }), clock, logger ?? NullLogger<LogRedactor>.Instance);

    // (a+)+ backtracks exponentially on a run of a's that $ cannot end: far past the 100 ms a pattern gets.
    private static LogLine Pathological() => LogLine.Of(new string('a', 5_000) + "b");
}

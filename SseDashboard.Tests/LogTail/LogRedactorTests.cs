using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
        var logger = new RecordingLogger<LogRedactor>();
        var redactor = new LogRedactor(Options.Create(new LogTailOptions { Redact = ["(a+)+$"] }), logger);
        var line = LogLine.Of(new string('a', 5_000) + "!b");

        var first = redactor.Redact(line);
        var second = redactor.Redact(LogLine.Of(new string('a', 6_000) + "!b"));

        Assert.Equal(new LogLine("***", null, Redacted: true), first);
        Assert.Equal(new LogLine("***", null, Redacted: true), second);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("(a+)+$", warning.Message);
        Assert.Equal("the pattern still runs: no password=***", redactor.Redact("the pattern still runs: no password=pw"));
    }

    [Fact]
    public void InvalidPattern_FailsValidation_NamingItsKey()
    {
        var result = new ValidateLogTailOptions().Validate(null, new LogTailOptions { Redact = [@"ok\d+", "("] });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Dashboard:LogTail:Redact:1 is not a valid regular expression: ", failure);
    }

    private static LogRedactor Redactor(LogTailOptions? options = null) =>
        new(Options.Create(options ?? new LogTailOptions()), NullLogger<LogRedactor>.Instance);
}

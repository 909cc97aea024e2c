using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using LoggerConfiguration = Serilog.LoggerConfiguration;
using Serilog.Formatting.Compact;
using SseDashboard.LogTail;

namespace SseDashboard.Tests.LogTail;

/// <summary>JSON lines as apps write them, each produced by the real formatter where it runs in .NET.</summary>
public sealed class JsonLogLinesTests
{
    [Fact]
    public void SerilogClef_IsOneEntry_RenderedWithItsProperties_LevelExceptionAndTime()
    {
        var written = new StringWriter();
        using (var serilog = new LoggerConfiguration().WriteTo.Sink(new ClefTo(written)).CreateLogger())
        {
            serilog.Error(new InvalidOperationException("boom"), "Order {OrderId} failed for {Customer}", 42, "acme");
            serilog.Information("Started in {Elapsed} ms", 12.5);
        }

        var lines = written.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => LogLine.Of(l.TrimEnd('\r'))).ToArray();
        var error = lines[0];
        Assert.Equal(("Order 42 failed for acme", "error", "Order {OrderId} failed for {Customer}"), (error.Text, error.Level, error.Message));
        Assert.Equal(42, error.Fields!["OrderId"].GetInt32());
        Assert.Equal("acme", error.Fields["Customer"].GetString());
        Assert.StartsWith("System.InvalidOperationException: boom", error.Exception);
        Assert.NotNull(error.Timestamp);
        Assert.True(error.Timestamp > DateTimeOffset.UtcNow.AddMinutes(-1));

        // No @l: Information.
        Assert.Equal(("Started in 12.5 ms", "info"), (lines[1].Text, lines[1].Level));
    }

    [Fact]
    public void ConsoleJsonFormatter_IsOneEntry_WithCategoryEventIdStateAndScopes()
    {
        var written = new StringWriter();
        using (var factory = LoggerFactory.Create(logging => logging.AddProvider(new JsonConsoleTo(written))))
        {
            var logger = factory.CreateLogger("Shop.Orders");
            using (logger.BeginScope(new Dictionary<string, object> { ["RequestPath"] = "/orders/42" }))
            {
                logger.LogWarning(new EventId(7, "Slow"), new TimeoutException("gateway"), "Order {OrderId} took {Ms} ms", 42, 900);
            }
        }

        var line = LogLine.Of(written.ToString().Trim());
        Assert.Equal(("Order 42 took 900 ms", "warn", "Shop.Orders", "Order {OrderId} took {Ms} ms"), (line.Text, line.Level, line.Category, line.Message));
        Assert.Equal(42, line.Fields!["OrderId"].GetInt32());
        Assert.Equal(900, line.Fields["Ms"].GetInt32());
        Assert.Equal(7, line.Fields["EventId"].GetInt32());
        Assert.Equal("/orders/42", line.Fields["RequestPath"].GetString());
        Assert.StartsWith("System.TimeoutException: gateway", line.Exception);
        Assert.NotNull(line.Timestamp);
    }

    [Theory]
    // pino: numeric level, Unix milliseconds, an err object with its stack.
    [InlineData("""{"level":50,"time":1733392800000,"pid":7,"hostname":"web-1","err":{"type":"Error","message":"boom","stack":"Error: boom\n    at handler (/app/index.js:3:9)"},"msg":"request failed","reqId":"r-1"}""",
        "request failed", "error", "2024-12-05T10:00:00.000Z", "Error: boom\n    at handler (/app/index.js:3:9)", "pid,hostname,reqId")]
    // zap: Unix seconds with a fraction, caller.
    [InlineData("""{"level":"warn","ts":1733392800.5,"caller":"db/query.go:42","msg":"slow query","duration":1.5}""",
        "slow query", "warn", "2024-12-05T10:00:00.500Z", null, "caller,duration")]
    // logrus: RFC 3339 time, an error string.
    [InlineData("""{"level":"error","msg":"charge failed","time":"2024-12-05T10:00:00Z","error":"card declined","order":42}""",
        "charge failed", "error", "2024-12-05T10:00:00.000Z", "card declined", "order")]
    // structlog: event is a field, message under msg; severity spelled out.
    [InlineData("""{"severity":"CRITICAL","message":"disk full","timestamp":"2024-12-05T10:00:00+01:00","path":"/var"}""",
        "disk full", "fatal", "2024-12-05T09:00:00.000Z", null, "path")]
    public void CommonKeys_GiveLevelMessageTimeAndException_AndEveryOtherKeyIsAField(
        string json, string text, string level, string time, string? exception, string fields)
    {
        var line = LogLine.Of(json);

        Assert.Equal((text, level, exception), (line.Text, line.Level, line.Exception));
        Assert.Equal(time, SseDashboard.Streaming.Timestamps.Format(line.Timestamp!.Value));
        Assert.Equal(fields.Split(','), line.Fields!.Keys);
    }

    [Theory]
    [InlineData("""{"msg":"half""")]
    [InlineData("""{"msg": "x", }""")]
    [InlineData("""[{"msg":"an array"}]""")]
    [InlineData("""plain text with {"msg":"json"} inside""")]
    [InlineData("""{not json at all}""")]
    public void NotOneJsonObject_IsAPlainLine(string text)
    {
        var line = LogLine.Of(text);

        Assert.Equal(text, line.Text);
        Assert.Null(line.Message);
        Assert.Null(line.Fields);
    }

    [Theory]
    [InlineData("""{"@mt":5,"@t":"2026-12-05T10:00:00Z"}""")]
    [InlineData("""{"LogLevel":"Information","Category":5,"Message":"x"}""")]
    [InlineData("""{"@m":"x","@tr":{"id":1}}""")]
    public void AKnownKeyOfAnotherType_IsAPlainLine_NeverAnError(string text)
    {
        var line = LogLine.Of(text);

        Assert.Equal(text, line.Text);
        Assert.Null(line.Message);
    }

    [Fact]
    public void ATimeOutOfRange_IsNoTime_TheEntryStays() =>
        Assert.Equal(("x", (DateTimeOffset?)null), (LogLine.Of("""{"msg":"x","time":1e300}""").Text, LogLine.Of("""{"msg":"x","time":1e300}""").Timestamp));

    [Theory]
    [InlineData("""{"msg":"n","ts":1733392800000000000}""", "2024-12-05T10:00:00.000Z")]
    [InlineData("""{"msg":"u","time":1733392800000000}""", "2024-12-05T10:00:00.000Z")]
    public void NanoAndMicrosecondTimes_AreRead(string text, string time) =>
        Assert.Equal(time, SseDashboard.Streaming.Timestamps.Format(LogLine.Of(text).Timestamp!.Value));

    [Fact]
    public void TooDeep_OrCut_IsAPlainLine()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", JsonLogLines.MaxDepth + 1)) + "1" + new string('}', JsonLogLines.MaxDepth + 1);
        Assert.Null(LogLine.Of(deep).Message);

        var fits = string.Concat(Enumerable.Repeat("{\"a\":", JsonLogLines.MaxDepth - 1)) + "1" + new string('}', JsonLogLines.MaxDepth - 1);
        Assert.NotNull(LogLine.Of(fits).Message);

        // A line cut at MaxLineBytes is a part of one: never read as an entry.
        var cut = LogLine.Of("""{"msg":"whole","level":"error"}""", cut: true);
        Assert.Equal((null, true), (cut.Message, cut.Cut));
    }

    [Fact]
    public void FieldsNamedLikeSecrets_AreMaskedWhole_AndTheEntryMarkedRedacted()
    {
        var redactor = new LogRedactor(Options.Create(new LogTailOptions()), TimeProvider.System, NullLogger<LogRedactor>.Instance);
        var line = redactor.Redact(LogLine.Of(
            """{"msg":"login","user":"ann","Password":"hunter2","api_key":"k-123","X-Api-Key":{"v":1},"Authorization":"Bearer abc","db.connectionString":"Host=x;Password=y","session_token":7}"""));

        Assert.True(line.Redacted);
        Assert.Equal("ann", line.Fields!["user"].GetString());
        foreach (var secret in new[] { "Password", "api_key", "X-Api-Key", "Authorization", "db.connectionString", "session_token" })
        {
            Assert.Equal(LogRedactor.Mask, line.Fields[secret].GetString());
        }
    }

    [Fact]
    public void SecretsNestedInAField_MaskTheWholeField()
    {
        var redactor = new LogRedactor(Options.Create(new LogTailOptions()), TimeProvider.System, NullLogger<LogRedactor>.Instance);
        var line = redactor.Redact(LogLine.Of(
            """{"msg":"request","req":{"method":"GET","headers":{"host":"shop","authorization":"Bearer abc.def"}},"user":{"name":"ann","password":"p"},"tags":["ok","token=abc123"],"res":{"status":200}}"""));

        Assert.True(line.Redacted);
        Assert.All(["req", "user", "tags"], name => Assert.Equal(LogRedactor.Mask, line.Fields![name].GetString()));
        Assert.Equal(200, line.Fields!["res"].GetProperty("status").GetInt32());
    }

    [Fact]
    public void EscapesInFieldsAndCategory_AreRemoved()
    {
        var line = LogLine.Of("""{"LogLevel":"Warning","Category":"Shop\u001b[31m.Orders","Message":"m","State":{"Who":"\u001b]0;t\u0007ann"}}""");

        Assert.Equal(("Shop.Orders", "ann"), (line.Category, line.Fields!["Who"].GetString()));
    }

    /// <summary>The console's JSON formatter (with scopes and a timestamp, which it writes only when asked), writing to a string.</summary>
    private sealed class JsonConsoleTo(TextWriter writer) : ILoggerProvider
    {
        private readonly TextWriter _writer = writer;

        private readonly ConsoleFormatter _formatter = new ServiceCollection()
            .AddLogging(logging => logging.AddJsonConsole(o => (o.IncludeScopes, o.TimestampFormat) = (true, "O")))
            .BuildServiceProvider()
            .GetServices<ConsoleFormatter>()
            .Single(f => f.Name == ConsoleFormatterNames.Json);

        private readonly LoggerExternalScopeProvider _scopes = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(JsonConsoleTo provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider._formatter.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider._scopes, provider._writer);
        }
    }

    /// <summary>Serilog's compact JSON formatter (CLEF), writing each event to a string as its file sink would.</summary>
    private sealed class ClefTo(TextWriter writer) : Serilog.Core.ILogEventSink
    {
        private readonly CompactJsonFormatter _formatter = new();

        public void Emit(Serilog.Events.LogEvent logEvent) => _formatter.Format(logEvent, writer);
    }
}

using SseDashboard.LogTail;
using SseDashboard.Panels;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>Terminal escapes in tailed lines: colours to palette classes, everything else removed, never an escape byte out.</summary>
public sealed class AnsiTextTests : IAsyncDisposable
{
    private readonly PanelHtml _panels = new(new PanelTemplate<LogBatch, LogPanel>(LogTailTopics.Log));

    public ValueTask DisposeAsync() => _panels.DisposeAsync();

    [Fact]
    public void ColouredLevel_IsPlainText_WithARun_AndDetectedFromThatText()
    {
        var line = LogLine.Of("\u001b[31mERROR\u001b[0m disk full");

        Assert.Equal(("ERROR disk full", "error"), (line.Text, line.Level));
        Assert.Equal([new AnsiRun(0, 5, "ansi-fg-1")], line.Ansi);
    }

    [Theory]
    [InlineData("\u001b[1;4;92mok\u001b[22m", "ansi-fg-10 ansi-b ansi-u")]
    [InlineData("\u001b[38;5;196mok", "ansi-fg-9")]
    [InlineData("\u001b[38;5;21mok", "ansi-fg-4")]
    [InlineData("\u001b[38;2;0;0;238mok", "ansi-fg-4")]
    [InlineData("\u001b[48;5;2;37mok", "ansi-fg-7 ansi-bg-2")]
    [InlineData("\u001b[38:2::255:255:0mok", "ansi-fg-11")]
    public void Sgr_8_16_256_AndTrueColour_MapToThePalette(string text, string classes)
    {
        var (plain, runs) = AnsiText.Parse(text);

        Assert.Equal("ok", plain);
        Assert.Equal(classes, Assert.Single(runs).Classes);
    }

    [Theory]
    [InlineData("\u001b[2J\u001b[Hcleared", "cleared")]
    [InlineData("\u001b]0;pwned title\u0007after", "after")]
    [InlineData("\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\", "click")]
    [InlineData("\u001bPq#0;2;0;0;0\u001b\\sixel gone", "sixel gone")]
    [InlineData("\u009b31m8-bit CSI", "8-bit CSI")]
    [InlineData("\u001b7saved\u001b8\u001b(B", "saved")]
    [InlineData("unterminated \u001b[31", "unterminated ")]
    [InlineData("unterminated OSC \u001b]0;never ends", "unterminated OSC ")]
    [InlineData("lone escape at the end \u001b", "lone escape at the end ")]
    [InlineData("\u009d0;8-bit OSC title\u009cafter", "after")]
    [InlineData("\u0090q8-bit DCS\u001b\\ok", "ok")]
    [InlineData("next\u0085line", "nextline")]
    public void EveryOtherSequence_IsRemoved_AndNoEscapeByteIsLeft(string text, string plain)
    {
        var line = LogLine.Of(text);

        Assert.Equal(plain, line.Text);
        Assert.False(AnsiText.HasEscapes(line.Text));
    }

    [Fact]
    public void EscapesInsideAJsonEntry_AreRemovedFromItsTextAndException()
    {
        var line = LogLine.Of("""{"level":"error","msg":"\u001b[31mboom\u001b[0m","err":"\u001b]0;x\u0007Error: boom"}""");

        Assert.Equal(("boom", "Error: boom"), (line.Text, line.Exception));
    }

    [Fact]
    public async Task Panel_ShowsTheColoursAsClasses_AndNoEscapeByteReachesTheHtml()
    {
        var batch = new LogBatch(DateTimeOffset.UnixEpoch, "/var/log/app.log", LogKinds.Lines,
            [LogLine.Of("\u001b[1;31mERROR\u001b[0m \u001b]0;title\u0007<b>disk</b> full")]);

        var body = await _panels.RenderAsync(LogTailTopics.Log, batch);

        var line = Assert.Single(body.Children);
        Assert.Equal("ERROR <b>disk</b> full", line.TextContent);
        Assert.Equal("ERROR", line.QuerySelector(".log-text .ansi-fg-1.ansi-b")!.TextContent);
        Assert.Empty(line.QuerySelectorAll("b"));
        Assert.Null(line.GetAttribute("style"));
        Assert.DoesNotContain('\u001b', body.InnerHtml);
    }
}

using System.Text;
using SseDashboard.LogTail;

namespace SseDashboard.Tests.LogTail;

/// <summary>The splitter on bytes alone: no files, no host.</summary>
public sealed class LineSplitterTests
{
    private const int Max = 16;

    private readonly LineSplitter _splitter = new(Max);

    [Fact]
    public void Split_SeveralLinesInOneChunk_YieldsEachInOrder_WithItsLevel()
    {
        Assert.Equal([new LogLine("one", null), new LogLine("[ERR] two", "error"), new LogLine("three", null)], Split("one\n[ERR] two\nthree\n"));
    }

    [Fact]
    public void Split_PartialLine_IsHeldUntilItsLfArrivesInALaterChunk()
    {
        Assert.Empty(Split("abc"));
        Assert.Empty(Split("def"));
        Assert.Equal(["abcdef", "next"], Texts(Split("\nnext\n")));
    }

    [Fact]
    public void Split_Crlf_StripsTheCr_ButKeepsACrNotBeforeAnLf()
    {
        Assert.Equal(["a", "lone\rcr", "b"], Texts(Split("a\r\nlone\rcr\nb\r\n")));
    }

    [Fact]
    public void Split_CrlfAcrossChunks_StripsTheCr()
    {
        Assert.Empty(Split("abc\r"));
        Assert.Equal(["abc"], Texts(Split("\n")));
    }

    public static TheoryData<int> SplitPoints => new(Enumerable.Range(0, Max + 8));

    [Theory]
    [MemberData(nameof(SplitPoints))]
    public void Split_LineOfExactlyMaxLineBytes_WithItsCrlfAnywhereAcrossChunks_IsNotCut(int at)
    {
        var data = Bytes(new string('y', Max) + "\r\nnext\n");

        var lines = Split(data[..at]);
        lines.AddRange(Split(data[at..]));

        Assert.Equal([LogLine.Of(new string('y', Max)), LogLine.Of("next")], lines);
    }

    [Fact]
    public void Split_LineLongerThanMax_IsCutAtTheLimitAndMarked_TheNextLineIsWhole()
    {
        var lines = Split(new string('x', 40) + "\nshort\n");

        Assert.Equal([LogLine.Of(new string('x', Max), cut: true), LogLine.Of("short")], lines);
    }

    [Fact]
    public void Split_LineLongerThanMax_AcrossChunks_IsCutOnce_AndTheRestIsSkippedUpToItsLf()
    {
        Assert.Equal([LogLine.Of(new string('x', Max), cut: true)], Split(new string('x', 20)));
        Assert.Empty(Split(new string('x', 20)));
        Assert.Equal([LogLine.Of("next")], Split("still the long line\nnext\n"));
    }

    [Theory]
    [InlineData("abcdefghijklmno", "é")] // é's two bytes straddle the limit
    [InlineData("abcdefghijklmn", "€")] // € ends one byte past it
    [InlineData("abcdefghijklmno", "€")] // € ends two bytes past it
    [InlineData("abcdefghijklm", "😀")] // four bytes, three of them past it
    public void Split_CutAtTheLimit_NeverSplitsAUtf8Sequence(string before, string straddling)
    {
        var lines = Split(before + straddling + " and much more\n");

        Assert.Equal([LogLine.Of(before, cut: true)], lines);
    }

    [Fact]
    public void Split_CharacterEndingExactlyAtTheLimit_IsKeptWhole()
    {
        Assert.Equal([LogLine.Of("abcdefghijklmné", cut: true)], Split("abcdefghijklmné and more\n"));
    }

    [Fact]
    public void Split_InvalidUtf8_BecomesReplacementCharacters()
    {
        Assert.Equal(["ok \uFFFD\uFFFD end"], Texts(Split([.. "ok "u8, 0xFF, 0xC3, .. " end\n"u8])));
    }

    [Fact]
    public void Split_EmptyLine_YieldsAnEmptyTextLine()
    {
        Assert.Equal([LogLine.Of(""), LogLine.Of(""), LogLine.Of("b")], Split("\n\r\nb\n"));
    }

    [Fact]
    public void TryFlush_PartialFinalLine_IsReturnedWithoutItsCr_ThenANewLineBegins()
    {
        Assert.Empty(Split("last words\r"));

        Assert.True(_splitter.TryFlush(out var line));
        Assert.Equal(LogLine.Of("last words"), line);
        Assert.False(_splitter.TryFlush(out _));
        Assert.Equal(["next"], Texts(Split("next\n")));
    }

    [Fact]
    public void TryFlush_NothingHeld_ReturnsFalse()
    {
        Split("whole\n");

        Assert.False(_splitter.TryFlush(out var line));
        Assert.Null(line);
    }

    [Fact]
    public void TryFlush_DuringTheRestOfACutLine_EndsTheSkip()
    {
        Split(new string('x', 20));

        Assert.False(_splitter.TryFlush(out _));
        Assert.Equal(["fresh"], Texts(Split("fresh\n")));
    }

    [Fact]
    public void Reset_DropsTheHeldLine()
    {
        Split("stale");

        _splitter.Reset();

        Assert.Equal(["fresh"], Texts(Split("fresh\n")));
    }

    private List<LogLine> Split(string text) => Split(Bytes(text));

    private List<LogLine> Split(ReadOnlySpan<byte> data)
    {
        var lines = new List<LogLine>();
        _splitter.Split(data, lines);
        return lines;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static List<string> Texts(List<LogLine> lines) => lines.Select(l => l.Text).ToList();

    [Fact]
    public void LongLineCutInOneRead_EndsInTheNext_SaysWhereTheNextLineStarts()
    {
        var lines = new List<LogLine>();
        var ends = new List<int>();

        _splitter.Split("0123456789abcdefghij"u8, lines, ends);
        Assert.Equal((1, (int?)null), (lines.Count, _splitter.SkipEndedAt));

        _splitter.Split("klm\nnext\n"u8, lines, ends);
        Assert.Equal(4, _splitter.SkipEndedAt);
        Assert.Equal(["0123456789abcdef", "next"], lines.Select(l => l.Text));
        Assert.Equal(9, ends[^1]);
    }
}

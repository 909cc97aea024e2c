using System.Text;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Tests.Bench;

public sealed class SkippedMarkerTests
{
    [Theory]
    [InlineData("""{"timestamp":"2026-11-21T16:35:42Z","file":"/var/log/a.log","kind":"skipped","skipped":98000}""", 98_000)]
    [InlineData("""{"skipped":12,"kind":"skipped","timestamp":"2026-11-21T16:35:42Z","lines":[]}""", 12)]
    [InlineData("""<div class="log-marker" data-kind="skipped" data-skipped="4500" data-file="/var/log/a.log">4,500 lines skipped</div>""", 4_500)]
    [InlineData("""<div data-skipped="7" title="x" data-kind="skipped">7 lines skipped</div>""", 7)]
    public void Marker_InJsonOrHtml_GivesItsCount(string data, long expected)
    {
        Assert.Equal(1, SkippedMarker.Count(Encoding.UTF8.GetBytes(data), out var skipped));
        Assert.Equal(expected, skipped);
    }

    [Theory]
    [InlineData("""{"timestamp":"2026-11-21T16:35:42Z","file":"a.log","kind":"lines","lines":[{"text":"3 lines skipped","level":null}]}""")]
    [InlineData("""{"kind":"lines","lines":[{"text":"{\"kind\":\"skipped\",\"skipped\":5}"}]}""")]
    [InlineData("""<div class="log-line" data-level="">&lt;b data-kind=&quot;skipped&quot; data-skipped=&quot;5&quot;&gt;</div>""")]
    [InlineData("""<div class="log-marker" data-kind="rotated" data-file="a.log">a.log was rotated</div>""")]
    public void LogTextOrOtherKinds_AreNoMarker(string data)
    {
        Assert.Equal(0, SkippedMarker.Count(Encoding.UTF8.GetBytes(data), out var skipped));
        Assert.Equal(0, skipped);
    }

    [Fact]
    public void Connection_AddsUpMarkersAcrossEvents()
    {
        ISseHandler connection = new SseConnection(new RunState());

        connection.OnData("""{"kind":"skipped","skipped":900}"""u8, 1);
        connection.OnData("""{"kind":"lines","lines":[{"text":"benchline 0 1"}]}"""u8, 1);
        connection.OnData("""<div data-kind="skipped" data-skipped="100"></div>"""u8, 1);

        var client = (SseConnection)connection;
        Assert.Equal(2, client.SkippedMarkers);
        Assert.Equal(1_000, client.LogLinesSkipped);
        Assert.Equal(1, client.LogLinesUnique);
    }
}

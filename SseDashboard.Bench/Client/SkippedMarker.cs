using System.Buffers.Text;

namespace SseDashboard.Bench.Client;

/// <summary>
/// The <c>log</c> event a rate-limited server sends instead of the lines it dropped: in JSON
/// <c>{"timestamp":…,"file":…,"kind":"skipped","skipped":N}</c>, in HTML an element with <c>data-kind="skipped"</c>
/// and <c>data-skipped="N"</c>. Escaped log text cannot look like either: quotes in it are <c>\"</c> or <c>&amp;quot;</c>.
/// </summary>
internal static class SkippedMarker
{
    private static ReadOnlySpan<byte> Word => "skipped"u8;

    /// <summary>How many skipped markers one <c>data:</c> line holds, and the lines they say were skipped.</summary>
    public static int Count(ReadOnlySpan<byte> data, out long skipped)
    {
        skipped = 0;
        if (data.IndexOf(Word) < 0)
        {
            return 0;
        }

        return Sum(data, "\"kind\":\"skipped\""u8, "\"skipped\":"u8, (byte)'{', (byte)'}', ref skipped)
            + Sum(data, "data-kind=\"skipped\""u8, "data-skipped=\""u8, (byte)'<', (byte)'>', ref skipped);
    }

    // Each kind marker, and the count inside the same object or element (its attributes or keys in any order).
    private static int Sum(ReadOnlySpan<byte> data, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> key, byte open, byte close, ref long skipped)
    {
        var markers = 0;
        int at;
        while ((at = data.IndexOf(kind)) >= 0)
        {
            var start = data[..at].LastIndexOf(open) + 1;
            var end = data[at..].IndexOf(close);
            var scope = end < 0 ? data[start..] : data[start..(at + end)];
            data = data[(at + kind.Length)..];
            var k = scope.IndexOf(key);
            if (k >= 0 && Utf8Parser.TryParse(scope[(k + key.Length)..].TrimStart((byte)' '), out long n, out _) && n >= 0)
            {
                markers++;
                skipped += n;
            }
        }

        return markers;
    }
}

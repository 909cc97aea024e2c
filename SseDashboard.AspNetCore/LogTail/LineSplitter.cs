using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SseDashboard.LogTail;

/// <summary>
/// Splits bytes into lines: LF ends a line (a CR before it is dropped), the rest waits for its LF, and a line longer
/// than <paramref name="maxLineBytes"/> is cut there and marked. Invalid UTF-8 becomes U+FFFD. Knows nothing of files.
/// </summary>
public sealed class LineSplitter(int maxLineBytes)
{
    private readonly ArrayBufferWriter<byte> _partial = new();
    private bool _skippingCut;

    /// <summary>
    /// Adds to <paramref name="lines"/> every line <paramref name="data"/> completes, in order, and to
    /// <paramref name="ends"/> (when given) where each ends in <paramref name="data"/>: just after its LF.
    /// </summary>
    public void Split(ReadOnlySpan<byte> data, ICollection<LogLine> lines, ICollection<int>? ends = null)
    {
        var max = maxLineBytes;
        var total = data.Length;
        SkipEndedAt = null;
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var segment = newline < 0 ? data : data[..newline];
            if (_skippingCut)
            {
                // The rest of a line already published cut.
                if (newline < 0)
                {
                    return;
                }

                _skippingCut = false;
                SkipEndedAt = total - data.Length + newline + 1;
                data = data[(newline + 1)..];
                continue;
            }

            var length = _partial.WrittenCount + segment.Length;
            // The CR of a CRLF may have come in the previous read, with the LF alone in this one.
            var crlf = newline >= 0 && (segment.IsEmpty ? _partial.WrittenCount > 0 && _partial.WrittenSpan[^1] == '\r' : EndsWithCr(segment));
            var content = crlf ? length - 1 : length;

            // Without its LF yet, one more byte may be the CR of a CRLF.
            if (content > max && (newline >= 0 || length > max + 1))
            {
                _partial.Write(segment[..Math.Min(segment.Length, max + 4 - Math.Min(max + 4, _partial.WrittenCount))]);
                var bytes = _partial.WrittenSpan;
                var cut = max;
                while (cut > max - 3 && cut > 0 && (bytes[cut] & 0xC0) == 0x80)
                {
                    cut--; // never split a UTF-8 sequence
                }

                lines.Add(LogLine.Of(Decode(bytes[..cut]), cut: true));
                ends?.Add(newline < 0 ? total : total - data.Length + newline + 1);
                _partial.Clear();
                _skippingCut = newline < 0;
                data = newline < 0 ? default : data[(newline + 1)..];
                continue;
            }

            if (newline < 0)
            {
                _partial.Write(segment);
                return;
            }

            if (_partial.WrittenCount > 0)
            {
                _partial.Write(segment);
                segment = _partial.WrittenSpan;
            }

            lines.Add(Line(segment));
            ends?.Add(total - data.Length + newline + 1);
            _partial.Clear();
            data = data[(newline + 1)..];
        }
    }

    /// <summary>
    /// Where, in the last data split, the rest of a line published cut ended (just after its LF): the next line starts
    /// there. Null when no cut line ended in it.
    /// </summary>
    public int? SkipEndedAt { get; private set; }

    /// <summary>
    /// The held line as it stands, for a file that ended without a final LF (rotated or truncated): that line was
    /// still written. False when nothing is held; either way what follows starts a new line.
    /// </summary>
    public bool TryFlush([NotNullWhen(true)] out LogLine? line)
    {
        line = _partial.WrittenCount > 0 ? Line(_partial.WrittenSpan) : null;
        Reset();
        return line is not null;
    }

    /// <summary>Forgets the held line and any cut in progress, as for a file read afresh.</summary>
    public void Reset()
    {
        _partial.Clear();
        _skippingCut = false;
    }

    private static LogLine Line(ReadOnlySpan<byte> bytes) => LogLine.Of(Decode(EndsWithCr(bytes) ? bytes[..^1] : bytes));

    private static bool EndsWithCr(ReadOnlySpan<byte> bytes) => bytes.Length > 0 && bytes[^1] == (byte)'\r';

    // Encoding.UTF8 replaces every invalid sequence with U+FFFD.
    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}

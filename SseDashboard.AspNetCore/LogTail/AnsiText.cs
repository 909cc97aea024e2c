using System.Text;

namespace SseDashboard.LogTail;

/// <summary>A run of a line's text styled by ANSI SGR codes: palette classes (<c>ansi-fg-1</c>, <c>ansi-bg-4</c>, <c>ansi-b</c>, <c>ansi-u</c>).</summary>
public sealed record AnsiRun(int Start, int Length, string Classes);

/// <summary>
/// Terminal escapes in a line: SGR colours (8, 16, 256 and true colour; bold, underline) become runs styled from a
/// fixed 16-colour palette, every other sequence (cursor movement, erase, OSC titles and hyperlinks, DCS, C1 codes)
/// is removed, and the text keeps no escape byte. Written by hand: no maintained .NET library parses SGR to classes.
/// </summary>
public static class AnsiText
{
    private const char Esc = '\u001b';
    private const char Csi8 = '\u009b';

    /// <summary>Whether the text holds ESC or a C1 control (U+0080 to U+009F: 8-bit CSI, OSC, DCS, ST and the rest).</summary>
    public static bool HasEscapes(string text) => text.AsSpan().IndexOfAnyInRange('\u0080', '\u009f') >= 0 || text.Contains(Esc);

    /// <summary>The text without escapes, and its styled runs (none when nothing was styled).</summary>
    public static (string Text, IReadOnlyList<AnsiRun> Runs) Parse(string text)
    {
        if (!HasEscapes(text))
        {
            return (text, []);
        }

        var plain = new StringBuilder(text.Length);
        var runs = new List<AnsiRun>();
        var style = new Style();
        var runStart = 0;
        var runClasses = "";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\u0090' or '\u0098' or '\u009d' or '\u009e' or '\u009f')
            {
                // 8-bit DCS, SOS, OSC, PM, APC: a string up to BEL or ST (U+009C or ESC \\), all removed.
                i = StringEnd(text, i + 1);
                continue;
            }

            if (c is >= '\u0080' and <= '\u009f' && c != Csi8)
            {
                continue; // any other C1 control
            }

            if (c != Esc && c != Csi8)
            {
                plain.Append(c);
                continue;
            }

            // Where the sequence ends, and whether it is SGR (CSI ... m).
            var (end, sgr) = SequenceEnd(text, i);
            if (sgr is not null)
            {
                Close(runs, runStart, plain.Length, runClasses);
                style.Apply(sgr);
                runStart = plain.Length;
                runClasses = style.Classes();
            }

            i = end;
        }

        Close(runs, runStart, plain.Length, runClasses);
        return (plain.ToString(), runs);
    }

    /// <summary>The text without any escape.</summary>
    public static string Strip(string text) => HasEscapes(text) ? Parse(text).Text : text;

    private static void Close(List<AnsiRun> runs, int start, int end, string classes)
    {
        if (end > start && classes.Length > 0)
        {
            runs.Add(new AnsiRun(start, end - start, classes));
        }
    }

    // The index of the sequence's last character, and its parameters when it is SGR.
    private static (int End, string? Sgr) SequenceEnd(string text, int start)
    {
        var csi = text[start] == Csi8;
        var i = start + 1;
        if (!csi)
        {
            if (i >= text.Length)
            {
                return (start, null);
            }

            switch (text[i])
            {
                case '[':
                    csi = true;
                    i++;
                    break;
                case ']' or 'P' or 'X' or '^' or '_':
                    // OSC, DCS, SOS, PM, APC: a string up to BEL or ST.
                    return (StringEnd(text, i + 1), null);
                default:
                    // A two-character escape (ESC c, ESC 7, ESC ( B takes one more).
                    return text[i] is '(' or ')' or '*' or '+' or '#' && i + 1 < text.Length ? (i + 1, null) : (i, null);
            }
        }

        var parameters = i;
        for (; i < text.Length; i++)
        {
            if (text[i] is >= '@' and <= '~')
            {
                return (i, text[i] == 'm' ? text[parameters..i] : null);
            }
        }

        return (text.Length - 1, null);
    }

    // The index of the last character of a control string starting at start: its BEL, its ST (U+009C, or ESC \\), or the end.
    private static int StringEnd(string text, int start)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] is '\u0007' or '\u009c')
            {
                return i;
            }

            if (text[i] == Esc && i + 1 < text.Length && text[i + 1] == '\\')
            {
                return i + 1;
            }
        }

        return text.Length - 1;
    }

    private sealed class Style
    {
        private int? _fg;
        private int? _bg;
        private bool _bold;
        private bool _underline;

        public void Apply(string sgr)
        {
            var groups = sgr.Length == 0 ? [""] : sgr.Split(';');
            var codes = groups.Select(g => int.TryParse(g.Split(':')[0], out var n) ? n : 0).ToArray();
            for (var i = 0; i < codes.Length; i++)
            {
                if (groups[i].Contains(':'))
                {
                    // The colon form keeps a code's parameters together: 38:5:n, 38:2:[space]:r:g:b, 4:3 (a curly underline).
                    ApplyGroup(groups[i].Split(':').Select(p => int.TryParse(p, out var n) ? n : 0).ToArray());
                    continue;
                }

                switch (codes[i])
                {
                    case 0: (_fg, _bg, _bold, _underline) = (null, null, false, false); break;
                    case 1: _bold = true; break;
                    case 4: _underline = true; break;
                    case 22: _bold = false; break;
                    case 24: _underline = false; break;
                    case >= 30 and <= 37: _fg = codes[i] - 30; break;
                    case >= 90 and <= 97: _fg = codes[i] - 90 + 8; break;
                    case 39: _fg = null; break;
                    case >= 40 and <= 47: _bg = codes[i] - 40; break;
                    case >= 100 and <= 107: _bg = codes[i] - 100 + 8; break;
                    case 49: _bg = null; break;
                    case 38 or 48:
                        var (color, used) = Extended(codes, i + 1);
                        if (codes[i] == 38)
                        {
                            _fg = color;
                        }
                        else
                        {
                            _bg = color;
                        }

                        i += used;
                        break;
                }
            }
        }

        private void ApplyGroup(int[] parts)
        {
            int? color = parts switch
            {
                [38 or 48, 5, var n, ..] => From256(n),
                [38 or 48, 2, _, var r, var g, var b, ..] => Nearest(r, g, b),
                [38 or 48, 2, var r, var g, var b] => Nearest(r, g, b),
                _ => null,
            };
            switch (parts[0])
            {
                case 38: _fg = color; break;
                case 48: _bg = color; break;
                case 4: _underline = parts.Length < 2 || parts[1] != 0; break;
            }
        }

        public string Classes() => string.Join(' ', new[]
        {
            _fg is { } fg ? $"ansi-fg-{fg}" : null,
            _bg is { } bg ? $"ansi-bg-{bg}" : null,
            _bold ? "ansi-b" : null,
            _underline ? "ansi-u" : null,
        }.OfType<string>());

        // 5;n (256 colours) or 2;r;g;b (true colour), to the nearest of the 16; how many codes it took.
        private static (int? Color, int Used) Extended(int[] codes, int at) => at < codes.Length ? codes[at] switch
        {
            5 when at + 1 < codes.Length => (From256(codes[at + 1]), 2),
            2 when at + 3 < codes.Length => (Nearest(codes[at + 1], codes[at + 2], codes[at + 3]), 4),
            _ => (null, codes.Length - at),
        } : (null, 0);

        private static int From256(int n) => n switch
        {
            < 16 and >= 0 => n,
            >= 16 and <= 231 => Nearest(Level((n - 16) / 36), Level((n - 16) / 6 % 6), Level((n - 16) % 6)),
            >= 232 and <= 255 => Nearest(8 + ((n - 232) * 10), 8 + ((n - 232) * 10), 8 + ((n - 232) * 10)),
            _ => 7,
        };

        private static int Level(int step) => step == 0 ? 0 : 55 + (step * 40);

        // The 16 colours as xterm draws them.
        private static readonly (int R, int G, int B)[] Palette =
        [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ];

        private static int Nearest(int r, int g, int b)
        {
            var best = 0;
            var bestDistance = int.MaxValue;
            for (var i = 0; i < Palette.Length; i++)
            {
                var (pr, pg, pb) = Palette[i];
                var distance = ((pr - r) * (pr - r)) + ((pg - g) * (pg - g)) + ((pb - b) * (pb - b));
                if (distance < bestDistance)
                {
                    (best, bestDistance) = (i, distance);
                }
            }

            return best;
        }
    }
}

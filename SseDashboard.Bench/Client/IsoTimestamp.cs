namespace SseDashboard.Bench.Client;

/// <summary>Parses the UTC ISO 8601 / RFC 3339 timestamps the servers send (any number of fraction digits).</summary>
internal static class IsoTimestamp
{
    /// <summary>
    /// <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)</c> to UTC ticks, straight from UTF-8 bytes and without
    /// allocating: it runs once per received event.
    /// </summary>
    public static bool TryParseUtcTicks(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)
            || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (s[i] == '.')
        {
            i++;
            var scale = TimeSpan.TicksPerSecond;
            var start = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                scale /= 10;
                fraction += (s[i] - '0') * scale;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        var offset = s[i..];
        if (!(offset.SequenceEqual("Z"u8) || offset.SequenceEqual("z"u8) || offset.SequenceEqual("+00:00"u8)))
        {
            return false;
        }

        ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }
}

using System.Globalization;

namespace SseDashboard.Metrics;

/// <summary>Cumulative CPU time from <c>/proc/stat</c>, in clock ticks.</summary>
public readonly record struct CpuTimes(ulong Busy, ulong Idle)
{
    public ulong Total => Busy + Idle;
}

/// <summary>The aggregate <c>cpu</c> line of <c>/proc/stat</c> and the number of <c>cpuN</c> lines.</summary>
public sealed record ProcStat(CpuTimes Cpu, int Cores)
{
    /// <summary>
    /// Busy = user + nice + system + irq + softirq + steal; idle = idle + iowait. Guest time is already inside user and
    /// nice. Fields an older kernel lacks count as 0. Null when there is no usable <c>cpu</c> line.
    /// </summary>
    public static ProcStat? Parse(string text)
    {
        CpuTimes? total = null;
        var cores = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var trimmed = line.TrimStart();
            if (!trimmed.StartsWith("cpu"))
            {
                continue;
            }

            if (trimmed.Length > 3 && char.IsAsciiDigit(trimmed[3]))
            {
                cores++;
            }
            else if (trimmed.Length == 3 || char.IsWhiteSpace(trimmed[3]))
            {
                total ??= ParseTimes(trimmed[3..].ToString());
            }
        }

        return total is { } cpu ? new ProcStat(cpu, cores) : null;
    }

    private static CpuTimes? ParseTimes(string fields)
    {
        var parts = fields.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4)
        {
            return null;
        }

        var values = new ulong[8];
        for (var i = 0; i < Math.Min(parts.Length, values.Length); i++)
        {
            if (!ulong.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        // user nice system idle iowait irq softirq steal; sums that overflow are nonsense, not data.
        try
        {
            var busy = checked(values[0] + values[1] + values[2] + values[5] + values[6] + values[7]);
            return new CpuTimes(busy, checked(values[3] + values[4]));
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}

/// <summary>The <c>/proc/meminfo</c> figures the memory panel uses, in bytes.</summary>
public sealed record MemInfo(long TotalBytes, long AvailableBytes)
{
    /// <summary>Null without <c>MemTotal</c>. Kernels before 3.14 lack <c>MemAvailable</c>: free + buffers + cached stands in.</summary>
    public static MemInfo? Parse(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var rest = line[(colon + 1)..].Trim();
            var unitAt = rest.IndexOf(' ');
            var number = unitAt < 0 ? rest : rest[..unitAt];
            var unit = unitAt < 0 ? [] : rest[unitAt..].Trim();
            if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value < long.MaxValue / 1024)
            {
                values[line[..colon].Trim().ToString()] = unit.Equals("kB", StringComparison.OrdinalIgnoreCase) ? value * 1024 : value;
            }
        }

        if (!values.TryGetValue("MemTotal", out var total) || total <= 0)
        {
            return null;
        }

        if (!values.TryGetValue("MemAvailable", out var available))
        {
            available = values.GetValueOrDefault("MemFree") + values.GetValueOrDefault("Buffers") + values.GetValueOrDefault("Cached");
        }

        return new MemInfo(total, Math.Clamp(available, 0, total));
    }
}

/// <summary>cgroup v2 interface files: limits (<c>memory.max</c>, <c>cpu.max</c>) and usage.</summary>
public static class Cgroup
{
    private const long DefaultCpuPeriod = 100_000;

    /// <summary><c>memory.max</c>: the limit in bytes, or null for <c>max</c>, empty or unreadable content.</summary>
    public static long? ParseMemoryMax(string text) =>
        ParseSingle(text) is { } value && value > 0 ? value : null;

    /// <summary><c>memory.current</c> and other single-number files.</summary>
    public static long? ParseSingle(string text)
    {
        var trimmed = text.Trim();
        return long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary><c>cpu.max</c> (<c>"$QUOTA $PERIOD"</c>): the cores the quota allows, or null for <c>max</c> or nonsense.</summary>
    public static double? ParseCpuMax(string text)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var quota) || quota <= 0)
        {
            return null;
        }

        var period = DefaultCpuPeriod;
        if (parts.Length > 1 && (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out period) || period <= 0))
        {
            return null;
        }

        return (double)quota / period;
    }

    /// <summary>A <c>key value</c> file such as <c>memory.stat</c> or <c>cpu.stat</c>: the named value, or null.</summary>
    public static long? ParseKeyed(string text, string key)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var trimmed = line.Trim();
            var space = trimmed.IndexOfAny(' ', '\t');
            if (space > 0 && trimmed[..space].SequenceEqual(key)
                && long.TryParse(trimmed[space..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The unified (v2) cgroup path from <c>/proc/self/cgroup</c> (<c>0::/path</c>), or null on a v1-only system.</summary>
    public static string? ParseUnifiedPath(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("0::"))
            {
                return line[3..].Trim().ToString();
            }
        }

        return null;
    }
}

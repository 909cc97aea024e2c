using System.Globalization;

namespace SseDashboard.Bench.Measurement;

/// <summary>A process's own accounting from <c>/proc</c>: CPU time (utime+stime) and resident memory.</summary>
internal readonly record struct ProcSample(long CpuTicks, long KernelTicks, long RssKb, DateTime At)
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every Linux build that matters).</summary>
    public const double TicksPerSecond = 100;

    public static ProcSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var kernel = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcSample(user + kernel, kernel, ReadRssKb(pid), DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static long ReadRssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public double CpuSecondsSince(ProcSample earlier) => (CpuTicks - earlier.CpuTicks) / TicksPerSecond;

    /// <summary>The kernel's share (stime) of the CPU time since <paramref name="earlier"/>, in %.</summary>
    public double KernelSharePercentSince(ProcSample earlier) =>
        CpuTicks == earlier.CpuTicks ? 0 : 100.0 * (KernelTicks - earlier.KernelTicks) / (CpuTicks - earlier.CpuTicks);

    /// <summary>CPU as % of one core over the interval (200 % = both cores of a 2-core machine).</summary>
    public double CpuPercentSince(ProcSample earlier) =>
        100 * CpuSecondsSince(earlier) / Math.Max(1e-9, (At - earlier.At).TotalSeconds);
}

/// <summary>Finds processes and limits through <c>/proc</c>.</summary>
internal static class ProcFs
{
    /// <summary>All cores' busy time (user, nice, system, irq, softirq, steal) from /proc/stat, in USER_HZ ticks.</summary>
    public static long? MachineBusyTicks()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new[] { 1, 2, 3, 6, 7, 8 }.Sum(i => long.Parse(f[i], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The soft RLIMIT_NOFILE of a process ("self" for this one), or null when unreadable.</summary>
    public static long? OpenFilesLimit(string pid = "self")
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return soft is null ? null : soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The process listening on a local TCP port: the socket's inode from /proc/net/tcp{,6}, then the fd that holds it.</summary>
    public static int? FindListeningPid(int port)
    {
        var inodes = TcpTable.Read()
            .Where(s => s.State == TcpSocket.Listen && s.LocalPort == port)
            .Select(s => $"socket:[{s.Inode}]")
            .ToHashSet();
        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Processes come and go while we look.
            }
        }

        return null;
    }
}

namespace SseDashboard.Metrics;

/// <summary>Takes one cpu and one memory sample; each call measures since the previous one.</summary>
public interface IMetricsSampler
{
    (CpuSample Cpu, MemorySample Memory) Sample();
}

/// <summary>Where the sampler reads the kernel's figures; tests point these at fixture copies.</summary>
public sealed record MetricsSources(string ProcRoot, string CgroupRoot)
{
    public static MetricsSources Default { get; } = new("/proc", "/sys/fs/cgroup");
}

/// <summary>
/// Machine figures from <c>/proc</c> (limited by cgroup v2 <c>cpu.max</c>/<c>memory.max</c> when those are lower), process
/// figures from the runtime. Anything unreadable makes the machine figures null, never an exception.
/// </summary>
public sealed class MetricsSampler : IMetricsSampler
{
    private readonly MetricsSources _sources;
    private readonly TimeProvider _timeProvider;
    private readonly bool _linux;
    private readonly string? _cgroupDir;
    private readonly SampleHistory _systemCpu = new();
    private readonly SampleHistory _processCpu = new();
    private readonly SampleHistory _memoryUsed = new();
    private readonly SampleHistory _workingSet = new();
    private long _lastTimestamp;
    private TimeSpan _lastProcessTime;
    private CpuTimes? _lastMachine;
    private double? _lastSystem;
    private long? _lastCgroupUsageMicros;

    public MetricsSampler(MetricsSources sources, TimeProvider timeProvider, bool? linux = null)
    {
        _sources = sources;
        _timeProvider = timeProvider;
        _linux = linux ?? OperatingSystem.IsLinux();
        _cgroupDir = _linux ? FindCgroupDir() : null;

        // The baseline: the first sample already measures a real interval.
        _lastTimestamp = timeProvider.GetTimestamp();
        _lastProcessTime = ProcessCpuTime();
        _lastMachine = ReadProcStat()?.Cpu;
        _lastCgroupUsageMicros = CgroupCpuUsageMicros();
    }

    public (CpuSample Cpu, MemorySample Memory) Sample()
    {
        var now = _timeProvider.GetUtcNow();
        return (SampleCpu(now), SampleMemory(now));
    }

    private CpuSample SampleCpu(DateTimeOffset now)
    {
        var timestamp = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_lastTimestamp, timestamp);
        _lastTimestamp = timestamp;

        var stat = ReadProcStat();
        var machineCores = stat is { Cores: > 0 } ? stat.Cores : Environment.ProcessorCount;
        var quota = CgroupLimit("cpu.max", Cgroup.ParseCpuMax);
        var containerLimited = quota is { } q && q < machineCores;
        var cores = containerLimited ? quota!.Value : machineCores;

        double? system = null;
        if (containerLimited)
        {
            var usage = CgroupCpuUsageMicros();
            if (usage is { } u && _lastCgroupUsageMicros is { } last && elapsed > TimeSpan.Zero)
            {
                system = Percent((u - last) / (elapsed.TotalMicroseconds * cores));
            }

            _lastCgroupUsageMicros = usage;
        }
        else if (stat is not null && _lastMachine is { } previous && stat.Cpu.Total > previous.Total)
        {
            system = Percent((double)(stat.Cpu.Busy - Math.Min(stat.Cpu.Busy, previous.Busy)) / (stat.Cpu.Total - previous.Total));
            _lastMachine = stat.Cpu;
        }
        else if (stat is not null && _lastMachine is { } unchanged && stat.Cpu.Total == unchanged.Total)
        {
            // No clock tick was accounted since the last reading (an idle tickless kernel, or a very short interval):
            // keep the older reading as the baseline so the next sample measures the longer window, and show the last figure.
            system = _lastSystem;
        }
        else
        {
            // No reading before, or counters that went back (iowait may, and virtualised /proc/stat): a new baseline.
            _lastMachine = stat?.Cpu;
        }

        _lastSystem = system;

        // Environment.CpuUsage is Process.TotalProcessorTime (user + system) without creating a Process object.
        var processTime = ProcessCpuTime();
        double? process = elapsed > TimeSpan.Zero ? Percent((processTime - _lastProcessTime) / (elapsed * cores)) : null;
        _lastProcessTime = processTime;

        var available = containerLimited ? _lastCgroupUsageMicros is not null : stat is not null;
        return new CpuSample(now, system, process, Math.Round(cores, 2), available, containerLimited)
        {
            SystemHistory = _systemCpu.Add(system),
            ProcessHistory = _processCpu.Add(process),
        };
    }

    private MemorySample SampleMemory(DateTimeOffset now)
    {
        var info = _linux ? MemInfo.Parse(Read(_sources.ProcRoot, "meminfo") ?? "") : null;
        long? total = info?.TotalBytes;
        long? available = info?.AvailableBytes;

        var limit = CgroupLimit("memory.max", Cgroup.ParseMemoryMax);
        var containerLimited = limit is { } l && (total is null || l < total);
        if (containerLimited && _cgroupDir is not null)
        {
            // What the kernel would reclaim first (inactive page cache) does not count as used, as in `docker stats`.
            var current = Cgroup.ParseSingle(Read(_cgroupDir, "memory.current") ?? "");
            var inactive = Cgroup.ParseKeyed(Read(_cgroupDir, "memory.stat") ?? "", "inactive_file") ?? 0;
            total = limit;
            available = current is { } c ? Math.Clamp(limit!.Value - Math.Max(0, c - inactive), 0, limit.Value) : null;
            if (available is not null && info is not null)
            {
                available = Math.Min(available.Value, info.AvailableBytes);
            }
        }

        double? used = total is > 0 && available is { } a ? Percent((double)(total.Value - a) / total.Value) : null;
        var workingSet = Environment.WorkingSet;
        return new MemorySample(
            now,
            total,
            available,
            used,
            workingSet,
            GC.GetTotalMemory(forceFullCollection: false),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            used is not null,
            containerLimited)
        {
            UsedHistory = _memoryUsed.Add(used),
            WorkingSetHistory = _workingSet.Add(workingSet),
        };
    }

    private static double Percent(double fraction) => Math.Round(Math.Clamp(fraction * 100, 0, 100), 1);

    private static TimeSpan ProcessCpuTime() => Environment.CpuUsage.TotalTime;

    private ProcStat? ReadProcStat() => _linux && Read(_sources.ProcRoot, "stat") is { } text ? ProcStat.Parse(text) : null;

    private long? CgroupCpuUsageMicros() =>
        _cgroupDir is not null && Read(_cgroupDir, "cpu.stat") is { } text ? Cgroup.ParseKeyed(text, "usage_usec") : null;

    /// <summary>The tightest limit of this cgroup and its ancestors: a parent's limit binds its children too.</summary>
    private T? CgroupLimit<T>(string file, Func<string, T?> parse) where T : struct, IComparable<T>
    {
        T? tightest = null;
        var root = Path.TrimEndingDirectorySeparator(_sources.CgroupRoot);
        for (var dir = _cgroupDir; dir is not null && dir.StartsWith(root, StringComparison.Ordinal); dir = Path.GetDirectoryName(dir))
        {
            if (Read(dir, file) is { } text && parse(text) is { } value && (tightest is null || value.CompareTo(tightest.Value) < 0))
            {
                tightest = value;
            }
        }

        return tightest;
    }

    private string? FindCgroupDir()
    {
        var root = Path.TrimEndingDirectorySeparator(_sources.CgroupRoot);
        if (!File.Exists(Path.Combine(root, "cgroup.controllers")))
        {
            return null; // no cgroup v2 hierarchy mounted
        }

        var relative = Cgroup.ParseUnifiedPath(Read(_sources.ProcRoot, "self/cgroup") ?? "")?.Trim('/');
        var dir = string.IsNullOrEmpty(relative) ? root : Path.Combine(root, relative);

        // Inside a container's cgroup namespace the listed path may not exist under the mount: the mount is our cgroup.
        return Directory.Exists(dir) ? dir : root;
    }

    private static string? Read(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

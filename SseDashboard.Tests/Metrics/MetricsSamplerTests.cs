using Microsoft.Extensions.Time.Testing;
using SseDashboard.Metrics;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Metrics;

public sealed class MetricsSamplerTests
{
    private const string LaterStat = "cpu  1600 100 700 8700 600 50 50 100 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\ncpu2 1 1 1 1\ncpu3 1 1 1 1\n";

    [Fact]
    public void Sample_Machine_SystemPercentIsBusyDeltaOverTotalDelta()
    {
        using var root = Fixtures.CopyOf("container");
        File.Delete(Path.Combine(root.Path, "cgroup", "cgroup.controllers")); // no cgroup v2: whole machine
        var time = new FakeTimeProvider();
        var sampler = new MetricsSampler(Sources(root), time, linux: true);

        File.WriteAllText(Path.Combine(root.Path, "proc", "stat"), LaterStat);
        time.Advance(TimeSpan.FromSeconds(1));
        var (cpu, memory) = sampler.Sample();

        // busy 1500 -> 2600 (steal counts), idle+iowait 8500 -> 9300: 1100 of 1900 ticks.
        Assert.Equal(57.9, cpu.SystemPercent);
        Assert.Equal(4, cpu.Cores);
        Assert.True(cpu.SystemAvailable);
        Assert.False(cpu.ContainerLimited);
        Assert.InRange(cpu.ProcessPercent!.Value, 0, 100);

        Assert.Equal(16777216L * 1024, memory.TotalBytes);
        Assert.Equal(12582912L * 1024, memory.AvailableBytes);
        Assert.Equal(25, memory.UsedPercent);
        Assert.False(memory.ContainerLimited);
    }

    [Fact]
    public void Sample_NoTickAccountedSinceTheLastReading_ShowsTheLastFigure_AndMeasuresTheLongerWindowNext()
    {
        using var root = Fixtures.CopyOf("container");
        File.Delete(Path.Combine(root.Path, "cgroup", "cgroup.controllers"));
        var stat = Path.Combine(root.Path, "proc", "stat");
        var time = new FakeTimeProvider();
        var sampler = new MetricsSampler(Sources(root), time, linux: true);

        // An idle tickless kernel may account no tick at all over a short interval.
        time.Advance(TimeSpan.FromMilliseconds(50));
        var first = sampler.Sample().Cpu;
        Assert.Null(first.SystemPercent);
        Assert.True(first.SystemAvailable);

        File.WriteAllText(stat, LaterStat);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(57.9, sampler.Sample().Cpu.SystemPercent);

        time.Advance(TimeSpan.FromMilliseconds(50));
        var unchanged = sampler.Sample().Cpu;
        Assert.Equal(57.9, unchanged.SystemPercent);
        Assert.True(unchanged.SystemAvailable);

        // Against the reading before the unchanged one: busy +100 (user), total +200 (user and idle): 100 of 200 ticks.
        File.WriteAllText(stat, "cpu  1700 100 700 8800 600 50 50 100 0 0\n" + string.Join("", LaterStat.Split('\n')[1..].Select(l => l.Length > 0 ? l + "\n" : "")));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(50, sampler.Sample().Cpu.SystemPercent);

        // Counters that went back (iowait may) are a new baseline, not a window to wait out.
        File.WriteAllText(stat, LaterStat);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Null(sampler.Sample().Cpu.SystemPercent);
        File.WriteAllText(stat, "cpu  1700 100 700 8800 600 50 50 100 0 0\n" + string.Join("", LaterStat.Split('\n')[1..].Select(l => l.Length > 0 ? l + "\n" : "")));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(50, sampler.Sample().Cpu.SystemPercent);
    }

    [Fact]
    public void Sample_CgroupV2Limits_AreTheTotalAndTheCores_TightestAncestorWins()
    {
        using var root = Fixtures.CopyOf("container");
        var time = new FakeTimeProvider();
        var sampler = new MetricsSampler(Sources(root), time, linux: true);

        File.WriteAllText(Path.Combine(root.Path, "cgroup", "app.slice", "svc", "cpu.stat"), "usage_usec 2750000\n");
        time.Advance(TimeSpan.FromSeconds(1));
        var (cpu, memory) = sampler.Sample();

        // cpu.max 150000/100000 = 1.5 cores; 0.75 s of CPU in 1 s is half of that.
        Assert.True(cpu.ContainerLimited);
        Assert.Equal(1.5, cpu.Cores);
        Assert.Equal(50, cpu.SystemPercent);

        // The parent's 768 MiB binds tighter than the service's 1 GiB; used = current 512 MiB - inactive file 128 MiB.
        Assert.True(memory.ContainerLimited);
        Assert.Equal(805306368, memory.TotalBytes);
        Assert.Equal(805306368 - (536870912 - 134217728), memory.AvailableBytes);
        Assert.Equal(50, memory.UsedPercent);
    }

    [Fact]
    public void Sample_NotLinux_MachineFiguresUnavailable_ProcessFiguresStillThere()
    {
        var time = new FakeTimeProvider();
        var sampler = new MetricsSampler(MetricsSources.Default, time, linux: false);
        time.Advance(TimeSpan.FromSeconds(1));

        var (cpu, memory) = sampler.Sample();

        Assert.Null(cpu.SystemPercent);
        Assert.False(cpu.SystemAvailable);
        Assert.NotNull(cpu.ProcessPercent);
        Assert.Equal(Environment.ProcessorCount, cpu.Cores);
        Assert.Null(memory.TotalBytes);
        Assert.Null(memory.UsedPercent);
        Assert.False(memory.SystemAvailable);
        Assert.True(memory.ProcessWorkingSetBytes > 0);
        Assert.True(memory.GcHeapBytes > 0);
        Assert.NotNull(memory.Gen0Collections);
    }

    [Fact]
    public void Sample_ProcUnreadable_MachineFiguresUnavailable_NoException()
    {
        using var root = new TempDirectory();
        var time = new FakeTimeProvider();
        var sampler = new MetricsSampler(new MetricsSources(root.File("no-proc"), root.File("no-cgroup")), time, linux: true);
        time.Advance(TimeSpan.FromSeconds(1));

        var (cpu, memory) = sampler.Sample();

        Assert.Null(cpu.SystemPercent);
        Assert.False(cpu.SystemAvailable);
        Assert.NotNull(cpu.ProcessPercent);
        Assert.Null(memory.AvailableBytes);
        Assert.False(memory.SystemAvailable);
    }

    [Fact]
    public void Sample_KeepsTheLast120SamplesOfEachSeries()
    {
        using var root = Fixtures.CopyOf("container");
        var time = new FakeTimeProvider();
        var sampler = new MetricsSampler(Sources(root), time, linux: true);
        var statPath = Path.Combine(root.Path, "cgroup", "app.slice", "svc", "cpu.stat");

        var usage = 2_000_000L;
        var last = sampler.Sample();
        for (var i = 1; i <= 130; i++)
        {
            // Sample i uses (i % 50)% of the 1.5 cores, so the history says which samples it kept.
            usage += 15_000L * (i % 50);
            File.WriteAllText(statPath, $"usage_usec {usage}\n");
            time.Advance(TimeSpan.FromSeconds(1));
            last = sampler.Sample();
        }

        Assert.Equal(SampleHistory.Capacity, last.Cpu.SystemHistory.Count);
        Assert.Equal(Enumerable.Range(11, 120).Select(i => (double?)(i % 50)), last.Cpu.SystemHistory);
        Assert.Equal(120, last.Cpu.ProcessHistory.Count);
        Assert.Equal(120, last.Memory.UsedHistory.Count);
        Assert.Equal(120, last.Memory.WorkingSetHistory.Count);
    }

    private static MetricsSources Sources(TempDirectory root) =>
        new(Path.Combine(root.Path, "proc"), Path.Combine(root.Path, "cgroup"));
}

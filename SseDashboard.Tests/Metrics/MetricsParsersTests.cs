using SseDashboard.Metrics;

namespace SseDashboard.Tests.Metrics;

public sealed class MetricsParsersTests
{
    [Fact]
    public void ProcStat_RealCopy_BusyIsUserNiceSystemIrqSoftirqSteal_IdleIsIdlePlusIowait()
    {
        // cpu  91889 0 8427 330828 1235 0 404 427 0 0
        var stat = ProcStat.Parse(Fixtures.Read("proc-stat.txt"));

        Assert.NotNull(stat);
        Assert.Equal(91889UL + 0 + 8427 + 0 + 404 + 427, stat.Cpu.Busy);
        Assert.Equal(330828UL + 1235, stat.Cpu.Idle);
        Assert.Equal(2, stat.Cores);
    }

    [Fact]
    public void ProcStat_OldKernelWithFourFields_CountsMissingFieldsAsZero()
    {
        var stat = ProcStat.Parse(Fixtures.Read("proc-stat-old-kernel.txt"));

        Assert.Equal(new CpuTimes(1500, 8000), stat!.Cpu);
        Assert.Equal(1, stat.Cores);
    }

    [Fact]
    public void ProcStat_ExtraWhitespaceAndFields_ParsesTheFirstEightFields()
    {
        // 10 20 30 40 50 60 70 80 (guest 90, guest_nice 100 are inside user and nice already)
        var stat = ProcStat.Parse(Fixtures.Read("proc-stat-whitespace.txt"));

        Assert.Equal(new CpuTimes(10 + 20 + 30 + 60 + 70 + 80, 40 + 50), stat!.Cpu);
        Assert.Equal(2, stat.Cores);
    }

    [Theory]
    [InlineData("proc-stat-overflow.txt")]
    [InlineData("proc-stat-no-total.txt")]
    public void ProcStat_Nonsense_IsNullNotAnException(string fixture) =>
        Assert.Null(ProcStat.Parse(Fixtures.Read(fixture)));

    [Fact]
    public void ProcStat_EmptyOrGarbage_IsNull()
    {
        Assert.Null(ProcStat.Parse(""));
        Assert.Null(ProcStat.Parse("cpu  1 2 x 4\n"));
        Assert.Null(ProcStat.Parse("cpu 1 2\n"));
    }

    [Fact]
    public void MemInfo_RealCopy_ReadsTotalAndAvailableInBytes()
    {
        var info = MemInfo.Parse(Fixtures.Read("meminfo.txt"));

        Assert.Equal(new MemInfo(24684096L * 1024, 23775676L * 1024), info);
    }

    [Fact]
    public void MemInfo_WithoutMemAvailable_UsesFreePlusBuffersPlusCached()
    {
        var info = MemInfo.Parse(Fixtures.Read("meminfo-old-kernel.txt"));

        Assert.Equal(new MemInfo(16384000L * 1024, (1024000L + 512000 + 2048000) * 1024), info);
    }

    [Fact]
    public void MemInfo_HugeAvailableAndOddSpacing_FallsBackAndStaysWithinTotal()
    {
        // MemAvailable overflows when scaled to bytes: it is ignored, and free (100 kB) stands in.
        var info = MemInfo.Parse(Fixtures.Read("meminfo-odd.txt"));

        Assert.Equal(new MemInfo(8000000L * 1024, 100 * 1024), info);
    }

    [Fact]
    public void MemInfo_WithoutTotal_IsNull()
    {
        Assert.Null(MemInfo.Parse("MemFree: 100 kB\n"));
        Assert.Null(MemInfo.Parse(""));
    }

    [Theory]
    [InlineData("memory.max-max", null)]
    [InlineData("memory.max-spaces", 1073741824L)]
    [InlineData("memory.max-huge", null)]
    [InlineData("memory.max-nolimit-page", 9223372036854771712L)]
    [InlineData("memory.max-empty", null)]
    public void CgroupMemoryMax_Fixtures(string fixture, long? expected) =>
        Assert.Equal(expected, Cgroup.ParseMemoryMax(Fixtures.Read("cgroup/" + fixture)));

    [Theory]
    [InlineData("cpu.max-max", null)]
    [InlineData("cpu.max-quota", 1.5)]
    [InlineData("cpu.max-no-period", 0.5)]
    [InlineData("cpu.max-spaces", 2.0)]
    [InlineData("cpu.max-garbage", null)]
    [InlineData("cpu.max-zero-period", null)]
    public void CgroupCpuMax_Fixtures(string fixture, double? expectedCores) =>
        Assert.Equal(expectedCores, Cgroup.ParseCpuMax(Fixtures.Read("cgroup/" + fixture)));

    [Fact]
    public void CgroupKeyedAndPath_ReadTheNamedValue()
    {
        Assert.Equal(134217728, Cgroup.ParseKeyed(Fixtures.Read("container/cgroup/app.slice/svc/memory.stat"), "inactive_file"));
        Assert.Null(Cgroup.ParseKeyed("file 1\n", "inactive_file"));
        Assert.Equal("/app.slice/svc", Cgroup.ParseUnifiedPath(Fixtures.Read("container/proc/self/cgroup")));
        Assert.Null(Cgroup.ParseUnifiedPath("4:memory:/x\n"));
    }
}

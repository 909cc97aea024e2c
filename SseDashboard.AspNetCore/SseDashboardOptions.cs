namespace SseDashboard;

/// <summary>The dashboard's parts a host can choose (<c>Dashboard:Features</c>, or <see cref="SseDashboardOptions.Features"/>).</summary>
[Flags]
public enum DashboardFeatures
{
    None = 0,

    /// <summary>The <c>clock</c> panel.</summary>
    Clock = 1,

    /// <summary>The machine's <c>cpu</c> and <c>memory</c> panels.</summary>
    Metrics = 2,

    /// <summary>Log files followed like <c>tail -F</c> (<c>Dashboard:LogTail</c>), into the <c>log</c> panel.</summary>
    LogTail = 4,

    /// <summary>The <c>server</c> panel: the dashboard's own streams, throughput and disconnects.</summary>
    Server = 8,

    /// <summary>The app's own log entries, in-process (<c>Dashboard:AppLog</c>), into the <c>log</c> panel.</summary>
    AppLog = 16,

    /// <summary>The app's own instruments (<c>Dashboard:Meters</c>): the <c>meters</c> panel.</summary>
    Meters = 32,

    /// <summary>Alert rules (<c>Dashboard:Alerts</c>) and the <c>alerts</c> panel, when any rule is configured.</summary>
    Alerts = 64,

    All = Clock | Metrics | LogTail | Server | AppLog | Meters | Alerts,
}

/// <summary>What <c>AddSseDashboard</c> sets up; everything else is read from the <c>Dashboard</c> section.</summary>
public sealed class SseDashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>The parts to run; by default all of them (<c>Dashboard:AppLog:Enabled</c> and <c>Dashboard:Meters:Enabled</c> can still turn theirs off).</summary>
    public DashboardFeatures Features { get; set; } = DashboardFeatures.All;
}

using System.Data.Common;
using Microsoft.Extensions.Options;

namespace SseDashboard.History;

public enum StoreProvider
{
    /// <summary>An embedded SQLite file: nothing to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (an Npgsql connection string).</summary>
    Postgres,

    /// <summary>Memory only: nothing outlives the process.</summary>
    None,
}

/// <summary>The <c>Dashboard:Store</c> section: where published events are kept, and for how long.</summary>
public sealed class HistoryOptions
{
    public const string Section = "Dashboard:Store";

    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>
    /// For SQLite, empty means <c>Data Source=data/dashboard.db</c> (the file in <c>Dashboard:DataPath</c>); PostgreSQL
    /// needs one (<c>Host=…;Database=…;Username=…;Password=…</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Metric samples are kept at full resolution this long, then as one point a minute (min, avg, max).</summary>
    public TimeSpan MetricsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the one-a-minute points are kept.</summary>
    public TimeSpan DownsampledRetention { get; set; } = TimeSpan.FromDays(90);

    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most log lines kept; the oldest go first.</summary>
    public long MaxLogLines { get; set; } = 10_000_000;

    /// <summary>How often retention is applied (not a documented key: tests shorten it).</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The least time between two of this process's writes (a batch that fills up goes at once). Empty: half a second
    /// with PostgreSQL, where a fleet's many writers share one store and its commits are the limit; none with SQLite,
    /// where a write costs little and the hub shows events before they are stored.
    /// </summary>
    public TimeSpan? CommitInterval { get; set; }

    internal TimeSpan EffectiveCommitInterval => CommitInterval ?? (Provider == StoreProvider.Postgres ? TimeSpan.FromMilliseconds(500) : TimeSpan.Zero);
}

public sealed class ValidateHistoryOptions : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
    {
        var errors = new OptionsErrors(HistoryOptions.Section);
        if (!Enum.IsDefined(options.Provider))
        {
            errors.Add("Provider", $"must be Sqlite, Postgres or None (was '{options.Provider}').");
        }

        errors.Range("MetricsRetention", options.MetricsRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        errors.Range("DownsampledRetention", options.DownsampledRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(36500));
        errors.Range("LogRetention", options.LogRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        errors.Range("MaxLogLines", options.MaxLogLines, 1, 10_000_000_000);
        errors.Range("TrimInterval", options.TrimInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        if (options.CommitInterval is { } commit)
        {
            errors.Range("CommitInterval", commit, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
        if (options.Provider == StoreProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("ConnectionString", "is required when Provider is Postgres (an Npgsql connection string: Host=…;Database=…;Username=…).");
        }
        else if (options.Provider != StoreProvider.None && !string.IsNullOrWhiteSpace(options.ConnectionString)
            && ConnectionStringProblem(options.Provider, options.ConnectionString) is { } problem)
        {
            errors.Add("ConnectionString", $"is not a valid {options.Provider} connection string: {problem}");
        }

        return errors.Result;
    }

    private static string? ConnectionStringProblem(StoreProvider provider, string connectionString)
    {
        try
        {
            DbConnectionStringBuilder builder = provider == StoreProvider.Postgres
                ? new Npgsql.NpgsqlConnectionStringBuilder(connectionString)
                : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
            return provider == StoreProvider.Sqlite && string.IsNullOrEmpty(((Microsoft.Data.Sqlite.SqliteConnectionStringBuilder)builder).DataSource)
                ? "it names no Data Source."
                : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            return ex.Message;
        }
    }
}

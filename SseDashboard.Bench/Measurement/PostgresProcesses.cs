using System.Globalization;
using Npgsql;

namespace SseDashboard.Bench.Measurement;

/// <summary>
/// A local PostgreSQL server's processes: the postmaster and its children (a backend per connection, the WAL writer,
/// checkpointer, autovacuum…). Their CPU time is summed with what the postmaster's reaped children used
/// (cutime+cstime), so backends that end within a window still count.
/// </summary>
internal sealed class PostgresProcesses(int postmasterPid)
{
    public int PostmasterPid => postmasterPid;

    /// <summary>
    /// The postmaster of the server behind <paramref name="connectionString"/>: the parent of this connection's backend
    /// (any user may ask for its backend's pid); null when that process is not on this machine.
    /// </summary>
    public static async Task<PostgresProcesses?> FindAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return Stat.TryRead(backend) is { Command: "postgres" } stat && Stat.TryRead(stat.ParentPid) is { Command: "postgres" or "postmaster" }
            ? new PostgresProcesses(stat.ParentPid)
            : null;
    }

    /// <summary>CPU ticks (USER_HZ) the server has used so far, and how many processes it has now.</summary>
    public (long Ticks, int Processes) Read() =>
        Sum(postmasterPid, Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is { Length: > 0 } && char.IsAsciiDigit(name[0]))
            .Select(name => Stat.TryRead(int.Parse(name!, CultureInfo.InvariantCulture)))
            .OfType<Stat>());

    /// <summary>The root's own and reaped children's time, and each live child's own time.</summary>
    internal static (long Ticks, int Processes) Sum(int root, IEnumerable<Stat> stats)
    {
        var (ticks, processes) = (0L, 0);
        foreach (var s in stats)
        {
            if (s.Pid == root)
            {
                (ticks, processes) = (ticks + s.User + s.System + s.ChildrenUser + s.ChildrenSystem, processes + 1);
            }
            else if (s.ParentPid == root)
            {
                (ticks, processes) = (ticks + s.User + s.System, processes + 1);
            }
        }

        return (ticks, processes);
    }

    /// <summary>The fields of <c>/proc/PID/stat</c> this needs, times in USER_HZ ticks.</summary>
    internal sealed record Stat(int Pid, string Command, int ParentPid, long User, long System, long ChildrenUser, long ChildrenSystem)
    {
        public static Stat? TryRead(int pid)
        {
            try
            {
                return Parse(File.ReadAllText($"/proc/{pid}/stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null; // gone while we looked
            }
        }

        public static Stat? Parse(string line)
        {
            // The command is in parentheses and may hold spaces or parentheses itself: it ends at the last ')'.
            var (open, close) = (line.IndexOf('('), line.LastIndexOf(')'));
            if (open < 0 || close < open || close + 2 > line.Length)
            {
                return null;
            }

            var f = line[(close + 2)..].Split(' ');
            return f.Length > 14
                && int.TryParse(line[..open].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
                && long.TryParse(f[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
                && long.TryParse(f[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
                && long.TryParse(f[13], NumberStyles.None, CultureInfo.InvariantCulture, out var childrenUser)
                && long.TryParse(f[14], NumberStyles.None, CultureInfo.InvariantCulture, out var childrenSystem)
                    ? new Stat(pid, line[(open + 1)..close], parent, user, system, childrenUser, childrenSystem)
                    : null;
        }
    }
}

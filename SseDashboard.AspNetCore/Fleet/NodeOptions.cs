using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>What a process is in a fleet.</summary>
public enum NodeRole
{
    /// <summary>Serves the UI and the streams, and reports its own host.</summary>
    Dashboard,

    /// <summary>No UI: runs the metrics and log-tail producers for its host and writes to the store; <c>/healthz</c> only.</summary>
    Agent,
}

/// <summary><c>Dashboard:Role</c> and <c>Dashboard:HostName</c>: what this process is, and the host its events carry.</summary>
public sealed class NodeOptions
{
    public const string Section = "Dashboard";

    public NodeRole Role { get; set; } = NodeRole.Dashboard;

    /// <summary>Defaults to the machine name. It ends up in event data, element ids and URLs: see <see cref="HostNames"/>.</summary>
    public string HostName { get; set; } = Environment.MachineName;
}

/// <summary><c>Dashboard:Fleet</c>: how an agent rides out a store that is down.</summary>
public sealed class FleetOptions
{
    public const string Section = "Dashboard:Fleet";

    /// <summary>Log lines an agent keeps while the store is down (the newest); older ones are counted as skipped.</summary>
    public int AgentBufferLines { get; set; } = 10_000;
}

public sealed class ValidateNodeOptions(IOptions<History.HistoryOptions> store) : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        var errors = new OptionsErrors(NodeOptions.Section);
        if (!HostNames.IsValid(options.HostName))
        {
            errors.Add("HostName", $"must be {HostNames.Rule} (was '{options.HostName}').");
        }

        if (!Enum.IsDefined(options.Role))
        {
            errors.Add("Role", $"must be Dashboard or Agent (was '{options.Role}').");
        }
        else if (options.Role == NodeRole.Agent && store.Value.Provider != History.StoreProvider.Postgres)
        {
            errors.Add("Role", "Agent writes to a fleet's store: it needs Dashboard:Store:Provider=Postgres.");
        }

        return errors.Result;
    }
}

public sealed class ValidateFleetOptions : IValidateOptions<FleetOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        var errors = new OptionsErrors(FleetOptions.Section);
        errors.Range("AgentBufferLines", options.AgentBufferLines, 0, 10_000_000);
        return errors.Result;
    }
}

namespace SseDashboard.Fleet;

public static class FleetExtensions
{
    /// <summary>What this process is (<c>Dashboard:Role</c>), the host its events are about (<c>Dashboard:HostName</c>).</summary>
    public static WebApplicationBuilder AddFleet(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<NodeOptions, ValidateNodeOptions>(NodeOptions.Section);
        builder.Services.AddValidatedOptions<FleetOptions, ValidateFleetOptions>(FleetOptions.Section);
        return builder;
    }
}

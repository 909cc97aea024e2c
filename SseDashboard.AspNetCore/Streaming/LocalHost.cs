namespace SseDashboard.Streaming;

/// <summary>
/// The host this process reports (<c>Dashboard:HostName</c>): what is published here without a host is about it.
/// <see cref="Role"/>: what the process is in a fleet (<c>Dashboard:Role</c>), stored with its host.
/// </summary>
public sealed record LocalHost(string Name, string Role = "");

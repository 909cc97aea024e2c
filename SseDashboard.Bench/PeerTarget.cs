namespace SseDashboard.Bench;

/// <summary>A server the same scenario also runs against: URL, and how to start it or find its process.</summary>
internal sealed record PeerTarget(string Name, string Url)
{
    public string? StartCommand { get; set; }

    public int? Pid { get; set; }
}

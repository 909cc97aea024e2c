namespace SseDashboard.Streaming;

/// <summary>
/// A payload that names the host it is about: JSON payloads carry it as <c>host</c>. The hub names its own host in
/// what is published to it without one.
/// </summary>
public interface IHostPayload
{
    string Host { get; }

    /// <summary>The same payload about <paramref name="host"/>.</summary>
    IHostPayload WithHost(string host);
}

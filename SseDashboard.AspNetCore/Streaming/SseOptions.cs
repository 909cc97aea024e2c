using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>The <c>Dashboard:Sse</c> section: how <c>/sse</c> connections are kept alive, resumed and bounded.</summary>
public sealed class SseOptions
{
    public const string Section = "Dashboard:Sse";

    /// <summary>A comment is sent to a connection that has had nothing else for this long.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events each stream topic keeps for replay after a reconnect.</summary>
    public int ReplayCapacity { get; set; } = 1000;

    /// <summary>
    /// Most stream items (log lines) a resuming reader is sent from the history store, beyond the replay ring; one
    /// further behind gets the reset instead.
    /// </summary>
    public int MaxReplayLines { get; set; } = 100_000;

    /// <summary>Stream events a subscriber may fall behind before it is disconnected to resume by replay.</summary>
    public int MaxQueuedEvents { get; set; } = 512;

    /// <summary>The <c>retry:</c> sent to each client, spread uniformly over [Retry, 2 × Retry) so reconnects scatter.</summary>
    public TimeSpan Retry { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection whose writes make no progress for this long is aborted, whatever its topics.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Open streams past which <c>/sse</c> answers 503 with <c>Retry-After</c>.</summary>
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>
    /// Once a stream is granted, its request's service scope is disposed rather than kept for the stream's life (the
    /// request gets a fresh one should anything ask): about 1 KB less per open stream. For an app that uses no scoped
    /// service after a stream ends (its middleware's, or a scoped <see cref="IStreamAccess"/> and its leases'); the
    /// standalone app's default, off in a host.
    /// </summary>
    public bool ReleaseRequestServices { get; set; }
}

public sealed class ValidateSseOptions : IValidateOptions<SseOptions>
{
    public ValidateOptionsResult Validate(string? name, SseOptions options)
    {
        var errors = new OptionsErrors(SseOptions.Section);
        errors.Range("Heartbeat", options.Heartbeat, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        errors.Range("Retry", options.Retry, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        errors.Range("ReplayCapacity", options.ReplayCapacity, 1, 1_000_000);
        errors.Range("MaxReplayLines", options.MaxReplayLines, 0, 10_000_000);
        errors.Range("MaxQueuedEvents", options.MaxQueuedEvents, 1, 1_000_000);
        errors.Range("StallTimeout", options.StallTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        errors.Range("MaxConnections", options.MaxConnections, 1, 1_000_000);
        return errors.Result;
    }
}

/// <summary>
/// How long the hub may go without publishing before <c>/healthz</c> calls it stuck. Not a configuration key: a
/// feature that publishes on a schedule raises it to fit its interval.
/// </summary>
public sealed class StreamingHealthOptions
{
    public TimeSpan MaxSilence { get; set; } = TimeSpan.FromSeconds(5);
}

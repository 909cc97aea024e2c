using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Alerts;

/// <summary>
/// A fleet's other dashboard nodes: their alerts panel and topic follow the evaluating node's changes through the
/// store (read each second while this node does not evaluate), so every node shows the same alerts. Destinations'
/// health is the evaluating node's to show: a following node's panel leaves it out.
/// </summary>
public sealed partial class AlertFollower(
    IEventPublisher publisher, AlertStore store, AlertLeader leader, IOptions<AlertsOptions> options, TimeProvider timeProvider, ILogger<AlertFollower> logger) : BackgroundService
{
    private static readonly TimeSpan Read = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!store.IsShared)
        {
            return;
        }

        var kinds = options.Value.Rules.ToDictionary(r => r.Name, r => r.Kind.ToString());
        (long Change, string Silences, string Active)? shown = null;
        using var timer = new PeriodicTimer(Read, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (leader.IsLeader)
                {
                    shown = null;
                    continue;
                }

                try
                {
                    shown = await FollowAsync(kinds, shown, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFollowFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<(long, string, string)> FollowAsync(
        Dictionary<string, string> kinds, (long Change, string Silences, string Active)? shown, CancellationToken cancellationToken)
    {
        var recent = await store.ChangesAsync(null, null, null, null, null, AlertEvaluator.RecentChanges, cancellationToken);
        var silences = await store.SilencesAsync(cancellationToken);
        var stored = await store.LoadAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var newest = recent.Count > 0 ? recent[0].Id : 0;
        var silenceKey = string.Join(',', silences.Select(s => $"{s.Id}:{s.EndsAt.ToUnixTimeMilliseconds()}"));
        // Matches, lines and values change without a change of state: shown when the evaluator stores them.
        var activeKey = string.Join(',', stored.Select(a => $"{a.Rule}|{a.Host}|{a.State}|{a.Matches}|{a.Value}|{a.Lines.Count}|{a.Summary.GetHashCode(StringComparison.Ordinal)}"));
        if (shown is { } last && last.Change == newest && last.Silences == silenceKey && last.Active == activeKey)
        {
            return last;
        }

        var active = stored
            .OrderByDescending(a => a.State == AlertStates.Firing).ThenBy(a => a.Since)
            .Select(a => new ActiveAlert(
                a.Rule, kinds.GetValueOrDefault(a.Rule, ""), a.Host, a.State, a.Since, a.Summary, a.Value, a.Matches, a.Lines,
                silences.Any(s => s.Covers(a.Rule, a.Host, now))))
            .ToArray();
        var unseen = shown is { } before ? recent.Where(c => c.Id > before.Change).Reverse().ToArray() : [];
        foreach (var change in unseen.DefaultIfEmpty())
        {
            await publisher.PublishAsync(
                AlertTopics.Alerts,
                new AlertsUpdate(now, change?.Rule, change?.State, change?.Host, change?.At, change?.Summary, active, recent, silences, []),
                cancellationToken);
        }

        return (newest, silenceKey, activeKey);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Following the alerts in the store failed ({Problem}); trying again")]
    private static partial void LogFollowFailed(ILogger logger, string problem);
}

using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Alerts;

/// <summary>
/// Evaluates the rules on the events the panels show, as they reach this node's hub (in a fleet, every host's, from
/// the store), on the one node that holds the lead (<see cref="AlertLeader"/>): going on from the stored state when
/// it takes over. Events are read through a subscription like a client's; a tick each second moves time-based states
/// (For, windows, grouping, repeats, hosts gone quiet).
/// </summary>
public sealed partial class AlertEvaluator(
    EventHub hub,
    IEventPublisher publisher,
    AlertStore store,
    AlertNotifier notifier,
    AlertLeader leader,
    AlertLinks links,
    LocalHost localHost,
    IOptions<AlertsOptions> options,
    TimeProvider timeProvider,
    ILogger<AlertEvaluator> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SilencesRead = TimeSpan.FromSeconds(2);

    private readonly AlertRule[] _rules = options.Value.Rules.Select(r => new AlertRule(r)).ToArray();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Rule, string Host), AlertInstance> _active = [];
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly List<AlertChange> _recent = [];
    private IReadOnlyList<Silence> _silences = [];
    private DateTimeOffset _silencesReadAt;

    public const int RecentChanges = 20;

    /// <summary>
    /// A silence was made or ended here: applied before this returns when this node evaluates (another node of a fleet
    /// reads it from the store within <see cref="SilencesRead"/>).
    /// </summary>
    public async Task SilencesChangedAsync(CancellationToken cancellationToken)
    {
        if (!leader.IsLeader)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _silences = await store.SilencesAsync(cancellationToken);
            _silencesReadAt = timeProvider.GetUtcNow();
            await PublishAsync(null, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifier.HealthChanged += OnHealthChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using var leadership = await leader.AcquireAsync(stoppingToken);
                using var evaluating = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Lost);
                try
                {
                    await EvaluateAsync(evaluating.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The lead was lost: wait to take it again.
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The store could not be read (state, changes, silences): give the lead up, and try again.
                    LogEvaluationFailed(logger, ex.Message);
                    await Task.Delay(AlertLeader.Retry, timeProvider, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            notifier.HealthChanged -= OnHealthChanged;
        }
    }

    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var topics = hub.Topics.Where(t => t.PerHost).ToArray();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await LoadAsync(topics, cancellationToken);
            await PublishAsync(null, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        using var subscription = await hub.SubscribeAsync(topics, SseFormat.Json, hub.LastEventId, cancellationToken: cancellationToken);
        using var stopTicking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ticking = TickAsync(stopTicking.Token);
        try
        {
            while (await subscription.Queue.WaitToReadAsync().AsTask().WaitAsync(cancellationToken))
            {
                var batch = subscription.Queue.TakeBatch();
                await _gate.WaitAsync(cancellationToken);
                try
                {
                    foreach (var e in batch)
                    {
                        if (e?.Topic is { } topic && e.Payload is { } payload)
                        {
                            try
                            {
                                await OnEventAsync(topic, e.Host ?? localHost.Name, payload, cancellationToken);
                            }
                            catch (Exception ex) when (ex is not OperationCanceledException)
                            {
                                // The store failing to record a change: the state in memory goes on, the next change tries again.
                                LogTickFailed(logger, ex.Message);
                            }
                        }
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }

            // The hub dropped this reader (it fell too far behind): say so, and read on from now.
            LogFellBehind(logger);
        }
        finally
        {
            // Read again from the start (the lead kept): the ticks stop with this reading.
            await stopTicking.CancelAsync();
            await ((Task)ticking).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task LoadAsync(IReadOnlyCollection<Topic> perHost, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        _active.Clear();
        // Every host the hub has heard of is seen now: one that stays quiet from here (an agent already gone when this
        // node took the lead) goes offline after its For, and none is judged by when this node last led.
        _lastSeen.Clear();
        var snapshot = await hub.SnapshotAsync(perHost.Where(t => t.Kind == TopicKind.State).ToArray(), cancellationToken: cancellationToken);
        foreach (var host in snapshot.Events.Values.SelectMany(e => e).Select(e => e.Host).OfType<string>())
        {
            _lastSeen[host] = now;
        }

        foreach (var stored in await store.LoadAsync(cancellationToken))
        {
            if (_rules.FirstOrDefault(r => r.Name == stored.Rule) is not { } rule)
            {
                continue; // a rule since removed from the settings
            }

            var instance = new AlertInstance(rule, stored.Host)
            {
                State = stored.State,
                Since = stored.Since,
                NotifiedAt = stored.NotifiedAt,
                Matches = stored.Matches,
                Value = stored.Value,
                Summary = stored.Summary,
                Lines = [.. stored.Lines],
                // Quiet from now: a log alert resolves a window after the restart unless lines come.
                LastMatch = now,
            };
            _active[(rule.Name, stored.Host)] = instance;
            _lastSeen.TryAdd(stored.Host, now);
        }

        _recent.Clear();
        _recent.AddRange((await store.ChangesAsync(null, null, null, null, null, RecentChanges, cancellationToken)).Reverse());
        _silences = await store.SilencesAsync(cancellationToken);
        _silencesReadAt = now;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick, timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await OnTickAsync(timeProvider.GetUtcNow(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store failing: the next tick tries again; the state in memory goes on.
                LogTickFailed(logger, ex.Message);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private void OnHealthChanged() => _ = PublishSoonAsync();

    private async Task PublishSoonAsync()
    {
        if (!leader.IsLeader)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            await PublishAsync(null, CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The alert evaluator fell behind the events and was dropped by the hub; it reads on from now")]
    private static partial void LogFellBehind(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts cannot be evaluated now ({Problem}); trying again")]
    private static partial void LogEvaluationFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating alerts failed ({Problem}); trying again at the next tick")]
    private static partial void LogTickFailed(ILogger logger, string problem);
}

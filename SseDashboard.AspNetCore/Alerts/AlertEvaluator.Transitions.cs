namespace SseDashboard.Alerts;

/// <summary>The evaluator's state machine: pending → firing → resolved, the notifications it sends, and what it publishes.</summary>
public sealed partial class AlertEvaluator
{
    private async Task OnLogMatchAsync(AlertRule rule, string host, string line, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instance = Instance(rule, host);
        var o = rule.Options;
        instance.LastMatch = now;
        instance.Window.Enqueue(now);
        while (instance.Window.TryPeek(out var oldest) && oldest <= now - o.Window)
        {
            instance.Window.Dequeue();
        }

        instance.Sample(line);
        instance.Dirty = true;
        if (instance.State == AlertStates.Firing)
        {
            instance.Matches++;
            instance.Unnotified++;
            instance.Summary = LogSummary(instance);
            // The first match after a quiet spell goes out at once; more within GroupInterval wait for the tick.
            if (instance.Unnotified == 1 && (instance.NotifiedAt is null || now - instance.NotifiedAt >= options.Value.GroupInterval))
            {
                await NotifyAsync(instance, AlertStates.Firing, now, cancellationToken);
            }

            return;
        }

        instance.Unnotified = instance.Window.Count;
        instance.Summary = LogSummary(instance);
        if (instance.Window.Count >= o.Count)
        {
            instance.Matches = instance.Window.Count;
            await FireAsync(instance, now, cancellationToken);
        }
        else if (instance.State is null)
        {
            await ChangeAsync(instance, AlertStates.Pending, now, cancellationToken);
        }
    }

    private static string LogSummary(AlertInstance instance)
    {
        var count = instance.State == AlertStates.Firing ? instance.Matches : instance.Window.Count;
        var first = instance.Lines.Count > 0 ? instance.Lines[^1] : "";
        return $"{count} {(count == 1 ? "line" : "lines")} on {instance.Host} matched {instance.Rule.Name}: {(first.Length > 200 ? first[..200] + "…" : first)}";
    }

    private async Task OnConditionAsync(AlertRule rule, string host, bool holds, double? value, string summary, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = (rule.Name, host);
        if (!holds)
        {
            if (_active.TryGetValue(key, out var ending))
            {
                ending.Value = value;
                ending.Summary = summary;
                await ResolveAsync(ending, now, cancellationToken);
            }

            return;
        }

        var instance = Instance(rule, host);
        instance.Dirty |= instance.Value != value;
        instance.Value = value;
        instance.Summary = summary;
        if (instance.State is null)
        {
            await ChangeAsync(instance, AlertStates.Pending, now, cancellationToken);
        }

        if (instance.State == AlertStates.Pending && now - instance.Since >= rule.Options.For)
        {
            await FireAsync(instance, now, cancellationToken);
        }
    }

    private async Task OnTickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (store.IsShared && now - _silencesReadAt >= SilencesRead)
        {
            // Made on another node. A store that cannot be read keeps the silences known; the tick goes on.
            _silencesReadAt = now;
            IReadOnlyList<Silence>? silences = null;
            await PersistAsync(async () => silences = await store.SilencesAsync(cancellationToken));
            if (silences is not null && !silences.Select(s => (s.Id, s.EndsAt)).SequenceEqual(_silences.Select(s => (s.Id, s.EndsAt))))
            {
                _silences = silences;
                await PublishAsync(null, cancellationToken);
            }
        }

        foreach (var rule in _rules.Where(r => r.Kind == AlertKind.HostOffline))
        {
            foreach (var (host, seen) in _lastSeen.Where(h => rule.Watches(h.Key)).ToArray())
            {
                if (now - seen >= rule.Options.For && !_active.ContainsKey((rule.Name, host)))
                {
                    var instance = Instance(rule, host);
                    instance.Summary = $"{host} has sent nothing since {seen.UtcDateTime:HH:mm:ss} UTC";
                    await FireAsync(instance, now, cancellationToken);
                }
            }
        }

        foreach (var instance in _active.Values.ToArray())
        {
            // What changed without a change of state (matches, lines, a value): stored once a tick, not per event.
            if (instance.Dirty && instance.State is not null)
            {
                instance.Dirty = false;
                await PersistAsync(() => store.SaveAsync(instance.ToStored(), cancellationToken));
            }

            var o = instance.Rule.Options;
            if (instance.Rule.Kind == AlertKind.Log && now - instance.LastMatch >= o.Window)
            {
                instance.Summary = $"No line on {instance.Host} matched {instance.Rule.Name} for {o.Window}";
                await ResolveAsync(instance, now, cancellationToken);
            }
            else if (instance.State == AlertStates.Pending && instance.Rule.Kind != AlertKind.Log && now - instance.Since >= o.For)
            {
                await FireAsync(instance, now, cancellationToken);
            }
            else if (instance.State == AlertStates.Firing && instance.NotifiedAt is { } notified
                && (now - notified >= options.Value.RepeatInterval || (instance.Unnotified > 0 && now - notified >= options.Value.GroupInterval)))
            {
                await NotifyAsync(instance, AlertStates.Firing, now, cancellationToken);
            }
            else if (instance.State == AlertStates.Firing && instance.NotifiedAt is null && !Silenced(instance, now))
            {
                // Fired while silenced: the silence is over.
                await NotifyAsync(instance, AlertStates.Firing, now, cancellationToken);
            }
        }
    }

    private AlertInstance Instance(AlertRule rule, string host)
    {
        if (!_active.TryGetValue((rule.Name, host), out var instance))
        {
            _active[(rule.Name, host)] = instance = new AlertInstance(rule, host);
        }

        return instance;
    }

    // Queued for sending before anything is stored: a slow or failing store never holds the notification up.
    private async Task FireAsync(AlertInstance instance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        instance.State = AlertStates.Firing;
        instance.Since = now;
        instance.NotifiedAt = null;
        if (!await NotifyAsync(instance, AlertStates.Firing, now, cancellationToken))
        {
            await PersistAsync(() => store.SaveAsync(instance.ToStored(), cancellationToken)); // silenced: stored here
        }

        await RecordAsync(instance, now, cancellationToken);
    }

    private async Task ResolveAsync(AlertInstance instance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fired = instance.State == AlertStates.Firing;
        _active.Remove((instance.Rule.Name, instance.Host));
        instance.State = AlertStates.Resolved;
        if (fired)
        {
            await NotifyAsync(instance, AlertStates.Resolved, now, cancellationToken);
        }

        await PersistAsync(() => store.RemoveAsync(instance.Rule.Name, instance.Host, cancellationToken));
        await RecordAsync(instance, now, cancellationToken);
    }

    private async Task ChangeAsync(AlertInstance instance, string state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        instance.State = state;
        instance.Since = now;
        if (state == AlertStates.Firing)
        {
            instance.NotifiedAt = null;
        }

        await PersistAsync(() => store.SaveAsync(instance.ToStored(), cancellationToken));
        await RecordAsync(instance, now, cancellationToken);
    }

    // A store that fails never holds a notification up: the state in memory goes on, and is stored at its next change.
    private async Task PersistAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTickFailed(logger, ex.Message);
        }
    }

    private async Task RecordAsync(AlertInstance instance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var change = new AlertChange(0, instance.Rule.Name, instance.State!, instance.Host, now, instance.Summary, instance.Value, instance.Matches);
        await PersistAsync(async () => change = await store.AddChangeAsync(change, cancellationToken));
        _recent.Add(change);
        if (_recent.Count > RecentChanges)
        {
            _recent.RemoveAt(0);
        }

        await PublishAsync(change, cancellationToken);
    }

    private bool Silenced(AlertInstance instance, DateTimeOffset now) => _silences.Any(s => s.Covers(instance.Rule.Name, instance.Host, now));

    // Silenced: nothing is sent, and the matches wait; the alert still shows, marked. True when sent (and a firing
    // alert's state stored with when).
    private async Task<bool> NotifyAsync(AlertInstance instance, string state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Silenced(instance, now))
        {
            return false;
        }

        var notification = new AlertNotification(
            instance.Rule.Name,
            instance.Rule.Kind.ToString(),
            state,
            instance.Host,
            instance.Since,
            state == AlertStates.Resolved ? now : null,
            instance.Summary,
            instance.Value,
            instance.Matches,
            [.. instance.Samples],
            links.To(instance.Rule.Name));
        notifier.Enqueue(notification, instance.Rule.Destinations);
        instance.Samples.Clear();
        instance.Unnotified = 0;
        if (state != AlertStates.Resolved)
        {
            instance.NotifiedAt = now;
            await PersistAsync(() => store.SaveAsync(instance.ToStored(), cancellationToken));
        }

        return true;
    }

    private ValueTask PublishAsync(AlertChange? change, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var active = _active.Values
            .OrderByDescending(a => a.State == AlertStates.Firing).ThenBy(a => a.Since)
            .Select(a => new ActiveAlert(a.Rule.Name, a.Rule.Kind.ToString(), a.Host, a.State!, a.Since, a.Summary, a.Value, a.Matches, [.. a.Lines], Silenced(a, now)))
            .ToArray();
        var update = new AlertsUpdate(
            now, change?.Rule, change?.State, change?.Host, change?.At, change?.Summary,
            active, [.. _recent.AsEnumerable().Reverse()], [.. _silences.Where(s => s.EndsAt > now)], notifier.Health());
        return PublishUpdateAsync(update, cancellationToken);
    }

    private async ValueTask PublishUpdateAsync(AlertsUpdate update, CancellationToken cancellationToken) =>
        await publisher.PublishAsync(AlertTopics.Alerts, update, cancellationToken);
}

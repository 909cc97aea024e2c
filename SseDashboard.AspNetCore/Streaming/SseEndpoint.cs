using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary><c>GET /sse</c>: one connection, the requested topics, each event written as the hub encoded it.</summary>
public static class SseEndpoint
{
    /// <summary>
    /// Most bytes written to a connection between flushes: the stall watch times each step, not a whole catch-up, and a
    /// client that stops reading holds at most this beyond Kestrel's response buffer (8 KB with AddStreamingTransport)
    /// until it is dropped (frames are written in slices of it).
    /// </summary>
    private const int FlushBytes = 8 * 1024;

    /// <summary>How long a stream whose access ended gets to write its <c>close</c> event before it is aborted.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    // Not async: a stream keeps StreamAsync's state machine and its write loop's for as long as it lasts, and no third.
    public static Task HandleAsync(
        HttpContext context, EventHub hub, StreamingMetrics metrics, TimeProvider timeProvider, IStreamAccess access, IOptions<SseOptions> options)
    {
        if (SseRequest.TryParse(context.Request, hub, access.AllowedTopics(context), out var request) is { } problem)
        {
            return problem.ExecuteAsync(context);
        }

        var sse = options.Value;
        var retry = JitteredRetry(sse.Retry);
        var lease = access.Lease(context);
        if (!metrics.TryOpen(sse.MaxConnections))
        {
            lease?.Dispose();
            context.Response.SetRetryAfter(retry);
            return TypedResults.Problem(
                title: "Too many connections",
                detail: $"This server holds at most {sse.MaxConnections} streams (Dashboard:Sse:MaxConnections). Retry later.",
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
        }

        return StreamAsync(context, hub, metrics, timeProvider, request, retry, lease, sse.ReleaseRequestServices);
    }

    /// <summary>
    /// The <c>retry:</c> for one connection, uniform over [retry, 2 × retry): after a restart or a network blip the
    /// clients come back spread over a whole interval instead of in the same few milliseconds.
    /// </summary>
    private static TimeSpan JitteredRetry(TimeSpan retry) =>
        TimeSpan.FromMilliseconds(Math.Floor(retry.TotalMilliseconds * (1 + Random.Shared.NextDouble())));

    private static async Task StreamAsync(
        HttpContext context, EventHub hub, StreamingMetrics metrics, TimeProvider timeProvider, SseRequest request, TimeSpan retry, StreamLease? lease,
        bool releaseRequestServices)
    {
        var reason = DisconnectReason.Client;
        try
        {
            var response = context.Response;
            context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache, no-transform";
            response.Headers["X-Accel-Buffering"] = "no";

            var aborted = context.RequestAborted;
            Subscription subscription;
            try
            {
                // The hub aborts the connection when its queue overflows or its writes stall.
                subscription = await hub.SubscribeAsync(request.Topics, request.Format, request.LastEventId, request.Hosts, context.Abort, aborted);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return;
            }

            using var _ = subscription;
            // The write loop never blocks its thread (WriteEventsAsync): a fan-out may run it on its wake batch.
            subscription.Queue.InlineWake = true;
            // Granted and leased: what authenticating the request left behind need not live as long as the stream.
            StreamAuthentication.Release(context);
            if (releaseRequestServices)
            {
                await ReleaseRequestServicesAsync(context);
            }

            using var registration = aborted.Register(static s => ((Subscription)s!).Complete(), subscription);
            // Only a stream with a lease pays for watching it.
            using var accessEnd = lease is null ? null : new AccessEnd(lease, subscription, context, timeProvider);

            var writer = response.BodyWriter;
            var subscribedAt = timeProvider.GetTimestamp();
            try
            {
                // The response starts here, in the request's execution context (a host's OnStarting callbacks may use it).
                writer.Write(SseFraming.RetryFrame(retry));
                var flush = await writer.FlushAsync(aborted);
                if (!flush.IsCompleted && !flush.IsCanceled)
                {
                    // The loop runs without that context, which it does not use: resumed once per event on every
                    // stream, it would switch into it and back on each wake-up (1.3 % of a fan-out's CPU).
                    AsyncFlowControl? flow = ExecutionContext.IsFlowSuppressed() ? null : ExecutionContext.SuppressFlow();
                    var writing = WriteEventsAsync(writer, subscription, metrics, timeProvider, subscribedAt, aborted);
                    flow?.Undo();
                    flush = await writing;
                }

                if (lease?.Reason is { } ended && !flush.IsCompleted && !flush.IsCanceled)
                {
                    writer.Write(SseFraming.CloseFrame(ended));
                    await writer.FlushAsync(aborted);
                    reason = DisconnectReason.AccessEnded;
                    return;
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away, or the connection was aborted (stalled, overflowed, or past the drain deadline).
            }

            reason = subscription.Stalled ? DisconnectReason.Stalled
                : subscription.Queue.Overflowed ? DisconnectReason.Overflow
                : hub.IsCompleted ? DisconnectReason.Shutdown
                : DisconnectReason.Client;
        }
        finally
        {
            metrics.Closed(reason);
            lease?.Dispose();
        }
    }

    /// <summary>
    /// Writes whatever the queue holds each time it wakes, until the queue ends or the client is gone; returns the last
    /// flush's result. Never blocks its thread: a fan-out may run it on its wake batch, with the other writers.
    /// </summary>
    private static async Task<FlushResult> WriteEventsAsync(
        PipeWriter writer, Subscription subscription, StreamingMetrics metrics, TimeProvider timeProvider, long subscribedAt, CancellationToken aborted)
    {
        var flush = default(FlushResult);
        var (queue, format) = (subscription.Queue, subscription.Format);
        while (!flush.IsCompleted && !flush.IsCanceled && await queue.WaitToReadAsync())
        {
            // Everything queued for this client goes out with one flush (a long catch-up in steps of FlushBytes).
            var (events, bytes, unflushed, oldest) = (0, 0L, 0L, long.MaxValue);
            foreach (var e in queue.TakeBatch())
            {
                if (e is null)
                {
                    continue;
                }

                // A big frame (a first paint's log lines) goes in slices, a flush after each: what a client that
                // stopped reading holds in the process stays about FlushBytes, whatever the frame.
                var frame = e.Frame(format);
                for (var offset = 0; offset < frame.Length;)
                {
                    var slice = frame.AsSpan(offset, (int)Math.Min(frame.Length - offset, FlushBytes - unflushed));
                    writer.Write(slice);
                    (offset, unflushed) = (offset + slice.Length, unflushed + slice.Length);
                    if (unflushed >= FlushBytes)
                    {
                        flush = await FlushWatchedAsync(writer, subscription, timeProvider, aborted);
                        unflushed = 0;
                    }
                }

                bytes += frame.Length;
                if (e.PublishedAt != 0)
                {
                    events++;
                    oldest = Math.Min(oldest, Math.Max(e.PublishedAt, subscribedAt)); // a replay is as old as the connection
                }
            }

            flush = await FlushWatchedAsync(writer, subscription, timeProvider, aborted);
            metrics.Written(events, bytes, events > 0 ? timeProvider.GetElapsedTime(oldest) : null);
        }

        return flush;
    }

    /// <summary>
    /// Disposes the request's service scope now, not when the stream ends, and gives the request a fresh one made on
    /// demand. The scope keeps every scoped service the request resolved (authentication's among them) for as long
    /// as the stream lasts.
    /// </summary>
    private static async ValueTask ReleaseRequestServicesAsync(HttpContext context)
    {
        // Without the feature, the request makes a new one (and with it a scope) when next asked for its services.
        if (context.Features.Get<IServiceProvidersFeature>() is RequestServicesFeature used)
        {
            context.Features.Set<IServiceProvidersFeature>(null);
            await used.DisposeAsync();
        }
    }

    /// <summary>
    /// A stream whose access ended (expired or revoked): what is queued drains, then the <c>close</c> event; a client
    /// not reading by <see cref="CloseGrace"/> is cut off.
    /// </summary>
    private sealed class AccessEnd : IDisposable
    {
        private readonly Subscription _subscription;
        private readonly CancellationTokenSource _deadline;
        private readonly CancellationTokenRegistration _abort;
        private readonly CancellationTokenRegistration _ended;

        public AccessEnd(StreamLease lease, Subscription subscription, HttpContext context, TimeProvider timeProvider)
        {
            _subscription = subscription;
            _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
            _abort = _deadline.Token.Register(static c => ((HttpContext)c!).Abort(), context);
            _ended = lease.Ended.Register(static s => ((AccessEnd)s!).Ended(), this);
        }

        private void Ended()
        {
            _subscription.Complete();
            _deadline.CancelAfter(CloseGrace);
        }

        public void Dispose()
        {
            _ended.Dispose();
            _abort.Dispose();
            _deadline.Dispose();
        }
    }

    // Only a flush that waits on the client is watched for a stall; most complete at once, without a state machine.
    private static ValueTask<FlushResult> FlushWatchedAsync(PipeWriter writer, Subscription subscription, TimeProvider timeProvider, CancellationToken aborted)
    {
        var pending = writer.FlushAsync(aborted);
        return pending.IsCompleted ? pending : WatchedAsync(pending, subscription, timeProvider);
    }

    private static async ValueTask<FlushResult> WatchedAsync(ValueTask<FlushResult> pending, Subscription subscription, TimeProvider timeProvider)
    {
        subscription.WriteStarted(timeProvider.GetTimestamp());
        try
        {
            return await pending;
        }
        finally
        {
            subscription.WriteFinished();
        }
    }
}

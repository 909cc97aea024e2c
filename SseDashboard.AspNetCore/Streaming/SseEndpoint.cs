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

    public static async Task HandleAsync(
        HttpContext context, EventHub hub, StreamingMetrics metrics, TimeProvider timeProvider, IStreamAccess access, IOptions<SseOptions> options)
    {
        if (SseRequest.TryParse(context.Request, hub, access.AllowedTopics(context), out var request) is { } problem)
        {
            await problem.ExecuteAsync(context);
            return;
        }

        using var lease = access.Lease(context);
        var sse = options.Value;
        var retry = JitteredRetry(sse.Retry);
        if (!metrics.TryOpen(sse.MaxConnections))
        {
            context.Response.SetRetryAfter(retry);
            await TypedResults.Problem(
                title: "Too many connections",
                detail: $"This server holds at most {sse.MaxConnections} streams (Dashboard:Sse:MaxConnections). Retry later.",
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        var reason = DisconnectReason.Client;
        try
        {
            reason = await StreamAsync(context, hub, metrics, timeProvider, request, retry, lease);
        }
        finally
        {
            metrics.Closed(reason);
        }
    }

    /// <summary>
    /// The <c>retry:</c> for one connection, uniform over [retry, 2 × retry): after a restart or a network blip the
    /// clients come back spread over a whole interval instead of in the same few milliseconds.
    /// </summary>
    private static TimeSpan JitteredRetry(TimeSpan retry) =>
        TimeSpan.FromMilliseconds(Math.Floor(retry.TotalMilliseconds * (1 + Random.Shared.NextDouble())));

    private static async Task<DisconnectReason> StreamAsync(
        HttpContext context, EventHub hub, StreamingMetrics metrics, TimeProvider timeProvider, SseRequest request, TimeSpan retry, StreamLease? lease)
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
            subscription = await hub.SubscribeAsync(request.Topics, request.Format, request.LastEventId, request.Hosts, context.Abort, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return DisconnectReason.Client;
        }

        using var _ = subscription;
        // Granted and leased: what authenticating the request left behind need not live as long as the stream.
        StreamAuthentication.Release(context);
        using var registration = aborted.Register(static s => ((Subscription)s!).Complete(), subscription);
        using var deadline = hub.DrainDeadline.Register(static c => ((HttpContext)c!).Abort(), context);
        // Access ended: what is queued drains, then the close event; a client not reading by CloseGrace is cut off.
        // Only a stream with a lease pays for the deadline.
        using var closeDeadline = lease is null ? null : new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        using var accessEnded = lease?.Ended.Register(() =>
        {
            subscription.Complete();
            closeDeadline!.CancelAfter(CloseGrace);
        });
        using var closeAbort = closeDeadline?.Token.Register(static c => ((HttpContext)c!).Abort(), context);

        var writer = response.BodyWriter;
        var subscribedAt = timeProvider.GetTimestamp();
        try
        {
            writer.Write(SseFraming.RetryFrame(retry));
            var flush = await writer.FlushAsync(aborted);
            var queue = subscription.Queue;
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
                    var frame = e.Frame(subscription.Format);
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

            if (lease?.Reason is { } ended && !flush.IsCompleted && !flush.IsCanceled)
            {
                writer.Write(SseFraming.CloseFrame(ended));
                await writer.FlushAsync(aborted);
                return DisconnectReason.AccessEnded;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or the connection was aborted (stalled, overflowed, or past the drain deadline).
        }

        return subscription.Stalled ? DisconnectReason.Stalled
            : subscription.Queue.Overflowed ? DisconnectReason.Overflow
            : hub.IsCompleted ? DisconnectReason.Shutdown
            : DisconnectReason.Client;
    }

    // Only a flush that waits on the client is watched for a stall; most complete at once.
    private static async ValueTask<FlushResult> FlushWatchedAsync(PipeWriter writer, Subscription subscription, TimeProvider timeProvider, CancellationToken aborted)
    {
        var pending = writer.FlushAsync(aborted);
        if (pending.IsCompleted)
        {
            return await pending;
        }

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

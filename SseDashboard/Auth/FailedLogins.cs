using System.Net;
using System.Threading.RateLimiting;

namespace SseDashboard.Auth;

/// <summary>
/// Wrong tokens per client address, with the framework's sliding-window rate limiter: only failures take a permit, so
/// after <see cref="PermitLimit"/> of them within <see cref="Window"/> every further attempt, right or wrong, is 429.
/// </summary>
public sealed class FailedLogins : IDisposable
{
    public const int PermitLimit = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<IPAddress> _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = PermitLimit,
            Window = Window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));

    /// <summary>True when this client has used up its failures; <paramref name="retryAfter"/> says when to try again.</summary>
    public bool IsThrottled(HttpContext context, out TimeSpan retryAfter)
    {
        // Asking for no permit tells whether any is left without taking one.
        using var lease = _limiter.AttemptAcquire(AddressOf(context), 0);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
        return !lease.IsAcquired;
    }

    public void Failed(HttpContext context) => _limiter.AttemptAcquire(AddressOf(context)).Dispose();

    /// <summary>Answers 429 problem+json with <c>Retry-After</c>.</summary>
    public static Task ThrottledAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            title: "Too many wrong tokens",
            detail: $"More than {PermitLimit} wrong tokens from this address within a minute. Try again later.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
    }

    private static IPAddress AddressOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : context.Connection.RemoteIpAddress ?? IPAddress.None;

    public void Dispose() => _limiter.Dispose();
}

using System.Net;
using System.Net.Sockets;
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

    private readonly Lock _gate = new();

    private readonly PartitionedRateLimiter<IPAddress> _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = PermitLimit,
            Window = Window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));

    /// <summary>
    /// Runs <paramref name="wrongGuess"/> unless this client has used up its failures, counting it when it says the
    /// token was a wrong guess; false (and when to try again) when throttled. Attempts run one at a time, so guesses
    /// sent in parallel cannot all pass the check before any is counted (each takes microseconds).
    /// </summary>
    public bool TryAttempt(HttpContext context, Func<bool> wrongGuess, out TimeSpan retryAfter)
    {
        var address = AddressOf(context);
        lock (_gate)
        {
            // Asking for no permit tells whether any is left without taking one.
            using (var left = _limiter.AttemptAcquire(address, 0))
            {
                if (!left.IsAcquired)
                {
                    retryAfter = left.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
                    return false;
                }
            }

            retryAfter = TimeSpan.Zero;
            if (wrongGuess())
            {
                _limiter.AttemptAcquire(address).Dispose();
            }

            return true;
        }
    }

    /// <summary>Answers 429 problem+json with <c>Retry-After</c>.</summary>
    public static Task ThrottledAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.SetRetryAfter(retryAfter);
        return TypedResults.Problem(
            title: "Too many wrong tokens",
            detail: $"More than {PermitLimit} wrong tokens from this address within a minute. Try again later.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
    }

    // One client is one IPv4 address or one IPv6 /64 (what a single host is usually given): rotating addresses within
    // it gains nothing. Behind a trusted proxy this is the client it names in X-Forwarded-For.
    private static IPAddress AddressOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    public void Dispose() => _limiter.Dispose();
}

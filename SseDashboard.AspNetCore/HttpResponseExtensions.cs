using System.Globalization;

namespace SseDashboard;

public static class HttpResponseExtensions
{
    /// <summary>Sets <c>Retry-After</c> to <paramref name="delay"/> in whole seconds, at least 1, and returns them.</summary>
    public static int SetRetryAfter(this HttpResponse response, TimeSpan delay)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace SseDashboard.Alerts;

/// <summary>
/// Sends notifications, one queue and one sender per destination, so a slow or failing destination never holds up
/// another, the evaluation or the stream. Each request goes through the named client's resilience pipeline (timeouts,
/// retries with backoff and jitter). A destination that fails is logged once, and once when it recovers.
/// </summary>
public sealed partial class AlertNotifier(
    IHttpClientFactory httpClients, IOptions<AlertsOptions> options, TimeProvider timeProvider, ILogger<AlertNotifier> logger) : BackgroundService
{
    public const string HttpClientName = "SseDashboard.Alerts";

    private const int QueueCapacity = 1_000;

    private readonly Dictionary<string, Destination> _destinations = options.Value.Destinations.ToDictionary(
        d => d.Key,
        d => new Destination(d.Key, d.Value, Channel.CreateBounded<AlertNotification>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        })),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Raised when a destination's health changes (the panel shows it).</summary>
    public event Action? HealthChanged;

    public IReadOnlyList<DestinationHealth> Health() => _destinations.Values.Select(d => d.Health).ToArray();

    public bool Has(string destination) => _destinations.ContainsKey(destination);

    /// <summary>Queues <paramref name="notification"/> for each of <paramref name="destinations"/> (empty: every one).</summary>
    public void Enqueue(AlertNotification notification, IReadOnlyCollection<string> destinations)
    {
        foreach (var destination in _destinations.Values.Where(d => destinations.Count == 0 || destinations.Contains(d.Name, StringComparer.OrdinalIgnoreCase)))
        {
            destination.Queue.Writer.TryWrite(notification);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_destinations.Values.Select(d => SendAllAsync(d, stoppingToken)));

    private async Task SendAllAsync(Destination destination, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notification in destination.Queue.Reader.ReadAllAsync(stoppingToken))
            {
                await SendAsync(destination, notification, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Destination destination, AlertNotification notification, CancellationToken stoppingToken)
    {
        string? problem;
        try
        {
            using var request = NotificationFormats.Request(notification, destination.Options);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, stoppingToken);
            problem = response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The message only: an exception's text could hold the URL, which is a secret.
            problem = ex is HttpRequestException { HttpRequestError: var error } ? $"could not be reached ({error})" : ex.GetType().Name;
        }

        var changed = destination.Record(problem, timeProvider.GetUtcNow());
        if (changed && problem is not null)
        {
            LogFailing(logger, destination.Name, problem);
        }
        else if (changed)
        {
            LogRecovered(logger, destination.Name);
        }

        if (changed)
        {
            HealthChanged?.Invoke();
        }
    }

    private sealed class Destination(string name, DestinationOptions options, Channel<AlertNotification> queue)
    {
        private readonly Lock _lock = new();
        private long _sent;
        private long _failed;
        private DateTimeOffset? _failingSince;
        private string? _error;

        public string Name => name;

        public DestinationOptions Options => options;

        public Channel<AlertNotification> Queue => queue;

        public DestinationHealth Health
        {
            get
            {
                lock (_lock)
                {
                    return new DestinationHealth(name, options.Format.ToString(), _failingSince is null ? "ok" : "failing", _sent, _failed, _failingSince, _error);
                }
            }
        }

        /// <summary>Counts a send; true when the destination went from working to failing or back.</summary>
        public bool Record(string? problem, DateTimeOffset now)
        {
            lock (_lock)
            {
                var wasFailing = _failingSince is not null;
                if (problem is null)
                {
                    _sent++;
                    _failingSince = null;
                    _error = null;
                }
                else
                {
                    _failed++;
                    _failingSince ??= now;
                    _error = problem;
                }

                return wasFailing != (_failingSince is not null);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert destination {Destination} is failing: {Problem}; notifications to it are retried and counted, and it is logged again when it recovers")]
    private static partial void LogFailing(ILogger logger, string destination, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert destination {Destination} works again")]
    private static partial void LogRecovered(ILogger logger, string destination);
}

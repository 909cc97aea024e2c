using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SseDashboard.AppLog;

/// <summary>
/// Takes the app's own log entries into the <see cref="AppLogQueue"/>: rendered message, template and properties, event
/// id, scopes, exception, trace id. A logging call never blocks or throws; the dashboard's own categories never feed back.
/// </summary>
[ProviderAlias("SseDashboard")]
public sealed class AppLogProvider(AppLogQueue queue, IOptions<AppLogOptions> options, TimeProvider timeProvider) : ILoggerProvider, ISupportExternalScope
{
    private const string OwnCategories = "SseDashboard";

    private readonly AppLogQueue _queue = queue;
    private readonly TimeProvider _timeProvider = timeProvider;
    private IExternalScopeProvider? _scopes;

    private LogLevel MinimumLevel => options.Value.MinimumLevel;

    public ILogger CreateLogger(string categoryName) =>
        Excluded(categoryName) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : new AppLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private bool Excluded(string category) =>
        Under(category, OwnCategories) || options.Value.EffectiveExclude.Any(prefix => Under(category, prefix));

    private static bool Under(string category, string prefix) =>
        category.StartsWith(prefix, StringComparison.Ordinal) && (category.Length == prefix.Length || category[prefix.Length] == '.');

    private sealed class AppLogger(AppLogProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                string? template = null;
                if (state is IEnumerable<KeyValuePair<string, object?>> properties)
                {
                    foreach (var (name, value) in properties)
                    {
                        if (name == "{OriginalFormat}")
                        {
                            template = value as string;
                        }
                        else
                        {
                            fields[name] = Json(value);
                        }
                    }
                }

                provider._scopes?.ForEachScope(
                    static (scope, fields) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> values)
                        {
                            foreach (var (name, value) in values)
                            {
                                fields.TryAdd(name, Json(value));
                            }
                        }
                    },
                    fields);
                if (eventId.Id != 0 || eventId.Name is not null)
                {
                    fields.TryAdd("EventId", Json(eventId.Name ?? eventId.Id.ToString(CultureInfo.InvariantCulture)));
                }

                var activity = Activity.Current;
                if (activity is not null)
                {
                    fields.TryAdd("SpanId", Json(activity.SpanId.ToHexString()));
                }

                provider._queue.Add(new AppLogEntry(
                    provider._timeProvider.GetUtcNow(),
                    logLevel,
                    category,
                    formatter(state, exception),
                    template,
                    fields.Count > 0 ? fields : null,
                    exception?.ToString(),
                    activity?.TraceId.ToHexString()));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A logging call never throws: an entry that cannot be taken (a property whose ToString throws) is lost.
            }
        }

        // Numbers, booleans and strings as themselves; anything else as its text.
        private static JsonElement Json(object? value) => value switch
        {
            null => JsonSerializer.SerializeToElement<string?>(null, AppLogJsonContext.Default.String),
            bool b => JsonSerializer.SerializeToElement(b, AppLogJsonContext.Default.Boolean),
            int or long or short or byte or uint or ushort or sbyte => JsonSerializer.SerializeToElement(Convert.ToInt64(value, CultureInfo.InvariantCulture), AppLogJsonContext.Default.Int64),
            ulong u => JsonSerializer.SerializeToElement(u, AppLogJsonContext.Default.UInt64),
            double or float when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && !double.IsFinite(d) =>
                JsonSerializer.SerializeToElement(d.ToString(CultureInfo.InvariantCulture), AppLogJsonContext.Default.String),
            double or float or decimal => JsonSerializer.SerializeToElement(Convert.ToDouble(value, CultureInfo.InvariantCulture), AppLogJsonContext.Default.Double),
            DateTimeOffset time => JsonSerializer.SerializeToElement(time, AppLogJsonContext.Default.DateTimeOffset),
            DateTime time => JsonSerializer.SerializeToElement(time, AppLogJsonContext.Default.DateTime),
            _ => JsonSerializer.SerializeToElement(Convert.ToString(value, CultureInfo.InvariantCulture), AppLogJsonContext.Default.String),
        };
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ulong))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTimeOffset))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTime))]
internal sealed partial class AppLogJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

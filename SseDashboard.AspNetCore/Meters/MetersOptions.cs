using Microsoft.Extensions.Options;

namespace SseDashboard.Meters;

/// <summary>The <c>Dashboard:Meters</c> section: which instruments the <c>meters</c> panel reads, and how often.</summary>
public sealed class MetersOptions
{
    public const string Section = "Dashboard:Meters";

    /// <summary>What <see cref="Instruments"/> empty means: the app's requests, connections, allocations and exceptions.</summary>
    public static readonly IReadOnlyList<string> DefaultInstruments =
    [
        "http.server.request.duration",
        "http.server.active_requests",
        "kestrel.active_connections",
        "dotnet.gc.heap.total_allocated",
        "dotnet.exceptions",
    ];

    /// <summary>Whether the standalone app shows the panel (off by default: its streams stay as they were).</summary>
    public bool Enabled { get; set; }

    /// <summary>How often <c>meters</c> publishes, on whole multiples of it; rates are over the interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Instrument names (<c>:0</c>, <c>:1</c>, …), of any meter: the framework's, the runtime's or the app's own. Empty
    /// means <see cref="DefaultInstruments"/> (a default here would be kept by the configuration binder, which appends).
    /// </summary>
    public string[] Instruments { get; set; } = [];

    public IReadOnlyList<string> EffectiveInstruments => Instruments.Length > 0 ? Instruments : DefaultInstruments;
}

public sealed class ValidateMetersOptions : IValidateOptions<MetersOptions>
{
    public const int MaxInstruments = 32;

    public ValidateOptionsResult Validate(string? name, MetersOptions options)
    {
        var errors = new OptionsErrors(MetersOptions.Section);
        errors.Range("Interval", options.Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        if (options.Instruments.Length > MaxInstruments)
        {
            errors.Add("Instruments", $"names at most {MaxInstruments} instruments (was {options.Instruments.Length}).");
        }

        for (var i = 0; i < options.Instruments.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Instruments[i]))
            {
                errors.Add($"Instruments:{i}", "must name an instrument (was empty).");
            }
            else if (Array.IndexOf(options.Instruments, options.Instruments[i]) < i)
            {
                errors.Add($"Instruments:{i}", $"names '{options.Instruments[i]}' twice.");
            }
        }

        return errors.Result;
    }
}

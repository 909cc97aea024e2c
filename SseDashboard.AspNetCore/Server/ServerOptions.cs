using Microsoft.Extensions.Options;

namespace SseDashboard.Server;

/// <summary>The <c>Dashboard:Server</c> section.</summary>
public sealed class ServerOptions
{
    public const string Section = "Dashboard:Server";

    /// <summary>How often <c>server</c> publishes, on whole multiples of it; rates are over the interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class ValidateServerOptions : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var errors = new OptionsErrors(ServerOptions.Section);
        errors.Range("Interval", options.Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        return errors.Result;
    }
}

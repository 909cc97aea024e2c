using Microsoft.Extensions.Options;

namespace SseDashboard.Pages;

/// <summary>The <c>Dashboard:Ui</c> section: how the page behaves in the browser.</summary>
public sealed class UiOptions
{
    public const string Section = "Dashboard:Ui";

    /// <summary>The log panel never holds more lines than this; older ones are trimmed, and counted.</summary>
    public int MaxLogLines { get; set; } = 1000;
}

public sealed class ValidateUiOptions : IValidateOptions<UiOptions>
{
    public ValidateOptionsResult Validate(string? name, UiOptions options)
    {
        var errors = new OptionsErrors(UiOptions.Section);
        errors.Range("MaxLogLines", options.MaxLogLines, 10, 100_000);
        return errors.Result;
    }
}

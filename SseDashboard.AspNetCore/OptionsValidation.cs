using Microsoft.Extensions.Options;

namespace SseDashboard;

/// <summary>Collects every problem of one options section, each naming its full configuration key.</summary>
public sealed class OptionsErrors(string section)
{
    private readonly List<string> _errors = [];

    public void Range<T>(string key, T value, T min, T max) where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            Add(key, $"must be between {min} and {max} (was {value}).");
        }
    }

    /// <summary>Adds "<c>section:key problem</c>".</summary>
    public void Add(string key, string problem) => _errors.Add($"{section}:{key} {problem}");

    public ValidateOptionsResult Result => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}

public static class OptionsValidationExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its own configuration section, checked by
    /// <typeparamref name="TValidator"/> when the app starts.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}

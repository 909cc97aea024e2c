using Microsoft.Extensions.Options;

namespace SseDashboard;

/// <summary><c>Dashboard:DataPath</c>: where the dashboard keeps what must outlive the process (signing keys, revocations).</summary>
public sealed class DataOptions
{
    public const string Section = "Dashboard";

    /// <summary>Relative to the current directory, as the log paths are.</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>The full path of <paramref name="name"/> in <see cref="DataPath"/>, which is created (owner-only on Unix) if missing.</summary>
    public string Resolve(string name)
    {
        var directory = Path.GetFullPath(DataPath);
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return Path.Combine(directory, name);
    }
}

public sealed class ValidateDataOptions : IValidateOptions<DataOptions>
{
    public ValidateOptionsResult Validate(string? name, DataOptions options)
    {
        var errors = new OptionsErrors(DataOptions.Section);
        if (string.IsNullOrWhiteSpace(options.DataPath) || options.DataPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("DataPath", $"must be a directory path (was '{options.DataPath}').");
        }

        return errors.Result;
    }
}

namespace SseDashboard.Streaming;

/// <summary>The host-name rule: letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, at most 63 characters.</summary>
public static class HostNames
{
    public const int MaxLength = 63;

    public const string Rule = "letters, digits, '.', '-' and '_', at most 63 characters";

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}

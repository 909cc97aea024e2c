using System.IO.Enumeration;

namespace SseDashboard.LogTail;

/// <summary>A configured log path: one file, or a glob with <c>*</c> and <c>?</c> in its file name.</summary>
public sealed class LogPathPattern
{
    private static readonly char[] Wildcards = ['*', '?'];

    private LogPathPattern(string fullPath)
    {
        FullPath = fullPath;
        Directory = Path.GetDirectoryName(fullPath) ?? fullPath;
        FileName = Path.GetFileName(fullPath);
        IsGlob = FileName.IndexOfAny(Wildcards) >= 0;
    }

    /// <summary>The absolute path or glob, resolved against the current directory as Serilog resolves its file path.</summary>
    public string FullPath { get; }

    public string Directory { get; }

    public string FileName { get; }

    public bool IsGlob { get; }

    public static LogPathPattern Parse(string configured) => new(Path.GetFullPath(configured));

    /// <summary>Why <paramref name="configured"/> is no usable path, or null when it is.</summary>
    public static string? Validate(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return "must not be empty.";
        }

        string full;
        try
        {
            full = Path.GetFullPath(configured);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"is not a valid path ('{configured}'): {ex.Message}";
        }

        if (Path.GetFileName(full).Length == 0)
        {
            return $"must name a file, not a directory ('{configured}').";
        }

        return (Path.GetDirectoryName(full) ?? "").IndexOfAny(Wildcards) >= 0
            ? $"may use * and ? only in the file name, not in directories ('{configured}')."
            : null;
    }

    /// <summary>Whether the file at <paramref name="path"/> is this one, or one the glob matches.</summary>
    public bool Matches(string path)
    {
        var full = Path.GetFullPath(path);
        var sameDirectory = string.Equals(Path.GetDirectoryName(full), Directory, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
        return sameDirectory && FileSystemName.MatchesSimpleExpression(FileName, Path.GetFileName(full), ignoreCase: !OperatingSystem.IsLinux());
    }

    /// <summary>The existing files a glob matches now (a plain path is followed as it is, existing or not).</summary>
    public IReadOnlyList<string> Match()
    {
        // Looked for ten times a second: a directory not there yet is not an exception each time.
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        try
        {
            return System.IO.Directory.EnumerateFiles(Directory)
                .Where(f => FileSystemName.MatchesSimpleExpression(FileName, Path.GetFileName(f), ignoreCase: !OperatingSystem.IsLinux()))
                .ToArray();
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return [];
        }
    }
}

using System.Text.RegularExpressions;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests;

/// <summary>The code map's rules, read from the sources: which feature may refer to which, and how long a file may grow.</summary>
public sealed class ArchitectureTests
{
    private const int MaxLines = 300;

    private static readonly string LibraryRoot = DashboardServer.LibraryRoot;

    [Fact]
    public void Streaming_RefersToNoFeature()
    {
        var features = FeatureFolders().Where(f => f != "Streaming").ToArray();

        Assert.Empty(References("Streaming", features));
    }

    [Fact]
    public void History_DoesNotReferToFleet_SoTheyFormNoCycle()
    {
        Assert.Empty(References("History", ["Fleet"]));
    }

    [Fact]
    public void NoSourceFile_IsOverThreeHundredLines()
    {
        var sources = new[] { LibraryRoot, DashboardServer.AppContentRoot }
            .SelectMany(root => Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".cs" or ".razor" or ".cshtml" or ".js")
            .Where(f => !IsBuildOutput(f) && !f.Contains($"{Path.DirectorySeparatorChar}lib{Path.DirectorySeparatorChar}"));

        var over = sources
            .Select(f => (File: Path.GetRelativePath(Path.GetDirectoryName(LibraryRoot)!, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.File}: {f.Lines}");

        Assert.Empty(over);
    }

    private static IEnumerable<string> FeatureFolders() =>
        Directory.EnumerateDirectories(LibraryRoot)
            .Where(d => !IsBuildOutput(d) && Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName)
            .OfType<string>();

    // "SseDashboard.Fleet", or "Fleet.NodeOptions" from inside the SseDashboard namespace; comments aside.
    private static List<string> References(string folder, IEnumerable<string> features)
    {
        var names = string.Join("|", features.Select(Regex.Escape));
        var reference = new Regex($@"\bSseDashboard\.({names})\b|(?<![\w.])({names})\.[A-Z]");
        return Directory.EnumerateFiles(Path.Combine(LibraryRoot, folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file)
                .Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && reference.IsMatch(line))
                .Select(line => $"{Path.GetFileName(file)}: {line.Trim()}"))
            .ToList();
    }

    private static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");
}

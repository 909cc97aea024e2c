using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Metrics;

/// <summary>Fixture files copied beside the tests.</summary>
public static class Fixtures
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Metrics", "Fixtures", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>A writable copy of a fixture directory, deleted with the returned scope.</summary>
    public static TempDirectory CopyOf(string relative)
    {
        var temp = new TempDirectory();
        var source = PathOf(relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(temp.Path, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return temp;
    }
}

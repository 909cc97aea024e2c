namespace SseDashboard.Bench.Servers;

/// <summary>An empty file in a temporary folder for the dashboard to tail (and <see cref="LogWriter"/> to append to).</summary>
internal sealed class TailedLog : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ssedash-bench-log-");

    public TailedLog(string name)
    {
        Path = System.IO.Path.Combine(_dir.FullName, name);
        File.WriteAllText(Path, "");
    }

    public string Path { get; }

    /// <summary>The dashboard follows this file only, from its end. Paths may bind as one string or a list: both shapes.</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["Dashboard__LogTail__Paths"] = Path,
        ["Dashboard__LogTail__Paths__0"] = Path,
        ["Dashboard__LogTail__InitialLines"] = "0",
    };

    public void Dispose() => _dir.Delete(recursive: true);
}

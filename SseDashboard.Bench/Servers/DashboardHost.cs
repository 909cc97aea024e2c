using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Servers;

/// <summary>The dashboard this benchmark builds and starts: its process, its URLs, the topics it has.</summary>
internal sealed class DashboardHost(BenchOptions options)
{
    /// <summary>
    /// /sse with these topics (none: the server's default, every topic) in <c>--format</c> or the given one, on
    /// <c>--port</c> or the given one.
    /// </summary>
    public string Url(IEnumerable<string> topics, string? format = null, int? port = null)
    {
        var list = string.Join(",", topics);
        return $"http://127.0.0.1:{port ?? options.Port}/sse?{(list.Length > 0 ? $"topics={list}&" : "")}format={format ?? options.Format}";
    }

    /// <summary>
    /// Starts the dashboard with <c>--server-env</c> and these settings on <c>--port</c> (or another, for a second
    /// node); see <see cref="ServerProcess.StartDashboard"/>.
    /// </summary>
    public async Task<ServerProcess> StartAsync(Dictionary<string, string> settings, bool quietLogs = true, int? port = null)
    {
        var listen = port ?? options.Port;
        if (await ServerProcess.IsListeningAsync(listen))
        {
            throw new InvalidOperationException($"Port {listen} is already in use: choose another with --port.");
        }

        var app = ServerProcess.StartDashboard(RepoRoot(), listen, new Dictionary<string, string>(options.ServerEnvironment.Concat(settings)), quietLogs);
        try
        {
            await app.WaitListeningAsync(listen, TimeSpan.FromSeconds(60));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The wanted topics the server has, asking /sse with an unknown topic: the 400 lists the valid ones.</summary>
    public async Task<string[]> ChooseTopicsAsync(string[] wanted)
    {
        if (options.Topics is { } chosen)
        {
            return chosen;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", SseTarget.Token);
        using var response = await http.GetAsync($"http://127.0.0.1:{options.Port}/sse?topics=bench-probe-no-such-topic");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var valid = problem.TryGetProperty("validValues", out var values)
            ? values.EnumerateArray().Select(v => v.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : throw new InvalidOperationException("The dashboard's 400 for an unknown topic did not list validValues.");
        return wanted.Where(valid.Contains).ToArray();
    }

    public async Task BuildAsync()
    {
        if (!options.Build)
        {
            return;
        }

        var project = Path.Combine(RepoRoot(), "SseDashboard", "SseDashboard.csproj");
        Console.WriteLine($"building {project} (Release)");
        using var build = Process.Start("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "quiet"])
            ?? throw new InvalidOperationException("Could not run dotnet build.");
        await build.WaitForExitAsync();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build -c Release failed ({build.ExitCode}).");
        }
    }

    /// <summary>The process listening on the URL's port, or null (said on the console: no server CPU/RSS then).</summary>
    public static int? PidOf(string url)
    {
        var pid = ProcFs.FindListeningPid(new Uri(url).Port);
        if (pid is null)
        {
            Console.WriteLine($"   no process found listening on {url}: no server CPU/RSS figures");
        }

        return pid;
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SseDashboard.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (no SseDashboard.sln above here), or give --url.");
    }
}

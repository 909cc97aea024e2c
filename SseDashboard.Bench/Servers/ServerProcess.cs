using System.Diagnostics;
using System.Net.Sockets;
using SseDashboard.Bench.Client;

namespace SseDashboard.Bench.Servers;

/// <summary>A server process this benchmark started; disposing it always stops it (SIGTERM, then kill).</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly bool _graceful;
    private readonly string? _workingDirectory;

    private ServerProcess(string name, Process process, bool graceful, string? workingDirectory)
    {
        _name = name;
        _process = process;
        _graceful = graceful;
        _workingDirectory = workingDirectory;
    }

    public int Pid => _process.Id;

    /// <summary>
    /// The dashboard's Release build on loopback, with extra <c>Dashboard__*</c> settings, in a fresh working directory
    /// (its <c>logs/</c>, removed on dispose). Quiet logs unless <paramref name="quietLogs"/> is false: then the
    /// defaults, Information to the console and to <c>logs/</c>, which the log tail follows by default.
    /// </summary>
    public static ServerProcess StartDashboard(string repoRoot, int port, IReadOnlyDictionary<string, string> settings, bool quietLogs = true)
    {
        var dll = Path.Combine(repoRoot, "SseDashboard", "bin", "Release", "net10.0", "SseDashboard.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: build it (dotnet build -c Release SseDashboard) or drop --no-build.");
        }

        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Directory.CreateTempSubdirectory("ssedash-bench-").FullName };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Dashboard__Auth__Token"] = SseTarget.Token;
        if (quietLogs)
        {
            // Request logging for 10,000 connections would measure the logger, not the hub.
            info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
            info.Environment["Serilog__MinimumLevel__Override__Microsoft.AspNetCore.HttpLogging"] = "Warning";
            info.Environment["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning";
        }

        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        return Start("dashboard", info, graceful: true, info.WorkingDirectory);
    }

    /// <summary>A peer from its shell command (e.g. <c>cd ../shared/peers/go-sse &amp;&amp; exec ./go-sse ...</c>).</summary>
    public static ServerProcess StartShell(string name, string command)
    {
        var info = new ProcessStartInfo("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        return Start(name, info, graceful: false, workingDirectory: null);
    }

    private static ServerProcess Start(string name, ProcessStartInfo info, bool graceful, string? workingDirectory)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Console.Error.WriteLine($"  [{name}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(name, process, graceful, workingDirectory);
    }

    /// <summary>Waits until the port accepts connections (bounded), failing early if the process exits.</summary>
    public async Task WaitListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode} before listening on {port}.");
            }

            if (await IsListeningAsync(port))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{_name} did not listen on port {port} within {timeout.TotalSeconds:0} s.");
    }

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited && !_graceful)
        {
            // A peer started through a shell: the shell and the server under it go together.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        if (!_process.HasExited)
        {
            // SIGTERM first so the dashboard shuts down as in production; kill when it does not within 5 s.
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        if (_workingDirectory is not null && Directory.Exists(_workingDirectory))
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
    }
}

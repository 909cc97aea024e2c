using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// Debian's nginx on a loopback port with the given <c>server</c> block body, in a temp prefix of its own. Without
/// nginx the test skips, saying how to install it, unless under CI (<c>CI=true</c>), where that is a failure.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/nginx";

    private const string InstallHint = "nginx is not installed at /usr/sbin/nginx: run `apt-get install nginx` (Debian) to run the proxy tests.";

    private readonly Process _process;
    private readonly TempDirectory _prefix;

    private NginxProxy(Process process, TempDirectory prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts nginx serving <paramref name="server"/> (directives of one <c>server</c> block, given nginx's directory),
    /// with <paramref name="http"/> beside it in the <c>http</c> block (an <c>upstream</c>).
    /// </summary>
    public static async Task<NginxProxy> StartAsync(Func<string, string> server, string http = "")
    {
        Prerequisite.Require(File.Exists(Executable), InstallHint);

        var prefix = new TempDirectory();
        var port = FreePort();
        var user = Environment.UserName == "root" ? "user root;" : "";
        File.WriteAllText(prefix.File("nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            pid {{prefix.Path}}/nginx.pid;
            error_log {{prefix.Path}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{prefix.Path}}/client_body;
                proxy_temp_path {{prefix.Path}}/proxy;
                fastcgi_temp_path {{prefix.Path}}/fastcgi;
                uwsgi_temp_path {{prefix.Path}}/uwsgi;
                scgi_temp_path {{prefix.Path}}/scgi;
                {{http}}
                server {
                    listen 127.0.0.1:{{port}};
                    {{server(prefix.Path)}}
                }
            }
            """);
        var info = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", prefix.Path, "-c", prefix.File("nginx.conf"), "-e", prefix.File("error.log"), "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("nginx did not start");
        var proxy = new NginxProxy(process, prefix, port);
        try
        {
            await Eventually.TrueAsync(async () => process.HasExited || await AcceptsAsync(port), TimeSpan.FromSeconds(10), "nginx listening");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited: {await process.StandardError.ReadToEndAsync()} {File.ReadAllText(prefix.File("error.log"))}");
            }

            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _prefix.Dispose();
    }
}

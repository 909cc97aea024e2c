using System.Collections.Concurrent;
using InternalTool;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Samples;

/// <summary>
/// <c>samples/InternalTool</c> as it runs, on Kestrel at 127.0.0.1:0, with its own settings (its users) and a temp
/// data path; the meters sampled quickly so a test sees them move.
/// </summary>
public sealed class ToolServer : RunningApp
{
    private ToolServer(WebApplication app, TempDirectory directory)
        : base(app, directory)
    {
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>Cuts every open <c>/ops/sse</c> connection, as a network drop does: the browser sees the stream fail.</summary>
    public void CutStreams() => GetRequiredService<StreamCutter>().CutAll();

    public static async Task<ToolServer> StartAsync()
    {
        var directory = new TempDirectory();
        return await StartAsync(
            directory,
            () => ToolApp.Create(
                ["--urls=http://127.0.0.1:0", "--environment=Testing", $"--contentRoot={ContentRoot}", "--applicationName=InternalTool"],
                builder =>
                {
                    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                    {
                        ["Dashboard:DataPath"] = Path.Combine(directory.Path, "data"),
                        ["Dashboard:LogTail:Paths:0"] = Path.Combine(directory.Path, "absent-*.log"),
                        ["Dashboard:Meters:Interval"] = "00:00:00.5",
                        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                    });
                    builder.Services.AddSingleton<StreamCutter>();
                    builder.Services.AddSingleton<IStartupFilter>(sp => sp.GetRequiredService<StreamCutter>());
                }),
            app => new ToolServer(app, directory));
    }

    /// <summary>Signs <paramref name="page"/> in through the tool's own sign-in form (its users are in its appsettings.json).</summary>
    public async Task SignInAsync(IPage page, string user, string returnUrl = "/")
    {
        await page.GotoAsync(Url($"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}"));
        await page.FillAsync("input[name=user]", user);
        await page.FillAsync("input[name=password]", $"{user}-demo");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(u => !u.Contains("/Account/Login", StringComparison.Ordinal));
    }

    /// <summary>The sample's project directory: its settings and pages, as <c>dotnet run</c> finds them.</summary>
    private static string ContentRoot { get; } = Path.Combine(Path.GetDirectoryName(DashboardServer.AppContentRoot)!, "samples", "InternalTool");
}

/// <summary>Remembers each open <c>/ops/sse</c> request, first in the pipeline, so a test can abort their connections.</summary>
public sealed class StreamCutter : IStartupFilter
{
    private readonly ConcurrentDictionary<HttpContext, bool> _open = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            if (context.Request.Path != "/ops/sse")
            {
                await following(context);
                return;
            }

            _open[context] = true;
            try
            {
                await following(context);
            }
            finally
            {
                _open.TryRemove(context, out _);
            }
        });
        next(app);
    };

    public void CutAll()
    {
        foreach (var context in _open.Keys)
        {
            context.Abort();
        }
    }
}

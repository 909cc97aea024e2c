using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// The real app on Kestrel at 127.0.0.1:0, with per-test configuration and its own temp directory (the data path
/// too). It runs in the default Token mode with <see cref="Token"/>, which <see cref="Client"/> sends as a bearer.
/// </summary>
public sealed class DashboardServer : RunningApp
{
    /// <summary><c>Dashboard:Auth:Token</c> unless a test sets its own.</summary>
    public const string Token = "test-token-0123456789abcdef";

    private DashboardServer(WebApplication app, TempDirectory directory)
        : base(app, directory)
    {
        // No draining of an abandoned response: disposing a stream closes its connection at once, as a browser does.
        Client = NewClient();
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>The login link the server would print, going on to <paramref name="returnUrl"/>.</summary>
    public string LoginUrl(string returnUrl = "/") =>
        new Uri(BaseAddress, $"/login?t={Uri.EscapeDataString(Token)}&ReturnUrl={Uri.EscapeDataString(returnUrl)}").ToString();

    public HttpClient Client { get; }

    /// <summary>Makes an embed token through <c>POST /api/embed-tokens</c>; the answer's JSON (id, token, expiresAt, url).</summary>
    public async Task<System.Text.Json.JsonElement> CreateEmbedTokenAsync(string[] panels, string[]? origins = null, string expiresIn = "1.00:00:00")
    {
        using var response = await Client.PostAsJsonAsync("/api/embed-tokens", new { panels, origins = origins ?? [], expiresIn }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Waits for what the producers publish at start (the clock at once, cpu and memory after their baseline): with
    /// long intervals nothing else is published by itself after that.
    /// </summary>
    public Task StartupEventsAsync()
    {
        var hub = GetRequiredService<SseDashboard.Streaming.EventHub>();
        return Eventually.TrueAsync(
            async () => await hub.NewestAsync(SseDashboard.Clock.ClockTopics.Clock) is not null
                && await hub.NewestAsync(SseDashboard.Metrics.MetricsTopics.Cpu) is not null
                && await hub.NewestAsync(SseDashboard.Metrics.MetricsTopics.Memory) is not null,
            TimeSpan.FromSeconds(10),
            "the producers' first events");
    }

    public static async Task<DashboardServer> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var directory = new TempDirectory();
        var config = new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Serilog:WriteTo:1:Args:path"] = Path.Combine(directory.Path, "logs", "dashboard-.log"),
            ["Dashboard:Auth:Token"] = Token,
            ["Dashboard:DataPath"] = Path.Combine(directory.Path, "data"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        // The app's own name (not the test runner's), so it finds its build's static web assets: the library's files.
        return await StartAsync(
            directory,
            () => DashboardApp.Create(["--urls=http://127.0.0.1:0", "--environment=Testing", $"--contentRoot={AppContentRoot}", "--applicationName=SseDashboard"], builder =>
            {
                builder.Configuration.AddInMemoryCollection(config);
                configure?.Invoke(builder);
            }),
            app => new DashboardServer(app, directory));
    }

    /// <summary>The app's project directory, so the server finds its settings as <c>dotnet run</c> does.</summary>
    public static string AppContentRoot { get; } = FindAppContentRoot();

    /// <summary>The library's project directory (SseDashboard.AspNetCore): its sources.</summary>
    public static string LibraryRoot { get; } = Path.Combine(Path.GetDirectoryName(AppContentRoot)!, "SseDashboard.AspNetCore");

    private static string FindAppContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "SseDashboard");
            if (File.Exists(Path.Combine(candidate, "SseDashboard.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No SseDashboard project directory above {AppContext.BaseDirectory}.");
    }

    public override async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await base.DisposeAsync();
    }
}

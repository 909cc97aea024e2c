using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(OpenIdProvider))]

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// A real OpenID provider for the whole test run: the certified npm package <c>oidc-provider</c>, started from
/// <c>OpenId/provider/provider.mjs</c> (its users and clients are described there) on a loopback port when a test
/// first asks for it. Its packages come from the lock file (<c>npm ci</c>) if not installed yet. Without Node.js the
/// test skips, unless under CI (<c>CI=true</c>), where that is a failure.
/// </summary>
public sealed class OpenIdProvider : IAsyncDisposable
{
    /// <summary>The dashboard's client, its secret, and the audience of the script client's JWTs.</summary>
    public const string ClientId = "dashboard";
    public const string ClientSecret = "dashboard-secret";
    public const string Audience = "api://sse-dashboard";

    private const string InstallHint = "Node.js and npm are needed for the OpenID Connect tests: run `apt-get install nodejs npm` (Debian).";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly Lazy<Task<(Process Process, Uri Issuer)>> _started = new(StartAsync);

    public static string Directory { get; } = Path.Combine(Path.GetDirectoryName(DashboardServer.AppContentRoot)!, "SseDashboard.Tests", "OpenId", "provider");

    /// <summary>The provider's issuer (its authority), starting it if this is the first ask.</summary>
    public async Task<Uri> IssuerAsync()
    {
        Prerequisite.Require((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "node"))), InstallHint);

        return (await _started.Value.WaitAsync(TestContext.Current.CancellationToken)).Issuer;
    }

    /// <summary>The dashboard's settings for OpenIdConnect mode with this provider, letting in <paramref name="allowedGroups"/>.</summary>
    public async Task<Dictionary<string, string?>> SettingsAsync(params string[] allowedGroups)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Auth:Mode"] = "OpenIdConnect",
            ["Dashboard:Auth:OpenIdConnect:Authority"] = (await IssuerAsync()).ToString().TrimEnd('/'),
            ["Dashboard:Auth:OpenIdConnect:ClientId"] = ClientId,
            ["Dashboard:Auth:OpenIdConnect:ClientSecret"] = ClientSecret,
            ["Dashboard:Auth:OpenIdConnect:RequireHttpsMetadata"] = "false",
            ["Dashboard:Auth:OpenIdConnect:Audience"] = Audience,
        };
        for (var i = 0; i < allowedGroups.Length; i++)
        {
            settings[$"Dashboard:Auth:OpenIdConnect:AllowedGroups:{i}"] = allowedGroups[i];
        }

        return settings;
    }

    /// <summary>An access token (a JWT for <see cref="Audience"/>) for the script client, by the client-credentials grant.</summary>
    public async Task<string> ClientCredentialsTokenAsync()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(await IssuerAsync(), "/token"))
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("script:script-secret"u8.ToArray()));
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// Signs <paramref name="user"/> in to the dashboard through the provider as a browser would: following each
    /// redirect, filling the provider's sign-in form (any password) and confirming its consent form. The response the
    /// last redirect leads to.
    /// </summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string path = "/")
    {
        var response = await FollowAsync(client, await client.GetAsync(path, TestContext.Current.CancellationToken));
        for (var forms = 0; response.RequestMessage!.RequestUri!.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal); forms++)
        {
            Assert.True(forms < 3, "the provider keeps asking");
            var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var form = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html).QuerySelector("form[method=post]")
                ?? throw new InvalidOperationException($"No form at {response.RequestMessage.RequestUri}: {html}");
            var action = new Uri(response.RequestMessage.RequestUri, form.GetAttribute("action"));
            var fields = form.QuerySelectorAll("input[type=hidden]").Select(i => KeyValuePair.Create(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
            if (form.QuerySelector("input[name=login]") is not null)
            {
                fields.AddRange([KeyValuePair.Create("login", user), KeyValuePair.Create("password", "any")]);
            }

            response.Dispose();
            using var content = new FormUrlEncodedContent(fields);
            response = await FollowAsync(client, await client.PostAsync(action, content, TestContext.Current.CancellationToken));
        }

        return response;
    }

    /// <summary>Follows redirects (across the dashboard and the provider) to the first response that is not one.</summary>
    public static async Task<HttpResponseMessage> FollowAsync(HttpClient client, HttpResponseMessage response)
    {
        for (var hops = 0; (int)response.StatusCode is >= 300 and < 400; hops++)
        {
            Assert.True(hops < 20, "a redirect loop");
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
            response.Dispose();
            response = await client.GetAsync(next, TestContext.Current.CancellationToken);
        }

        return response;
    }

    private static async Task<(Process, Uri)> StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules")))
        {
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], timeout.Token);
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("provider.mjs");
        info.ArgumentList.Add("0");
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"The OpenID provider ended before listening: {errors}");
            using var started = JsonDocument.Parse(line);
            // Its output from here on is not read: keep the pipe from filling.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            return (process, new Uri(started.RootElement.GetProperty("issuer").GetString()! + "/"));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static async Task RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(tool) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {string.Concat(await output)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_started.IsValueCreated || !_started.Value.IsCompletedSuccessfully)
        {
            return;
        }

        var (process, _) = await _started.Value;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}

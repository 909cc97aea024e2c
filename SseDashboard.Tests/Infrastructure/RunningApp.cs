using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>A web app started on Kestrel at 127.0.0.1:0 with a temp directory of its own; disposing it stops both.</summary>
public abstract class RunningApp : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    protected RunningApp(WebApplication app, TempDirectory directory)
    {
        App = app;
        _directory = directory;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>The app's temp directory (its logs and data go here), deleted on dispose.</summary>
    public string Directory => _directory.Path;

    public T GetRequiredService<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A client with no credentials, its own cookies (in <paramref name="cookies"/> when given), and redirects left to the test.</summary>
    public HttpClient NewClient(System.Net.CookieContainer? cookies = null)
    {
        // No draining of an abandoned response: disposing a stream closes its connection at once, as a browser does.
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero, AllowAutoRedirect = false };
        if (cookies is not null)
        {
            handler.CookieContainer = cookies;
        }

        // A test over HTTPS uses a self-signed certificate it just made.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Starts the app <paramref name="create"/> builds: an app that refuses to build or start (as tests of bad settings
    /// expect) leaves neither itself nor <paramref name="directory"/> behind.
    /// </summary>
    protected static async Task<T> StartAsync<T>(TempDirectory directory, Func<WebApplication> create, Func<WebApplication, T> started)
    {
        WebApplication? app = null;
        try
        {
            app = create();
            await app.StartAsync(TestContext.Current.CancellationToken);
            return started(app);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}

using System.Net;
using AngleSharp.Html.Parser;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Auth;

/// <summary>A browser-like client of one server: its own cookies, no credentials until it logs in.</summary>
internal static class AuthTestClient
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh client logged in through the login link; its cookie jar holds the session.</summary>
    public static async Task<HttpClient> LoggedInAsync(DashboardServer server)
    {
        var client = server.NewClient();
        using var response = await client.GetAsync($"/login?t={DashboardServer.Token}", Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>The antiforgery token of the form <paramref name="form"/> (a CSS selector) on <paramref name="path"/>; its cookie lands in the client's jar.</summary>
    public static async Task<string> FormTokenAsync(HttpClient client, string path, string form)
    {
        var html = await client.GetStringAsync(path, Ct);
        var input = new HtmlParser().ParseDocument(html).QuerySelector($"{form} input[name=__RequestVerificationToken]");
        return Assert.IsType<string>(input?.GetAttribute("value"));
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, params (string Name, string Value)[] fields) =>
        await client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))), Ct);

    public static string? SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(c => c.StartsWith(SseDashboard.Auth.AuthExtensions.CookieName + "=", StringComparison.Ordinal))
            : null;
}

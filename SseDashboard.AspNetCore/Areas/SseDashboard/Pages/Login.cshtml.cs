using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;

namespace SseDashboard.Pages;

/// <summary>
/// <c>/login</c>: the token from the printed link (<c>?t=</c>) or the form becomes a session cookie; in OpenIdConnect
/// mode, off to the provider, or a page saying why not (the provider or the store cannot be reached, a failed sign-in).
/// </summary>
[AllowAnonymous]
public sealed class LoginModel(SessionLogin login, AccessStore access, IOptions<AuthOptions> auth) : PageModel
{
    /// <summary>Why no one can log in now (the store that lists ended sessions cannot be read); the page retries by itself.</summary>
    public const string StoreDown =
        "Logging in is paused: the store that lists ended sessions and revoked embed tokens (PostgreSQL) cannot be reached, and this node will not trust an old copy. This page tries again by itself.";

    public bool Unavailable { get; private set; }

    public bool IsOpenIdConnect => auth.Value.Mode == AuthMode.OpenIdConnect;

    public bool SignedOut { get; private set; }

    public string ReturnUrl { get; private set; } = "";

    public string? Problem { get; private set; }

    /// <summary>Set once logged in by a link followed from another site: the page moves on by itself.</summary>
    public string? ContinueTo { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? t, string? returnUrl, string? failed, string? signedOut)
    {
        ReturnUrl = LocalOrRoot(returnUrl);
        Unavailable = !access.IsCurrent;
        if (IsOpenIdConnect)
        {
            return await OpenIdConnectAsync(failed, signedOut is not null);
        }

        if (auth.Value.Mode != AuthMode.Token)
        {
            return LocalRedirect(Url.Content("~/"));
        }

        // The token leaves the address bar (and the history) at once: the redirect carries only the cookie.
        return t is null ? Page() : await LogInAsync(t);
    }

    public async Task<IActionResult> OnPostAsync(string? token, string? returnUrl)
    {
        ReturnUrl = LocalOrRoot(returnUrl);
        return auth.Value.Mode != AuthMode.Token ? LocalRedirect(Url.Content("~/")) : await LogInAsync(token);
    }

    private async Task<IActionResult> OpenIdConnectAsync(string? failed, bool signedOut)
    {
        var provider = new Uri(auth.Value.OpenIdConnect.Authority!).Authority;
        (Problem, Response.StatusCode) = failed switch
        {
            _ when Unavailable => (null, StatusCodes.Status503ServiceUnavailable),
            "provider" => ($"The identity provider ({provider}) cannot be reached now. Try again in a moment.", StatusCodes.Status503ServiceUnavailable),
            "signin" => ($"Signing in at the identity provider ({provider}) did not complete. Try again.", StatusCodes.Status401Unauthorized),
            _ => (null, StatusCodes.Status200OK),
        };
        if (Unavailable || Problem is not null || signedOut)
        {
            SignedOut = signedOut;
            return Page();
        }

        await OpenIdConnectLogin.ChallengeAsync(HttpContext, ReturnUrl);
        return new EmptyResult();
    }

    private async Task<IActionResult> LogInAsync(string? token)
    {
        if (!access.IsCurrent)
        {
            Unavailable = true;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            return Page();
        }

        var (outcome, retryAfter) = await login.LogInAsync(HttpContext, token);
        switch (outcome)
        {
            case LoginOutcome.LoggedIn when Request.Headers["Sec-Fetch-Site"] == "cross-site":
                // A navigation that began on another site (a link in chat or webmail) carries no SameSite=Strict
                // cookie, even through a redirect: a page of our own that moves on makes the next request same-site.
                ContinueTo = ReturnUrl;
                return Page();
            case LoginOutcome.LoggedIn:
                return LocalRedirect(ReturnUrl);
            case LoginOutcome.Throttled:
                var seconds = Response.SetRetryAfter(retryAfter);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Problem = $"Too many wrong tokens from your address: try again in {seconds} s.";
                return Page();
            default:
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                Problem = "That is not the dashboard's token.";
                return Page();
        }
    }

    private string LocalOrRoot(string? url) => !string.IsNullOrEmpty(url) && Url.IsLocalUrl(url) ? url : Url.Content("~/");
}

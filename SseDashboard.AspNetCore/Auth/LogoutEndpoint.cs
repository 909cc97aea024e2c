using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SseDashboard.Mount;

namespace SseDashboard.Auth;

/// <summary><c>POST /logout</c>: a session's end, on every node, and at the OpenID provider when there is one.</summary>
public static class LogoutEndpoint
{
    public static IEndpointRouteBuilder MapLogout(this IEndpointRouteBuilder app)
    {
        // Open to anyone with the form's token: a provider's user who may not look can still sign out.
        app.MapPost("/logout", LogOutAsync).AllowAnonymous();
        return app;
    }

    // Ends the session everywhere, then, signed in with a provider that has an end-session endpoint, there too.
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult, EmptyHttpResult>> LogOutAsync(
        HttpContext context, IAntiforgery antiforgery, SessionLogin login, AccessStore access, IOptions<AuthOptions> auth)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.Problem(title: "Invalid form", detail: "The logout form's antiforgery token is missing or wrong: reload the page.", statusCode: StatusCodes.Status400BadRequest);
        }

        // The session could not be revoked, nor even read (its check needs the list): keep the cookie, say so.
        if (!access.IsCurrent)
        {
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(
                title: "Not logged out", detail: "The session cannot be ended everywhere now: the store that lists ended sessions cannot be reached. Try again shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        // Read once here: the provider's sign-out below reads the ID token from this same result.
        var session = await context.AuthenticateAsync(AuthSchemes.Session);
        try
        {
            await login.LogOutAsync(context, session.Principal);
        }
        catch (AccessStoreUnavailableException ex)
        {
            // This browser's cookie is gone; a copy of it elsewhere is not refused yet, so say so.
            return TypedResults.Problem(title: "Logged out here only", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var mount = context.RequestServices.GetRequiredService<DashboardMount>();
        if (auth.Value.Mode != AuthMode.OpenIdConnect)
        {
            return TypedResults.Redirect(mount.Url(context.Request, "/login"));
        }

        var signedOut = mount.Url(context.Request, "/login") + "?signedOut=1";
        if (session.Succeeded && await OpenIdConnectLogin.CanSignOutAtProviderAsync(context))
        {
            await context.SignOutAsync(AuthSchemes.OpenIdConnect, new AuthenticationProperties { RedirectUri = signedOut });
            return TypedResults.Empty;
        }

        return TypedResults.Redirect(signedOut);
    }
}

using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SseDashboard.Mount;

namespace SseDashboard.Auth;

/// <summary>
/// OpenID Connect mode: the framework's handler signs a user in at the provider (code flow with PKCE; claims from the
/// ID token and the userinfo endpoint) into the dashboard's own session cookie, with its lifetime, revocation and
/// stream leases; the framework's JWT handler takes scripts' bearer JWTs from the same provider.
/// </summary>
public static partial class OpenIdConnectLogin
{
    /// <summary>Where a failed sign-in lands: the login page, which says what went wrong.</summary>
    public const string FailedQuery = "failed";

    public static AuthenticationBuilder AddOpenIdConnectLogin(this AuthenticationBuilder authentication)
    {
        authentication.AddOpenIdConnect(AuthSchemes.OpenIdConnect, _ => { });
        authentication.AddJwtBearer(AuthSchemes.Jwt, _ => { });
        var services = authentication.Services;
        services.AddOptions<OpenIdConnectOptions>(AuthSchemes.OpenIdConnect).Configure<IOptions<AuthOptions>, DashboardMount>((oidc, auth, mount) =>
        {
            var settings = auth.Value.OpenIdConnect;
            oidc.Authority = settings.Authority;
            oidc.ClientId = settings.ClientId;
            oidc.ClientSecret = settings.ClientSecret;
            oidc.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            oidc.ResponseType = OpenIdConnectResponseType.Code;
            oidc.UsePkce = true;
            // The authorization request in the redirect, readable (client, PKCE challenge, callback), rather than pushed.
            oidc.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable;
            // The code comes back on a top-level GET, which carries the Lax correlation cookies on plain HTTP too
            // (form_post needs SameSite=None, which browsers take only with Secure).
            oidc.ResponseMode = OpenIdConnectResponseMode.Query;
            oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
            oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            oidc.NonceCookie.SameSite = SameSiteMode.Lax;
            oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            oidc.Scope.Clear();
            foreach (var scope in settings.EffectiveScopes)
            {
                oidc.Scope.Add(scope);
            }

            // Claims as the provider names them; groups from userinfo too (many providers put them only there).
            oidc.MapInboundClaims = false;
            oidc.GetClaimsFromUserInfoEndpoint = true;
            oidc.ClaimActions.MapJsonKey(settings.GroupsClaim, settings.GroupsClaim);
            oidc.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            oidc.SaveTokens = true;
            oidc.SignInScheme = AuthSchemes.Session;
            oidc.CallbackPath = mount.Path.Add("/signin-oidc");
            oidc.SignedOutCallbackPath = mount.Path.Add("/signout-callback-oidc");
            oidc.RemoteSignOutPath = mount.Path.Add("/signout-oidc");
            oidc.Events.OnTicketReceived = SessionAsync;
            oidc.Events.OnRedirectToIdentityProviderForSignOut = LeaveForProviderAsync;
            // The provider signing the user out (front-channel): the session ends everywhere, as a logout here does.
            oidc.Events.OnRemoteSignOut = async context =>
            {
                var session = await context.HttpContext.AuthenticateAsync(AuthSchemes.Session);
                await context.HttpContext.RequestServices.GetRequiredService<SessionLogin>().LogOutAsync(context.HttpContext, session.Principal);
                context.HandleResponse();
            };
            oidc.Events.OnRemoteFailure = context =>
            {
                LogSignInFailed(Logger(context.HttpContext), context.Failure?.Message ?? "no reason given");
                context.Response.Redirect(LoginUrl(context.HttpContext, $"{FailedQuery}=signin"));
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        services.AddOptions<JwtBearerOptions>(AuthSchemes.Jwt).Configure<IOptions<AuthOptions>>((jwt, auth) =>
        {
            var settings = auth.Value.OpenIdConnect;
            jwt.Authority = settings.Authority;
            // Only tokens made for this API: with no Audience configured none is (an ID token's audience is the client id).
            jwt.Audience = settings.Audience;
            jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.NameClaimType = "sub";
            jwt.TokenValidationParameters.AuthenticationType = AuthSchemes.Jwt;
            jwt.Events = new JwtBearerEvents
            {
                // An ID token proves a sign-in to the client that asked for it; it is not an access token.
                OnTokenValidated = context =>
                {
                    if (context.Principal?.HasClaim(c => c.Type == "nonce") == true)
                    {
                        context.Fail("an ID token is not an access token.");
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return AuthSchemes.UnauthorizedAsync(context.HttpContext, context.AuthenticateFailure is null
                        ? "Send Authorization: Bearer <JWT> issued by the OpenID provider."
                        : $"The bearer JWT was refused: {context.ErrorDescription}");
                },
            };
        });
        return authentication;
    }

    /// <summary>
    /// Sends a browser to the provider to sign in, coming back to <paramref name="returnUrl"/>; a provider that cannot
    /// be reached sends it to the login page, which says so, rather than to an error.
    /// </summary>
    public static async Task ChallengeAsync(HttpContext context, string? returnUrl)
    {
        var mount = context.RequestServices.GetRequiredService<DashboardMount>();
        try
        {
            await context.ChallengeAsync(AuthSchemes.OpenIdConnect, new AuthenticationProperties { RedirectUri = returnUrl ?? mount.Url(context.Request, "/") });
        }
        catch (InvalidOperationException ex)
        {
            LogProviderUnreachable(Logger(context), ex.Message);
            context.Response.Redirect(LoginUrl(context, $"{FailedQuery}=provider"));
        }
    }

    /// <summary>The provider's end-session endpoint, or null when it has none or cannot be reached now.</summary>
    public static async Task<bool> CanSignOutAtProviderAsync(HttpContext context)
    {
        var oidc = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(AuthSchemes.OpenIdConnect);
        try
        {
            var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
            return !string.IsNullOrEmpty(configuration.EndSessionEndpoint);
        }
        catch (InvalidOperationException ex)
        {
            LogProviderUnreachable(Logger(context), ex.Message);
            return false;
        }
    }

    /// <summary>Whether a session's user is among <c>AllowedUsers</c> or <c>AllowedGroups</c>; every other principal passes.</summary>
    public static bool Allows(HttpContext context, ClaimsPrincipal user)
    {
        var auth = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (auth.Mode != AuthMode.OpenIdConnect || user.Identity?.AuthenticationType != AuthSchemes.Session)
        {
            return true;
        }

        var settings = auth.OpenIdConnect;
        var email = user.FindFirstValue(DashboardClaims.Email);
        var subject = user.FindFirstValue(DashboardClaims.Subject);
        return settings.AllowedUsers.Any(allowed => allowed == "*"
                || string.Equals(allowed, email, StringComparison.OrdinalIgnoreCase)
                || string.Equals(allowed, subject, StringComparison.Ordinal))
            || user.FindAll(DashboardClaims.Group).Any(group => settings.AllowedGroups.Contains(group.Value, StringComparer.Ordinal));
    }

    // The provider's user becomes a dashboard session: who (name, subject, email, groups), which provider, and the
    // session's id and end, as a token login has them; the ID token is kept for the provider's sign-out.
    private static Task SessionAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (!services.GetRequiredService<AccessStore>().IsCurrent)
        {
            context.Response.Redirect(LoginUrl(context.HttpContext, ""));
            context.HandleResponse();
            return Task.CompletedTask;
        }

        var provider = context.Principal!;
        var subject = provider.FindFirstValue("sub") ?? "";
        // An email counts only as the provider vouches for it: some let users set one they do not own.
        var email = string.Equals(provider.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase) ? provider.FindFirstValue("email") : null;
        var expiresAt = services.GetRequiredService<TimeProvider>().GetUtcNow() + auth.SessionLifetime;
        List<Claim> claims =
        [
            new(ClaimTypes.Name, provider.FindFirstValue("name") ?? provider.FindFirstValue("email") ?? subject),
            new(DashboardClaims.Subject, subject),
            new(DashboardClaims.SessionId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
            DashboardClaims.ExpiresAt(expiresAt),
            new(DashboardClaims.IdentityProvider, auth.OpenIdConnect.Authority!),
            .. provider.FindAll(auth.OpenIdConnect.GroupsClaim).Select(g => g.Value).Distinct().Select(g => new Claim(DashboardClaims.Group, g)),
        ];
        if (email is not null)
        {
            claims.Add(new Claim(DashboardClaims.Email, email));
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSchemes.Session));
        var properties = context.Properties ??= new AuthenticationProperties();
        var idToken = properties.GetTokenValue(OpenIdConnectParameterNames.IdToken);
        properties.StoreTokens(idToken is null ? [] : [new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        properties.IsPersistent = true;
        properties.ExpiresUtc = expiresAt;
        properties.AllowRefresh = false;
        return Task.CompletedTask;
    }

    // The provider's end-session URL from a page of ours rather than in the logout form's redirect: the CSP's
    // form-action would hold the redirect to a provider whose end-session endpoint is on another host.
    private static async Task LeaveForProviderAsync(RedirectContext context)
    {
        // What the handler would add after this event: where its callback sends the browser afterwards.
        context.ProtocolMessage.State = context.Options.StateDataFormat.Protect(context.Properties);
        var url = System.Net.WebUtility.HtmlEncode(context.ProtocolMessage.CreateLogoutRequestUrl());
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={url}"><title>Signing out</title></head><body><p>Signed out here. <a href="{url}">Sign out at the identity provider</a>.</p></body></html>""");
        context.HandleResponse();
    }

    private static string LoginUrl(HttpContext context, string query) =>
        context.RequestServices.GetRequiredService<DashboardMount>().Url(context.Request, "/login") + (query.Length > 0 ? "?" + query : "");

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("SseDashboard.Auth");

    [LoggerMessage(Level = LogLevel.Warning, Message = "The OpenID provider cannot be reached: {Problem}")]
    private static partial void LogProviderUnreachable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing in with the OpenID provider failed: {Problem}")]
    private static partial void LogSignInFailed(ILogger logger, string problem);
}

using System.Net;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary>How readers prove who they are: <c>Dashboard:Auth:Mode</c>.</summary>
public enum AuthMode
{
    /// <summary>A login token: a session cookie for browsers, <c>Authorization: Bearer</c> for scripts.</summary>
    Token,

    /// <summary>A reverse proxy signs users in and names them in a header.</summary>
    Proxy,

    /// <summary>Open to anyone who can reach the port.</summary>
    None,

    /// <summary>
    /// An OpenID provider signs users in (code flow with PKCE) into the dashboard's session cookie; scripts send a JWT
    /// the same provider issued (<c>Dashboard:Auth:OpenIdConnect</c>).
    /// </summary>
    OpenIdConnect,

    /// <summary>
    /// Inside a host app: the host's own sign-in says who is signed in, and the policy the host puts on
    /// <c>MapSseDashboard</c> who may look. The dashboard adds no login of its own. The default in a host.
    /// </summary>
    Host,
}

/// <summary>The <c>Dashboard:Auth</c> section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Dashboard:Auth";

    public const int MinTokenLength = 16;

    /// <summary>Host in a host app; the standalone app makes Token its default.</summary>
    public AuthMode Mode { get; set; } = AuthMode.Host;

    /// <summary>The login token; empty: a random 128-bit token made at each start and printed as a login link.</summary>
    public string? Token { get; set; }

    /// <summary>How long a browser session lasts from its login.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(7);

    public ProxyAuthOptions Proxy { get; set; } = new();

    public OpenIdConnectSettings OpenIdConnect { get; set; } = new();
}

/// <summary>The <c>Dashboard:Auth:Proxy</c> section: whom to believe about the user's name.</summary>
public sealed class ProxyAuthOptions
{
    /// <summary>Loopback only: the proxy runs on this machine.</summary>
    public static readonly IReadOnlyList<string> DefaultTrustedNetworks = ["127.0.0.0/8", "::1/128"];

    public string UserHeader { get; set; } = "X-Forwarded-User";

    /// <summary>
    /// CIDRs whose requests may name the user. Empty means <see cref="DefaultTrustedNetworks"/>; a configured list
    /// replaces it (a default here would be kept by the configuration binder, which appends).
    /// </summary>
    public string[] TrustedNetworks { get; set; } = [];

    internal IReadOnlyList<IPNetwork> Networks =>
        (TrustedNetworks.Length > 0 ? TrustedNetworks : DefaultTrustedNetworks).Select(n => IPNetwork.Parse(n)).ToArray();
}

public sealed class ValidateAuthOptions : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new OptionsErrors(AuthOptions.Section);
        errors.Range("SessionLifetime", options.SessionLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(365));
        if (options.Token is { Length: > 0 } token)
        {
            // The token itself is never echoed: a start-up error lands in logs.
            if (token.Length < AuthOptions.MinTokenLength)
            {
                errors.Add("Token", $"must be at least {AuthOptions.MinTokenLength} characters (was {token.Length}); leave it empty for a random one.");
            }
            else if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add("Token", "must not contain spaces or control characters.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Proxy.UserHeader) || options.Proxy.UserHeader.Any(c => c <= ' ' || c == ':' || c >= 127))
        {
            errors.Add("Proxy:UserHeader", $"must be an HTTP header name like X-Forwarded-User (was '{options.Proxy.UserHeader}').");
        }

        if (options.Mode == AuthMode.OpenIdConnect)
        {
            options.OpenIdConnect.Validate(errors);
        }

        for (var i = 0; i < options.Proxy.TrustedNetworks.Length; i++)
        {
            if (!IPNetwork.TryParse(options.Proxy.TrustedNetworks[i], out _))
            {
                errors.Add($"Proxy:TrustedNetworks:{i}", $"must be a network in CIDR notation like 10.0.0.0/8 or fd00::/8 (was '{options.Proxy.TrustedNetworks[i]}').");
            }
        }

        return errors.Result;
    }
}

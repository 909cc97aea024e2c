using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary>Proxy mode: the user a trusted reverse proxy names in <c>Dashboard:Auth:Proxy:UserHeader</c>.</summary>
public sealed class ProxyUserHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private readonly IReadOnlyList<IPNetwork> _trusted = auth.Value.Proxy.Networks;
    private readonly string _header = auth.Value.Proxy.UserHeader;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var address = Context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        if (address is null || !_trusted.Any(n => n.Contains(address)))
        {
            return Task.FromResult(AuthenticateResult.Fail("Not from a trusted proxy."));
        }

        var user = Request.Headers[_header].ToString().Trim();
        if (user.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.Fail($"No {_header} header."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AuthSchemes.UnauthorizedAsync(Context,
            $"Sign in through the proxy: requests must come from Dashboard:Auth:Proxy:TrustedNetworks and name the user in {_header}.");
}

using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary>
/// A handler for a token that could be guessed: a client past its wrong tokens (<see cref="FailedLogins"/>) is refused
/// before its token is even looked at, a wrong guess counts against it, and the challenge is 429 or 401 problem+json.
/// </summary>
public abstract class GuessableTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, FailedLogins failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private TimeSpan? _throttled;
    private string _problem = "";

    /// <summary>The token this request carries, or null when it carries none.</summary>
    protected abstract string? Candidate();

    /// <summary>The principal for a good token; otherwise why not, and whether it counts as a wrong guess.</summary>
    protected abstract (ClaimsPrincipal? Principal, string Problem, bool Guess) Check(string candidate);

    protected sealed override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Candidate() is not { } candidate)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        (ClaimsPrincipal? Principal, string Problem, bool Guess) result = (null, "", false);
        if (!failures.TryAttempt(Context, () => (result = Check(candidate)) is { Principal: null, Guess: true }, out var retryAfter))
        {
            _throttled = retryAfter;
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong tokens."));
        }

        var (principal, problem, _) = result;
        if (principal is not null)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
        }

        _problem = problem;
        return Task.FromResult(AuthenticateResult.Fail(problem));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        _throttled is { } retryAfter ? FailedLogins.ThrottledAsync(Context, retryAfter) : AuthSchemes.UnauthorizedAsync(Context, _problem);
}

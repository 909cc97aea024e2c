using System.Globalization;
using System.Security.Claims;

namespace SseDashboard.Auth;

/// <summary>What the dashboard's principals carry, and the questions asked of them.</summary>
public static class DashboardClaims
{
    public const string SessionId = "sid";
    public const string EmbedId = "embed_id";
    public const string Panel = "panel";
    public const string Origin = "origin";

    /// <summary>An OpenID Connect session's user, as the provider names them, and the provider (its authority).</summary>
    public const string Subject = "sub";
    public const string Email = "email";
    public const string Group = "group";
    public const string IdentityProvider = "idp";

    /// <summary>Which login token a session was made with (<see cref="Auth.LoginToken.Fingerprint"/>): a new token ends the old sessions.</summary>
    public const string LoginToken = "login_token";

    /// <summary>When the session or embed token ends, as a round-trip ISO 8601 time (to the tick: the stream ends then, not before).</summary>
    public const string Expires = "expires_at";

    public static bool IsEmbed(ClaimsPrincipal user) => user.HasClaim(c => c.Type == EmbedId);

    /// <summary>The panels (topics) an embed token reaches; null for a logged-in user, who reaches them all.</summary>
    public static IReadOnlySet<string>? Panels(ClaimsPrincipal user) =>
        IsEmbed(user) ? user.FindAll(Panel).Select(c => c.Value).ToHashSet(StringComparer.Ordinal) : null;

    public static string[] Origins(ClaimsPrincipal user) => user.FindAll(Origin).Select(c => c.Value).ToArray();

    /// <summary>The session or embed token an open stream depends on, and when it expires; null when nothing ends it.</summary>
    public static (string Key, DateTimeOffset ExpiresAt)? Lease(ClaimsPrincipal user)
    {
        var key = user.FindFirstValue(SessionId) ?? user.FindFirstValue(EmbedId);
        return key is not null && DateTimeOffset.TryParse(user.FindFirstValue(Expires), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiresAt)
            ? (key, expiresAt)
            : null;
    }

    public static Claim ExpiresAt(DateTimeOffset at) =>
        new(Expires, at.ToString("O", CultureInfo.InvariantCulture), ClaimValueTypes.DateTime);
}

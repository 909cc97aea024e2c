using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace SseDashboard.Auth;

public enum EmbedTokenStatus
{
    Valid,

    /// <summary>Not a token this dashboard signed: malformed, tampered with, or signed with a key it does not have.</summary>
    Invalid,

    Expired,

    Revoked,

    /// <summary>Revocations cannot be read now (the store is unreachable): refused, as it might be revoked.</summary>
    Unknown,
}

/// <summary>
/// Tokens that let one internal tool frame some panels without a login. A token carries its own grant (panels,
/// origins, expiry), signed and encrypted by Data Protection; only revocation needs the store.
/// </summary>
public sealed class EmbedTokens(IDataProtectionProvider dataProtection, AccessStore store, AccessWatch watch, TimeProvider timeProvider)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SseDashboard.EmbedTokens.v1");

    public async Task<(EmbedTokenInfo Info, string Token)> CreateAsync(string[] panels, TimeSpan expiresIn, string[] origins, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var info = new EmbedTokenInfo(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), panels, origins, now, now + expiresIn);
        var grant = new EmbedGrant(info.Id, info.Panels, info.Origins, info.ExpiresAt);
        var token = WebEncoders.Base64UrlEncode(_protector.Protect(JsonSerializer.SerializeToUtf8Bytes(grant)));
        await store.AddAsync(info, cancellationToken);
        return (info, token);
    }

    public EmbedTokenStatus Check(string token, out EmbedGrant? grant)
    {
        // A store that cannot be read (a fleet's PostgreSQL) may hold the key ring too: no token is judged a forgery then.
        if (!store.IsCurrent)
        {
            grant = null;
            return EmbedTokenStatus.Unknown;
        }

        try
        {
            grant = JsonSerializer.Deserialize<EmbedGrant>(_protector.Unprotect(WebEncoders.Base64UrlDecode(token)));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or JsonException)
        {
            grant = null;
            return EmbedTokenStatus.Invalid;
        }

        return grant is null ? EmbedTokenStatus.Invalid
            : grant.ExpiresAt <= timeProvider.GetUtcNow() ? EmbedTokenStatus.Expired
            : store.EmbedToken(grant.Id) switch
            {
                AccessCheck.Revoked => EmbedTokenStatus.Revoked,
                AccessCheck.Unknown => EmbedTokenStatus.Unknown,
                _ => EmbedTokenStatus.Valid,
            };
    }

    /// <summary>Revokes a live token and ends the streams open with it; false when no live token has this id.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        if (!await store.RevokeEmbedTokenAsync(id, cancellationToken))
        {
            return false;
        }

        watch.Revoke(id);
        return true;
    }
}

/// <summary>What an embed token carries: its id, the panels (topics) it reaches, the origins that may frame them, its expiry.</summary>
public sealed record EmbedGrant(string Id, string[] Panels, string[] Origins, DateTimeOffset ExpiresAt);

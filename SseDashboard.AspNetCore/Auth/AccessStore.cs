using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Auth;

/// <summary>An embed token as listed: what it reaches and until when; never the token itself.</summary>
public sealed record EmbedTokenInfo(
    string Id,
    string[] Panels,
    string[] Origins,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset CreatedAt,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset ExpiresAt)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(UtcMillisecondsConverter))]
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>A logged-out session: its cookie is refused until it would have expired anyway.</summary>
public sealed record RevokedSession(string Id, DateTimeOffset ExpiresAt);

/// <summary>What the access list says of a session or an embed token.</summary>
public enum AccessCheck
{
    Allowed,
    Revoked,

    /// <summary>The list cannot be read now (its store is unreachable): refused rather than judged by a stale copy.</summary>
    Unknown,
}

/// <summary>
/// The embed tokens issued and the sessions ended, which every request is checked against. Checks answer from memory
/// (every stream and request asks); changes go to the store first, and a change made elsewhere (another node of a
/// fleet) ends this node's streams that depend on it.
/// </summary>
public abstract class AccessStore
{
    /// <summary>False while the list cannot be read: every check answers <see cref="AccessCheck.Unknown"/>.</summary>
    public abstract bool IsCurrent { get; }

    public abstract AccessCheck Session(string id);

    public abstract AccessCheck EmbedToken(string id);

    public abstract Task AddAsync(EmbedTokenInfo token, CancellationToken cancellationToken);

    /// <summary>The tokens neither expired nor revoked, oldest first.</summary>
    public abstract Task<IReadOnlyList<EmbedTokenInfo>> LiveEmbedTokensAsync(CancellationToken cancellationToken);

    /// <summary>False when no live token has this id.</summary>
    public abstract Task<bool> RevokeEmbedTokenAsync(string id, CancellationToken cancellationToken);

    public abstract Task RevokeSessionAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}

/// <summary>Thrown when the access list's store cannot take a change: the change did not happen.</summary>
public sealed class AccessStoreUnavailableException(string message, Exception inner) : Exception(message, inner);

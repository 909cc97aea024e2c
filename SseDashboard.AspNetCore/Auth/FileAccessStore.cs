using System.Text.Json;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Auth;

/// <summary>
/// One node's access list (SQLite or no store): <c>access.json</c> under <c>Dashboard:DataPath</c>, so that a
/// revocation survives a restart. Written whole on each change (they are rare), through a temp file and a rename.
/// </summary>
public sealed class FileAccessStore : AccessStore
{
    public const string FileName = "access.json";

    private static readonly JsonSerializerOptions Json = new(ApiJson.CreateOptions()) { WriteIndented = true };

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, EmbedTokenInfo> _embedTokens;
    private readonly Dictionary<string, RevokedSession> _revokedSessions;

    public FileAccessStore(IOptions<DataOptions> data, TimeProvider timeProvider)
    {
        _path = data.Value.Resolve(FileName);
        _timeProvider = timeProvider;
        var file = Load(_path);
        _embedTokens = file.EmbedTokens.ToDictionary(t => t.Id);
        _revokedSessions = file.RevokedSessions.ToDictionary(s => s.Id);
    }

    public override bool IsCurrent => true;

    public override Task AddAsync(EmbedTokenInfo token, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _embedTokens[token.Id] = token;
            Save();
        }

        return Task.CompletedTask;
    }

    public override Task<IReadOnlyList<EmbedTokenInfo>> LiveEmbedTokensAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<EmbedTokenInfo>>(
                _embedTokens.Values.Where(t => t.RevokedAt is null && t.ExpiresAt > now).OrderBy(t => t.CreatedAt).ToArray());
        }
    }

    public override Task<bool> RevokeEmbedTokenAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_embedTokens.TryGetValue(id, out var token) || token.RevokedAt is not null || token.ExpiresAt <= _timeProvider.GetUtcNow())
            {
                return Task.FromResult(false);
            }

            _embedTokens[id] = token with { RevokedAt = _timeProvider.GetUtcNow() };
            Save();
            return Task.FromResult(true);
        }
    }

    public override AccessCheck EmbedToken(string id)
    {
        lock (_lock)
        {
            return _embedTokens.TryGetValue(id, out var token) && token.RevokedAt is not null ? AccessCheck.Revoked : AccessCheck.Allowed;
        }
    }

    public override Task RevokeSessionAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _revokedSessions[id] = new RevokedSession(id, expiresAt);
            Save();
        }

        return Task.CompletedTask;
    }

    public override AccessCheck Session(string id)
    {
        lock (_lock)
        {
            return _revokedSessions.ContainsKey(id) ? AccessCheck.Revoked : AccessCheck.Allowed;
        }
    }

    // Entries past their expiry are dropped as the file is written: an expired token or cookie is refused anyway.
    private void Save()
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var expired in _embedTokens.Values.Where(t => t.ExpiresAt <= now).Select(t => t.Id).ToArray())
        {
            _embedTokens.Remove(expired);
        }

        foreach (var expired in _revokedSessions.Values.Where(s => s.ExpiresAt <= now).Select(s => s.Id).ToArray())
        {
            _revokedSessions.Remove(expired);
        }

        var file = new AccessFile([.. _embedTokens.Values.OrderBy(t => t.CreatedAt)], [.. _revokedSessions.Values]);
        var temp = _path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(file, Json));
        File.Move(temp, _path, overwrite: true);
    }

    private static AccessFile Load(string path)
    {
        if (!File.Exists(path))
        {
            return new AccessFile([], []);
        }

        try
        {
            return JsonSerializer.Deserialize<AccessFile>(File.ReadAllBytes(path), Json) ?? new AccessFile([], []);
        }
        catch (JsonException ex)
        {
            // Never overwritten: it holds revocations. Removing it forgets them (and the embed token list).
            throw new InvalidOperationException($"{path} is not a valid access file ({ex.Message}). Fix it, or remove it to forget its embed tokens and revocations.", ex);
        }
    }

    private sealed record AccessFile(EmbedTokenInfo[] EmbedTokens, RevokedSession[] RevokedSessions);
}

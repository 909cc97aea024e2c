using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary>The token that logs a browser in and authorises scripts: <c>Dashboard:Auth:Token</c>, or a random one per start.</summary>
public sealed class LoginToken
{
    private readonly byte[] _hash;

    public LoginToken(IOptions<AuthOptions> options)
    {
        var configured = options.Value.Token;
        IsRandom = string.IsNullOrEmpty(configured);
        Value = IsRandom ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : configured!;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
        Fingerprint = IsRandom ? "random" : Convert.ToHexStringLower(_hash.AsSpan(0, 8));
    }

    /// <summary>
    /// Names the configured token in a session (inside the encrypted cookie): change the token and its sessions end.
    /// All random tokens share one, so a restart keeps readers logged in.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>True when no token was configured: this one was made at start and is printed as the login link.</summary>
    public bool IsRandom { get; }

    internal string Value { get; }

    /// <summary>Compares hashes in constant time: neither the length nor a common prefix shows in the timing.</summary>
    public bool Matches(string? candidate) =>
        !string.IsNullOrEmpty(candidate)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _hash);
}

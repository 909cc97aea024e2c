namespace SseDashboard.Auth;

/// <summary>The <c>Dashboard:Auth:OpenIdConnect</c> section: the provider, this client, and who may look.</summary>
public sealed class OpenIdConnectSettings
{
    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    /// <summary>The provider's issuer URL; its discovery document is at <c>/.well-known/openid-configuration</c> below it.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Empty means <see cref="DefaultScopes"/>; a configured list replaces them (the binder would append to a default).</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>Emails or subjects (<c>sub</c>) let in; <c>*</c> lets in everyone the provider signs in.</summary>
    public string[] AllowedUsers { get; set; } = [];

    /// <summary>Groups whose members are let in, as the provider names them in <see cref="GroupsClaim"/>.</summary>
    public string[] AllowedGroups { get; set; } = [];

    public string GroupsClaim { get; set; } = "groups";

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The audience a script's JWT must carry (this API's, as the provider names it); empty: no JWT is taken.</summary>
    public string? Audience { get; set; }

    internal IReadOnlyList<string> EffectiveScopes => Scopes.Length > 0 ? Scopes : DefaultScopes;

    internal void Validate(OptionsErrors errors)
    {
        const string Key = "OpenIdConnect:";
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            errors.Add(Key + "Authority", $"must be the provider's absolute URL, like https://login.example.com/realms/ops (was '{Authority}').");
        }
        else if (RequireHttpsMetadata && authority.Scheme != "https")
        {
            errors.Add(Key + "Authority", $"must be https (was '{Authority}'); set RequireHttpsMetadata=false only for a provider on this machine.");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            errors.Add(Key + "ClientId", "is required: the client id the provider gave this dashboard.");
        }

        if (!Scopes.Contains("openid") && Scopes.Length > 0)
        {
            errors.Add(Key + "Scopes", $"must include openid (was '{string.Join(' ', Scopes)}').");
        }

        if (AllowedUsers.Length == 0 && AllowedGroups.Length == 0)
        {
            errors.Add(Key + "AllowedUsers", "or AllowedGroups must name who may look (emails, subjects or groups); AllowedUsers:0=* lets in everyone the provider signs in.");
        }

        if (string.IsNullOrWhiteSpace(GroupsClaim))
        {
            errors.Add(Key + "GroupsClaim", "must name the claim that lists a user's groups (the default is groups).");
        }
    }
}

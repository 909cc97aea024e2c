using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SseDashboard.History;

namespace SseDashboard.Auth;

/// <summary>
/// Data Protection's key ring in the fleet's PostgreSQL store, so every dashboard node opens the cookies and embed
/// tokens any of them made, with no shared directory. Written by hand: the framework's database repository needs
/// Entity Framework Core, a second data layer for one table of two columns. The interface is synchronous: so are these.
/// </summary>
public sealed class PostgresXmlRepository(HistoryStore history) : IXmlRepository
{
    private readonly PostgresHistoryStore _store = (PostgresHistoryStore)history;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        history.EnsureMigratedAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var connection = _store.OpenConnection();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY stored_at, id").Select(XElement.Parse).ToArray();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        history.EnsureMigratedAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var connection = _store.OpenConnection();
        connection.Execute(
            "INSERT INTO data_protection_keys (id, xml, stored_at) VALUES (@id, @xml, @at) ON CONFLICT (id) DO UPDATE SET xml = excluded.xml",
            new
            {
                id = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString() : friendlyName,
                xml = element.ToString(SaveOptions.DisableFormatting),
                at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            });
    }
}

using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace ComputeNet.Portal.Sessions;

/// <summary>
/// ASP.NET Core's data-protection key ring (what protects the session and antiforgery cookies) in PostgreSQL (table
/// <c>cn_portal_keys</c> of the platform's schema) instead of the home folder of the user running <c>serve</c>: every
/// host of a schema reads and writes the same keys, so a cookie issued by one host is read by another and by the same
/// host after a restart. A few keys a year (ASP.NET Core makes a new one every 90 days and keeps the old ones to read old
/// cookies). Stored as ASP.NET Core writes them, unencrypted, like its default file store on Linux: whoever can read the
/// schema can read them, as they can read everything else of the platform (docs/runbook.md).
/// </summary>
public sealed class PortalKeyRing(PortalTables tables) : IXmlRepository
{
    public const string Table = "cn_portal_keys";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = tables.Open();
        using var command = new NpgsqlCommand($"select xml from {tables.Qualified(Table)} order by stored_at, name", connection);
        using var reader = command.ExecuteReader();
        var keys = new List<XElement>();
        while (reader.Read())
        {
            keys.Add(XElement.Parse(reader.GetString(0)));
        }
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = tables.Open();
        using var command = new NpgsqlCommand($"insert into {tables.Qualified(Table)} (name, xml) values ($1, $2) on conflict (name) do nothing", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = friendlyName });
        command.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
        command.ExecuteNonQuery();
    }
}

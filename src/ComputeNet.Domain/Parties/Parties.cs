namespace ComputeNet.Domain.Parties;

/// <summary>The roles a party may hold; a party may hold several (market-rules §4: a provider may also buy).</summary>
[Flags]
public enum PartyRoles
{
    None = 0,
    Buyer = 1,
    Provider = 2,
    Carrier = 4,
    Issuer = 8,
    Regulator = 16,
    Operator = 32,
}

public static class RoleSlugs
{
    private static readonly (string Slug, PartyRoles Role)[] All =
    [
        ("buyer", PartyRoles.Buyer), ("provider", PartyRoles.Provider), ("carrier", PartyRoles.Carrier),
        ("issuer", PartyRoles.Issuer), ("regulator", PartyRoles.Regulator), ("operator", PartyRoles.Operator),
    ];

    public static bool TryParse(string? slug, out PartyRoles role)
    {
        foreach (var (s, r) in All)
        {
            if (s == slug)
            {
                role = r;
                return true;
            }
        }
        role = PartyRoles.None;
        return false;
    }

    public static IReadOnlyList<string> ToSlugs(PartyRoles roles) => All.Where(x => roles.HasFlag(x.Role)).Select(x => x.Slug).ToList();
}

/// <summary>A carrier's routes: every city × every cluster listed is one city–cluster pair it serves.</summary>
public sealed record RouteSet(IReadOnlyList<string> Cities, IReadOnlyList<string> Clusters)
{
    public IEnumerable<(string City, string Cluster)> Pairs() =>
        from city in Cities from cluster in Clusters select (city, cluster);
}

/// <summary>
/// Event: a party joined the platform. <see cref="Ordinal"/> is its registration order (1-based), which orders invoice lines.
/// <see cref="DisplayNameEn"/> is an optional second-language (English) display name for bilingual documents; events
/// stored before it existed read it as null.
/// </summary>
public sealed record PartyRegistered(
    string PartyId,
    long Ordinal,
    IReadOnlyList<string> Roles,
    string? City,
    bool Sme,
    IReadOnlyList<RouteSet> Routes,
    string? DisplayName,
    NodaTime.Instant At,
    string? DisplayNameEn = null);

public sealed record Party(string Id, long Ordinal, PartyRoles Roles, string? City, bool Sme, string? DisplayName, string? DisplayNameEn = null)
{
    public bool Has(PartyRoles role) => (Roles & role) == role;
}

/// <summary>
/// Event: an API key was issued to a party. Only the key's SHA-256 (hex) is ever stored; <see cref="KeyId"/>
/// is a short public label (its first characters) for people and logs. Issuing a key revokes the party's
/// earlier keys (rotation).
/// </summary>
public sealed record ApiKeyIssued(string PartyId, string KeyId, string KeyHash, NodaTime.Instant At);

/// <summary>Event: every API key of a party was revoked; it cannot call the API until a new key is issued.</summary>
public sealed record ApiKeysRevoked(string PartyId, NodaTime.Instant At);

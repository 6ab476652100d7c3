using ComputeNet.Domain.Reference;
using NodaTime;

namespace ComputeNet.Domain.Parties;

public sealed record RegisterParty(
    string PartyId,
    IReadOnlyList<string> Roles,
    string? City,
    bool Sme,
    IReadOnlyList<RouteSet> Routes,
    string? DisplayName,
    Instant At,
    string? DisplayNameEn = null);

/// <summary>
/// Every registered party and which carrier serves each city–cluster route. Invariant: a route
/// has at most one carrier (market-rules §6); party ids are unique.
/// </summary>
public sealed class PartyRegistry
{
    private readonly Dictionary<string, Party> _parties = new(StringComparer.Ordinal);
    private readonly Dictionary<(string City, string Cluster), string> _carrierByRoute = new();
    private readonly Dictionary<string, string> _partyByKeyHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string KeyId, string KeyHash)> _keyByParty = new(StringComparer.Ordinal);

    public IReadOnlyCollection<Party> Parties => _parties.Values;
    public Party? Find(string id) => _parties.GetValueOrDefault(id);
    public string? CarrierFor(string city, string cluster) => _carrierByRoute.GetValueOrDefault((city, cluster));
    public IReadOnlyDictionary<(string City, string Cluster), string> Routes => _carrierByRoute;

    /// <summary>The party holding the key with this SHA-256 hash, if the key is current (not rotated or revoked).</summary>
    public Party? FindByKeyHash(string keyHash) => _partyByKeyHash.TryGetValue(keyHash, out var id) ? _parties[id] : null;

    /// <summary>The public label of the party's current key, or null when it has none.</summary>
    public string? CurrentKeyId(string partyId) => _keyByParty.TryGetValue(partyId, out var k) ? k.KeyId : null;

    /// <summary>Issues a new key (its hash chosen by the caller, who alone ever sees the key) and revokes the previous one.</summary>
    public IReadOnlyList<object> DecideIssueKey(string partyId, string keyId, string keyHash, Instant at)
    {
        if (!_parties.ContainsKey(partyId))
        {
            throw RejectedException.Of(Codes.Invalid, $"no party '{partyId}' is registered", "party");
        }
        if (_partyByKeyHash.ContainsKey(keyHash))
        {
            throw new InvalidOperationException("key hash collision: keys must be random");
        }
        return [new ApiKeyIssued(partyId, keyId, keyHash, at)];
    }

    public IReadOnlyList<object> DecideRevokeKeys(string partyId, Instant at)
    {
        if (!_parties.ContainsKey(partyId))
        {
            throw RejectedException.Of(Codes.Invalid, $"no party '{partyId}' is registered", "party");
        }
        return _keyByParty.ContainsKey(partyId) ? [new ApiKeysRevoked(partyId, at)] : [];
    }

    public void Evolve(object e)
    {
        switch (e)
        {
            case PartyRegistered registered:
                Evolve(registered);
                break;
            case ApiKeyIssued issued:
                if (_keyByParty.Remove(issued.PartyId, out var previous))
                {
                    _partyByKeyHash.Remove(previous.KeyHash);
                }
                _keyByParty[issued.PartyId] = (issued.KeyId, issued.KeyHash);
                _partyByKeyHash[issued.KeyHash] = issued.PartyId;
                break;
            case ApiKeysRevoked revoked:
                if (_keyByParty.Remove(revoked.PartyId, out var current))
                {
                    _partyByKeyHash.Remove(current.KeyHash);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown party event");
        }
    }

    /// <summary>
    /// Decides a registration. A repeat with the same content is a no-op (no events); a carrier whose
    /// routes overlap another carrier's is refused whole.
    /// </summary>
    public IReadOnlyList<PartyRegistered> Decide(RegisterParty cmd, Catalogue catalogue)
    {
        var roles = PartyRoles.None;
        foreach (var slug in cmd.Roles)
        {
            if (!RoleSlugs.TryParse(slug, out var r))
            {
                throw RejectedException.Of(Codes.Invalid, $"unknown role '{slug}'", "roles");
            }
            roles |= r;
        }
        if (roles == PartyRoles.None)
        {
            throw RejectedException.Of(Codes.Invalid, "a party needs at least one role", "roles");
        }
        if ((roles & PartyRoles.Buyer) != 0)
        {
            if (cmd.City is null || catalogue.City(cmd.City) is null)
            {
                throw RejectedException.Of(Codes.Invalid, $"a buyer needs a known city (got '{cmd.City}')", "city");
            }
        }
        else if (cmd.City is not null && catalogue.City(cmd.City) is null)
        {
            throw RejectedException.Of(Codes.Invalid, $"unknown city '{cmd.City}'", "city");
        }
        if (cmd.Routes.Count > 0 && (roles & PartyRoles.Carrier) == 0)
        {
            throw RejectedException.Of(Codes.Invalid, "only a carrier registers routes", "routes");
        }
        var pairs = new HashSet<(string, string)>();
        foreach (var route in cmd.Routes)
        {
            foreach (var (city, cluster) in route.Pairs())
            {
                if (catalogue.City(city) is null)
                {
                    throw RejectedException.Of(Codes.Invalid, $"route names unknown city '{city}'", "routes");
                }
                if (catalogue.Cluster(cluster) is null)
                {
                    throw RejectedException.Of(Codes.Invalid, $"route names unknown cluster '{cluster}'", "routes");
                }
                pairs.Add((city, cluster));
            }
        }

        if (_parties.TryGetValue(cmd.PartyId, out var existing))
        {
            var same = existing.Roles == roles && existing.City == cmd.City && existing.Sme == cmd.Sme && existing.DisplayName == cmd.DisplayName && existing.DisplayNameEn == cmd.DisplayNameEn
                && pairs.SetEquals(_carrierByRoute.Where(kv => kv.Value == cmd.PartyId).Select(kv => kv.Key));
            return same ? [] : throw RejectedException.Of(Codes.IdReused, $"party '{cmd.PartyId}' is already registered with other details", "id");
        }
        foreach (var pair in pairs)
        {
            if (_carrierByRoute.TryGetValue(pair, out var other))
            {
                throw RejectedException.Of(Codes.OverlappingRoute,
                    $"route {pair.Item1}–{pair.Item2} is already served by carrier '{other}'", "routes");
            }
        }
        return
        [
            new PartyRegistered(cmd.PartyId, _parties.Count + 1, RoleSlugs.ToSlugs(roles), cmd.City, cmd.Sme,
                cmd.Routes, cmd.DisplayName, cmd.At, cmd.DisplayNameEn),
        ];
    }

    public void Evolve(PartyRegistered e)
    {
        var roles = PartyRoles.None;
        foreach (var slug in e.Roles)
        {
            RoleSlugs.TryParse(slug, out var r);
            roles |= r;
        }
        _parties[e.PartyId] = new Party(e.PartyId, e.Ordinal, roles, e.City, e.Sme, e.DisplayName, e.DisplayNameEn);
        foreach (var route in e.Routes)
        {
            foreach (var pair in route.Pairs())
            {
                _carrierByRoute[pair] = e.PartyId;
            }
        }
    }

    public static PartyRegistry From(IEnumerable<PartyRegistered> events)
    {
        var registry = new PartyRegistry();
        foreach (var e in events)
        {
            registry.Evolve(e);
        }
        return registry;
    }
}

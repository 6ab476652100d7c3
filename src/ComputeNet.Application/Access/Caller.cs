using System.Security.Claims;

namespace ComputeNet.Application.Access;

/// <summary>
/// The caller as the hosts see it: a party id and its roles (the operator key holder is the party "operator"). The API
/// (API key per request) and the portal (a session started with the same key) build the same claims, so both apply the
/// same role checks and the same <see cref="Scope"/> to the same Mediator requests.
/// </summary>
public sealed record Caller(string PartyId, IReadOnlySet<string> Roles)
{
    public const string OperatorPartyId = "operator";

    /// <summary>The claim naming the key that authenticated the caller (its public id, never the secret): who acted, and the rate limiter's partition.</summary>
    public const string KeyIdClaim = "computenet:key-id";

    public bool Is(string role) => Roles.Contains(role);

    /// <summary>Regulators and operators read every party's data; everyone else reads only their own.</summary>
    public bool ReadsAll => Is(Role.Regulator) || Is(Role.Operator);

    /// <summary>The party whose data a read is about: the caller's own, or any (or the one asked for) for regulators and operators.</summary>
    public string? Scope(string? requested) => ReadsAll ? requested : PartyId;

    /// <summary>Who acts for the request (its key id and party), or null when it is anonymous.</summary>
    public static Actions.Actor? ActorOf(ClaimsPrincipal user) =>
        user.FindFirst(KeyIdClaim)?.Value is { } keyId && user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } party
            ? new Actions.Actor(keyId, party)
            : null;

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? throw new InvalidOperationException("unauthenticated caller reached an endpoint"),
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));

    /// <summary>The claims of an authenticated caller, the same for an API key and a portal session.</summary>
    public static List<Claim> Claims(string partyId, IEnumerable<string> roles, string keyId)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, partyId), new(KeyIdClaim, keyId) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return claims;
    }
}

public static class Role
{
    public const string Buyer = "buyer";
    public const string Provider = "provider";
    public const string Carrier = "carrier";
    public const string Issuer = "issuer";
    public const string Regulator = "regulator";
    public const string Operator = "operator";
}

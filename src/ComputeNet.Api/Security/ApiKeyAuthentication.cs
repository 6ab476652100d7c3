using System.Security.Claims;
using System.Text.Encodings.Web;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.ManageApiKeys;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ComputeNet.Api.Security;

/// <summary>The caller as endpoints see it: a party id and its roles (the operator key holder is the party "operator").</summary>
public sealed record Caller(string PartyId, IReadOnlySet<string> Roles)
{
    public const string OperatorPartyId = "operator";

    public bool Is(string role) => Roles.Contains(role);

    /// <summary>Regulators and operators read every party's data; everyone else reads only their own.</summary>
    public bool ReadsAll => Is(Role.Regulator) || Is(Role.Operator);

    /// <summary>The party whose data a read is about: the caller's own, or any (or the one asked for) for regulators and operators.</summary>
    public string? Scope(string? requested) => ReadsAll ? requested : PartyId;

    /// <summary>Who acts for the request (its key id and party), or null when it is anonymous.</summary>
    public static Application.Actions.Actor? ActorOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) is { } keyId && user.FindFirstValue(ClaimTypes.NameIdentifier) is { } party
            ? new Application.Actions.Actor(keyId, party)
            : null;

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("unauthenticated caller reached an endpoint"),
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
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

/// <summary>
/// `Authorization: Bearer &lt;key&gt;`. The operator key comes from configuration and is compared in constant time;
/// party keys are looked up by their SHA-256 through the same Mediator request the rest of the platform uses.
/// A missing key is anonymous (401 on every endpoint but the OpenAPI document); a wrong key is 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, ISender sender)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer <API key>'");
        }
        var key = header["Bearer ".Length..].Trim();
        if (ApiKeys.SameSecret(key, Options.OperatorKey))
        {
            // The operator key's id is a fingerprint of it (who did what; the rate limiter's partition).
            return Success(Caller.OperatorPartyId, [Role.Operator], Application.Actions.Actor.OperatorKey(key).KeyId);
        }
        // An address that spent its budget of requests without a valid key gets no database read for another guess; keys
        // that authenticated here before still do, so the clients behind that address (a NAT, a proxy) keep working.
        var addressSpent = Context.RequestServices.GetService<Hosting.ApiRateLimiter>() is { } limiter && limiter.AddressExhausted(Context);
        var party = await sender.Send(new AuthenticateApiKeyRequest(key, OnlyIfSeenBefore: addressSpent), Context.RequestAborted);
        // The key id is the key's first 12 characters (never the secret): who acted, and the rate limiter's partition.
        return party is null ? AuthenticateResult.Fail("unknown, rotated or revoked API key") : Success(party.Id, party.Roles, key[..ApiKeys.KeyIdLength]);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"computenet\"";
        return base.HandleChallengeAsync(properties);
    }

    /// <summary>The claim naming the key that authenticated the request (its id, not the secret).</summary>
    public const string KeyIdClaim = Hosting.ApiRateLimiter.KeyIdClaim;

    /// <param name="keyId">The key's public id (never the key): who acted, and the rate limiter's partition.</param>
    private AuthenticateResult Success(string partyId, IEnumerable<string> roles, string keyId)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, partyId), new(KeyIdClaim, keyId) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public string OperatorKey { get; set; } = "";
}

public static class ApiKeyAuthenticationSetup
{
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, string operatorKey)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, o => o.OperatorKey = operatorKey);
        services.AddAuthorization();
        return services;
    }
}

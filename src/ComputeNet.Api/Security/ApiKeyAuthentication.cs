using System.Security.Claims;
using System.Text.Encodings.Web;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.ManageApiKeys;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ComputeNet.Api.Security;

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
        var identity = await IdentifyAsync(Context, key, Options.OperatorKey, sender);
        return identity is null ? AuthenticateResult.Fail("unknown, rotated or revoked API key")
            : AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity(Caller.Claims(identity.PartyId, identity.Roles, identity.KeyId), SchemeName)), SchemeName));
    }

    /// <summary>
    /// Who holds <paramref name="key"/>: the operator (compared in constant time with the configured key), a party (looked up by
    /// the key's SHA-256), or nobody (null). The API runs it on every request; the portal on sign-in, so both refuse the same keys.
    /// </summary>
    public static async Task<KeyHolder?> IdentifyAsync(HttpContext http, string key, string operatorKey, ISender sender)
    {
        if (operatorKey.Length > 0 && ApiKeys.SameSecret(key, operatorKey))
        {
            // The operator key's id is a fingerprint of it (who did what; the rate limiter's partition).
            return new KeyHolder(Caller.OperatorPartyId, [Role.Operator], Application.Actions.Actor.OperatorKey(key).KeyId, ApiKeys.Hash(key), null);
        }
        // An address that spent its budget of requests without a valid key gets no database read for another guess; keys
        // that authenticated here before still do, so the clients behind that address (a NAT, a proxy) keep working.
        var addressSpent = http.RequestServices.GetService<Hosting.ApiRateLimiter>() is { } limiter && limiter.AddressExhausted(http);
        var party = await sender.Send(new AuthenticateApiKeyRequest(key, OnlyIfSeenBefore: addressSpent), http.RequestAborted);
        // The key id is the key's first 12 characters (never the secret): who acted, and the rate limiter's partition.
        return party is null ? null : new KeyHolder(party.Id, party.Roles, key[..ApiKeys.KeyIdLength], ApiKeys.Hash(key), party);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"computenet\"";
        return base.HandleChallengeAsync(properties);
    }

    /// <summary>The claim naming the key that authenticated the request (its id, not the secret).</summary>
    public const string KeyIdClaim = Caller.KeyIdClaim;
}

/// <summary>The holder of a valid key: its party and roles, the key's public id and its SHA-256 (for a portal session's later checks); the party as registered (null for the operator key).</summary>
public sealed record KeyHolder(string PartyId, IReadOnlyList<string> Roles, string KeyId, string KeyHash, Application.Parties.RegisterParty.PartyView? Party);

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public string OperatorKey { get; set; } = "";
}

public static class ApiKeyAuthenticationSetup
{
    /// <summary>The default scheme: the API key on the API's paths, the portal's session everywhere else (ADR 0023).</summary>
    public const string HostScheme = "ApiKeyOrPortalSession";

    /// <summary>
    /// The API's key authentication and the portal's sessions in one host. Paths of the API (<see cref="Hosting.HttpHardening.IsApi"/>)
    /// authenticate by the Authorization header only, never by the portal's cookie (so no API call can be forged from a
    /// browser); every other path by the portal's session cookie.
    /// </summary>
    public static Microsoft.AspNetCore.Authentication.AuthenticationBuilder AddApiKeyAuthentication(this IServiceCollection services, string operatorKey)
    {
        var auth = services.AddAuthentication(HostScheme)
            .AddPolicyScheme(HostScheme, "API key on the API, session on the portal", o => o.ForwardDefaultSelector = http =>
                Hosting.HttpHardening.IsApi(http.Request.Path) ? ApiKeyAuthenticationHandler.SchemeName : Portal.Sessions.PortalSessions.Scheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, o => o.OperatorKey = operatorKey);
        services.AddAuthorization();
        return auth;
    }
}

/// <summary>The portal's key check (<see cref="Portal.Sessions.IPortalKeys"/>): the code the API's authentication runs on every request.</summary>
public sealed class PortalKeys(ISender sender, IOptionsMonitor<ApiKeyAuthenticationOptions> options) : Portal.Sessions.IPortalKeys
{
    private string OperatorKey => options.Get(ApiKeyAuthenticationHandler.SchemeName).OperatorKey;

    public async Task<Portal.Sessions.PortalIdentity?> IdentifyAsync(HttpContext http, string key) =>
        key.Length is 0 or > 200 ? null
            : await ApiKeyAuthenticationHandler.IdentifyAsync(http, key, OperatorKey, sender) is { } holder
                ? new Portal.Sessions.PortalIdentity(holder.PartyId, holder.Roles, holder.KeyId, holder.KeyHash, holder.Party?.DisplayName, holder.Party?.DisplayNameEn)
                : null;

    public async Task<bool> StillValidAsync(HttpContext http, string partyId, string keyHash)
    {
        if (partyId == Caller.OperatorPartyId)
        {
            return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(keyHash), System.Text.Encoding.ASCII.GetBytes(ApiKeys.Hash(OperatorKey)));
        }
        var party = await sender.Send(new FindPartyByKeyHashRequest(keyHash), http.RequestAborted);
        return party?.Id == partyId;
    }
}

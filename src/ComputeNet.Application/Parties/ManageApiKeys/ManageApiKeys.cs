using ComputeNet.Application.Parties.RegisterParty;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Parties.ManageApiKeys;

/// <summary>Operator: issue a new API key to a party (rotation: its previous key stops working at once). The key is in this answer only.</summary>
public sealed record RotateApiKeyRequest(string PartyId) : ICommand<IssuedApiKey>;

public sealed record IssuedApiKey(string PartyId, string ApiKey, string ApiKeyId);

/// <summary>Operator: revoke every key of a party; it cannot call the API until a new key is issued.</summary>
public sealed record RevokeApiKeysRequest(string PartyId) : ICommand<bool>;

/// <summary>The party that holds an API key, or null for an unknown, rotated or revoked key.</summary>
/// <param name="OnlyIfSeenBefore">Look the key up only if it authenticated on this host before (it is in the bounded cache
/// of known keys, however old): a guessed key then costs no database read. The API sets it for an address that has spent
/// its budget of requests without a valid key, so clients behind that address keep working and guesses stop costing.</param>
public sealed record AuthenticateApiKeyRequest(string ApiKey, bool OnlyIfSeenBefore = false) : IQuery<PartyView?>;

/// <summary>
/// The party whose current key has this SHA-256, or null once that key is rotated or revoked. A portal session keeps only
/// the hash of the key it was started with (never the key) and asks this on each request (docs/adr/0023-portal-….md).
/// </summary>
public sealed record FindPartyByKeyHashRequest(string KeyHash) : IQuery<PartyView?>;

public sealed class ManageApiKeysHandler(PartyDirectory parties, IClock clock) :
    ICommandHandler<RotateApiKeyRequest, IssuedApiKey>,
    ICommandHandler<RevokeApiKeysRequest, bool>,
    IQueryHandler<AuthenticateApiKeyRequest, PartyView?>,
    IQueryHandler<FindPartyByKeyHashRequest, PartyView?>
{
    public async ValueTask<IssuedApiKey> Handle(RotateApiKeyRequest r, CancellationToken ct)
    {
        var key = ApiKeys.New();
        await parties.IssueKeyAsync(r.PartyId, key, clock.GetCurrentInstant(), ct);
        return new IssuedApiKey(r.PartyId, key.Key, key.KeyId);
    }

    public async ValueTask<bool> Handle(RevokeApiKeysRequest r, CancellationToken ct) =>
        await parties.RevokeKeysAsync(r.PartyId, clock.GetCurrentInstant(), ct);

    public async ValueTask<PartyView?> Handle(AuthenticateApiKeyRequest q, CancellationToken ct)
    {
        if (!q.ApiKey.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal) || q.ApiKey.Length >= 100)
        {
            return null;
        }
        var hash = ApiKeys.Hash(q.ApiKey);
        if (q.OnlyIfSeenBefore && !parties.SeenKeyHash(hash))
        {
            return null;
        }
        return await parties.FindByKeyHashAsync(hash, ct) is { } party ? PartyView.Of(party) : null;
    }

    public async ValueTask<PartyView?> Handle(FindPartyByKeyHashRequest q, CancellationToken ct) =>
        q.KeyHash.Length == 64 && await parties.FindByKeyHashAsync(q.KeyHash, ct) is { } party ? PartyView.Of(party) : null;
}

using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using Marten;
using DomainRegister = ComputeNet.Domain.Parties.RegisterParty;

namespace ComputeNet.Application.Parties;

/// <summary>The registry of parties and carriers' routes, kept current from the parties stream.</summary>
public sealed class PartyDirectory(IDocumentStore store)
{
    private readonly StreamCache<PartyRegistry> _cache = new(store, MartenSetup.Streams.Parties, () => new PartyRegistry(),
        (s, e) => s.Evolve(e));

    public Task<Party?> FindAsync(string? id, CancellationToken ct) =>
        id is null ? Task.FromResult<Party?>(null) : _cache.ReadAsync(r => r.Find(id), found => found is not null, ct);

    public Task<IReadOnlyList<Party>> AllAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<Party>>(r => r.Parties.OrderBy(p => p.Ordinal).ToList(), ct);

    public Task<IReadOnlyList<ListRoutes.RouteView>> RoutesAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<ListRoutes.RouteView>>(r => r.Routes.Select(kv => new ListRoutes.RouteView(kv.Key.City, kv.Key.Cluster, kv.Value)).ToList(), ct);

    /// <summary>A snapshot of which carrier serves each city–cluster route.</summary>
    public Task<IReadOnlyDictionary<(string City, string Cluster), string>> RoutesMapAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyDictionary<(string City, string Cluster), string>>(r => new Dictionary<(string, string), string>(r.Routes), ct);

    /// <summary>
    /// Registers a party; with <paramref name="key"/>, also issues its first API key in the same append, so a
    /// party never exists half-provisioned. A repeat registration issues no key.
    /// </summary>
    public Task<(Party Party, bool Created)> RegisterAsync(DomainRegister cmd, Catalogue catalogue, NewApiKey? key, CancellationToken ct) =>
        _cache.WriteAsync(
            r =>
            {
                var events = r.Decide(cmd, catalogue).Cast<object>().ToList();
                if (events.Count > 0 && key is not null)
                {
                    events.Add(new ApiKeyIssued(cmd.PartyId, key.KeyId, key.KeyHash, cmd.At));
                }
                return events;
            },
            events => events,
            null,
            (r, events) => (r.Find(cmd.PartyId)!, events.Count > 0),
            ct);

    public Task<string> IssueKeyAsync(string partyId, NewApiKey key, NodaTime.Instant at, CancellationToken ct) =>
        _cache.WriteAsync(r => r.DecideIssueKey(partyId, key.KeyId, key.KeyHash, at), e => e, null, (r, _) => r.CurrentKeyId(partyId)!, ct);

    public Task<bool> RevokeKeysAsync(string partyId, NodaTime.Instant at, CancellationToken ct) =>
        _cache.WriteAsync(r => r.DecideRevokeKeys(partyId, at), e => e, null, (_, e) => e.Count > 0, ct);

    public Task<Party?> FindByKeyHashAsync(string keyHash, CancellationToken ct) => _cache.ReadAsync(r => r.FindByKeyHash(keyHash), found => found is not null, ct);

    public Task<string?> CurrentKeyIdAsync(string partyId, CancellationToken ct) => _cache.ReadAsync(r => r.CurrentKeyId(partyId), ct);
}

using System.Collections.Concurrent;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using Marten;
using DomainRegister = ComputeNet.Domain.Parties.RegisterParty;

namespace ComputeNet.Application.Parties;

/// <summary>
/// Parties and carriers' routes: one stream per party (<c>party:{id}</c>), decided through the <see cref="Decider"/>, read
/// from the inline <see cref="PartyDocument"/>s and <see cref="RouteDocument"/>s. The hot paths (a party by id for every
/// order, a party by key hash for every API request) answer from a small cache whose entries are at most
/// <see cref="MaxStaleness"/> old — so a rotation or revocation made by another host takes effect within it, and at once on
/// this one; a miss (an unknown key, an unknown party) is one indexed read and holds no lock.
/// </summary>
public sealed class PartyDirectory(IDocumentStore store)
{
    /// <summary>How old a cached party may be (the bound <c>StreamCache</c> gave before).</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(1);

    /// <summary>Entries kept at most per cache; beyond it the cache starts again empty (a miss is one indexed read).</summary>
    public const int MaxCached = 100_000;

    private readonly ConcurrentDictionary<string, (Party Party, long At)> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Party Party, long At)> _byKeyHash = new(StringComparer.Ordinal);

    /// <summary>Registration decides on cross-party facts (registration order, who serves a route), so registrations run one at a time.</summary>
    private const string RegistrationLock = "computenet-party-registration";

    public async Task<Party?> FindAsync(string? id, CancellationToken ct)
    {
        if (id is null)
        {
            return null;
        }
        if (Fresh(_byId, id) is { } cached)
        {
            return cached;
        }
        await using var session = store.QuerySession();
        var party = (await session.LoadAsync<PartyDocument>(PartyProjections.StreamOf(id), ct))?.Party();
        Remember(_byId, id, party);
        return party;
    }

    public async Task<IReadOnlyList<Party>> AllAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.Query<PartyDocument>().OrderBy(p => p.Ordinal).ToListAsync(ct)).Select(p => p.Party()).ToList();
    }

    public async Task<IReadOnlyList<ListRoutes.RouteView>> RoutesAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.Query<RouteDocument>().ToListAsync(ct)).Select(r => new ListRoutes.RouteView(r.City, r.Cluster, r.Carrier)).ToList();
    }

    /// <summary>Which carrier serves each city–cluster route (bounded by the catalogue's cities × clusters).</summary>
    public async Task<IReadOnlyDictionary<(string City, string Cluster), string>> RoutesMapAsync(CancellationToken ct) =>
        (await RoutesAsync(ct)).ToDictionary(r => (r.City, r.Cluster), r => r.Carrier);

    /// <summary>
    /// Registers a party; with <paramref name="key"/>, also issues its first API key in the same append, so a
    /// party never exists half-provisioned. A repeat registration issues no key.
    /// </summary>
    public async Task<(Party Party, bool Created)> RegisterAsync(DomainRegister cmd, Catalogue catalogue, NewApiKey? key, CancellationToken ct)
    {
        long ordinal = 0;
        IReadOnlyList<PartyRegistered> carriers = [];
        var result = await Decider.DecideAsync<PartyStream, (Party, bool)>(store, PartyProjections.StreamOf(cmd.PartyId),
            state =>
            {
                var events = state.Registry(carriers).Decide(cmd, catalogue).Select(r => (object)(r with { Ordinal = ordinal })).ToList();
                if (events.Count > 0 && key is not null)
                {
                    events.Add(new ApiKeyIssued(cmd.PartyId, key.KeyId, key.KeyHash, cmd.At));
                }
                return events;
            },
            (state, events) => (PartyRegistry.From([state.Registered!]).Find(cmd.PartyId)!, events.Count > 0), ct,
            async (session, token) =>
            {
                // Under the registration lock: the next registration order, and the carriers of the routes asked for.
                await Decider.LockAsync(session, RegistrationLock, token);
                var last = await session.Query<PartyDocument>().OrderByDescending(p => p.Ordinal).Select(p => p.Ordinal).Take(1).ToListAsync(token);
                ordinal = (last.Count == 0 ? 0 : last[0]) + 1;
                var routeKeys = cmd.Routes.SelectMany(r => r.Pairs()).Select(p => RouteDocument.KeyOf(p.City, p.Cluster)).Distinct().ToList();
                var served = routeKeys.Count == 0 ? [] : await session.LoadManyAsync<RouteDocument>(token, routeKeys);
                var carrierKeys = served.Select(r => PartyProjections.StreamOf(r.Carrier)).Distinct().ToList();
                carriers = carrierKeys.Count == 0 ? [] : (await session.LoadManyAsync<PartyDocument>(token, carrierKeys)).Select(d => d.Registered).ToList();
            });
        Forget(cmd.PartyId);
        return result;
    }

    public async Task<string> IssueKeyAsync(string partyId, NewApiKey key, NodaTime.Instant at, CancellationToken ct)
    {
        var keyId = await Decider.DecideAsync<PartyStream, string>(store, PartyProjections.StreamOf(partyId),
            s => s.Registry([]).DecideIssueKey(partyId, key.KeyId, key.KeyHash, at), (s, _) => s.Key!.KeyId, ct);
        Forget(partyId);
        return keyId;
    }

    public async Task<bool> RevokeKeysAsync(string partyId, NodaTime.Instant at, CancellationToken ct)
    {
        var revoked = await Decider.DecideAsync<PartyStream, bool>(store, PartyProjections.StreamOf(partyId),
            s => s.Registry([]).DecideRevokeKeys(partyId, at), (_, e) => e.Count > 0, ct);
        Forget(partyId);
        return revoked;
    }

    public async Task<Party?> FindByKeyHashAsync(string keyHash, CancellationToken ct)
    {
        if (Fresh(_byKeyHash, keyHash) is { } cached)
        {
            return cached;
        }
        await using var session = store.QuerySession();
        var party = (await session.Query<PartyDocument>().Where(p => p.KeyHash == keyHash).Take(1).ToListAsync(ct)).FirstOrDefault()?.Party();
        Remember(_byKeyHash, keyHash, party);
        return party;
    }

    /// <summary>The key hash authenticated on this host and is still in the cache (fresh or not): no database read.</summary>
    public bool SeenKeyHash(string keyHash) => _byKeyHash.ContainsKey(keyHash);

    public async Task<string?> CurrentKeyIdAsync(string partyId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<PartyDocument>(PartyProjections.StreamOf(partyId), ct))?.KeyId;
    }

    private static Party? Fresh(ConcurrentDictionary<string, (Party Party, long At)> cache, string key) =>
        cache.TryGetValue(key, out var hit) && System.Diagnostics.Stopwatch.GetElapsedTime(hit.At) < MaxStaleness ? hit.Party : null;

    /// <summary>Only what was found is remembered: an unknown id or key is asked again each time.</summary>
    private static void Remember(ConcurrentDictionary<string, (Party Party, long At)> cache, string key, Party? party)
    {
        if (party is null)
        {
            cache.TryRemove(key, out _);
            return;
        }
        if (cache.Count >= MaxCached)
        {
            cache.Clear();
        }
        cache[key] = (party, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>After a write through this host: its own changes take effect at once.</summary>
    private void Forget(string partyId)
    {
        _byId.TryRemove(partyId, out _);
        foreach (var (hash, entry) in _byKeyHash)
        {
            if (entry.Party.Id == partyId)
            {
                _byKeyHash.TryRemove(hash, out _);
            }
        }
    }
}

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
        (s, e) => s.Evolve((PartyRegistered)e));

    public Task<Party?> FindAsync(string? id, CancellationToken ct) =>
        id is null ? Task.FromResult<Party?>(null) : _cache.ReadAsync(r => r.Find(id), ct);

    public Task<IReadOnlyList<Party>> AllAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<Party>>(r => r.Parties.OrderBy(p => p.Ordinal).ToList(), ct);

    public Task<string?> CarrierForAsync(string city, string cluster, CancellationToken ct) =>
        _cache.ReadAsync(r => r.CarrierFor(city, cluster), ct);

    public Task<Party> RegisterAsync(DomainRegister cmd, Catalogue catalogue, CancellationToken ct) =>
        _cache.WriteAsync(
            r => r.Decide(cmd, catalogue),
            events => events.Cast<object>().ToList(),
            null,
            (r, _) => r.Find(cmd.PartyId)!,
            ct);
}

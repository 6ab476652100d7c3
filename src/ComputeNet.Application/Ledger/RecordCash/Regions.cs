using ComputeNet.Application.Pairings;
using Marten;

namespace ComputeNet.Application.Ledger.RecordCash;

/// <summary>
/// The regions of market-rules §14: an id is a region when a pairing agreement names it as its demand region or its supply
/// hub (ended agreements included: a region keeps what it was credited). Pairing agreements are reference data, few and
/// bounded; the supply hub is read through its index.
/// </summary>
public static class RegionsAsync
{
    public static async Task<bool> IsRegionAsync(IDocumentStore store, string id, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }
        await using var session = store.QuerySession();
        return await IsRegionAsync(session, id, ct);
    }

    public static async Task<bool> IsRegionAsync(IQuerySession session, string id, CancellationToken ct) =>
        await session.Query<PairingDocument>().AnyAsync(p => p.SupplyHub == id, ct)
        || await session.Query<PairingDocument>().AnyAsync(p => p.Agreed.DemandRegion == id, ct);
}

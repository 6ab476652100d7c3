using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Pairings;
using Marten;
using NodaTime;

namespace ComputeNet.Application.Pairings;

/// <summary>
/// Pairing agreements (结对子): one stream per agreement (<c>pairing:{id}</c>), decided through the <see cref="Decider"/>.
/// No two agreements may cover a city–hub pair for overlapping validities, a rule across agreements of one supply hub: an
/// agreement takes an advisory lock on its hub and checks against that hub's agreements (<see cref="PairingDocument"/>,
/// by index), so agreements of different hubs never wait for each other.
/// </summary>
public sealed class PairingService(IDocumentStore store)
{
    public Task<PairingAgreed> AgreeAsync(PairingAgreed proposed, Domain.Reference.Catalogue catalogue, CancellationToken ct)
    {
        IReadOnlyList<PairingAgreed> sameHub = [];
        return Decider.DecideAsync<PairingStream, PairingAgreed>(store, PairingProjections.StreamOf(proposed.PairingId),
            state => BookOf(state, sameHub).Decide(proposed, catalogue), (state, _) => state.Agreed!, ct,
            async (session, token) =>
            {
                await Decider.LockAsync(session, "computenet-pairing-hub:" + proposed.SupplyHub, token);
                sameHub = (await session.Query<PairingDocument>().Where(p => p.SupplyHub == proposed.SupplyHub).ToListAsync(token))
                    .OrderBy(p => p.Order).Select(p => p.Agreed).ToList();
            });
    }

    public Task<PairingAgreed> EndAsync(PairingEnded end, CancellationToken ct) =>
        Decider.DecideAsync<PairingStream, PairingAgreed>(store, PairingProjections.StreamOf(end.PairingId),
            state => BookOf(state, []).Decide(end), (state, _) => state.Agreed!, ct);

    public async Task<IReadOnlyList<PairingAgreed>> AllAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.Query<PairingDocument>().ToListAsync(ct)).Select(p => p.Agreed).OrderBy(p => p.PairingId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The agreements valid at <paramref name="periodStart"/> (the only ones a close of that period applies), by index.</summary>
    public static async Task<PairingBook> ValidAtAsync(IQuerySession session, Instant periodStart, CancellationToken ct)
    {
        var ticks = periodStart.ToUnixTimeTicks();
        var valid = await session.Query<PairingDocument>().Where(p => p.FromTicks <= ticks && p.ToTicks >= ticks).ToListAsync(ct);
        var book = new PairingBook();
        foreach (var p in valid.OrderBy(p => p.Order))
        {
            book.Evolve(p.Agreed);
        }
        return book;
    }

    private static PairingBook BookOf(PairingStream state, IEnumerable<PairingAgreed> others)
    {
        var book = new PairingBook();
        foreach (var other in others.Where(o => o.PairingId != state.Agreed?.PairingId))
        {
            book.Evolve(other);
        }
        if (state.Agreed is not null)
        {
            book.Evolve(state.Agreed);
        }
        return book;
    }
}

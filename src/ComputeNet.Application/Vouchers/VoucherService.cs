using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using JasperFx.Events;
using Marten;
using NodaTime;

namespace ComputeNet.Application.Vouchers;

/// <summary>
/// Programmes and vouchers: one stream per programme (<c>programme:{id}</c>) holding its creation, early close, grants,
/// redemptions and lapses. Caps (per enterprise and programme) and budgets (per programme, market-rules §9) make the
/// decisions of two programmes independent, so each programme's writers are ordered by its stream's version alone
/// (<see cref="Decider"/>), and a grant costs that programme's events, not the platform's.
/// </summary>
public sealed class VoucherService(IDocumentStore store)
{
    /// <summary>Decides on one programme's stream; <paramref name="answer"/> is told whether anything was written (false: an exact repeat).</summary>
    public Task<TResult> DecideAsync<TResult>(string? programmeId, Func<VoucherBook, IReadOnlyList<object>> decide, Func<VoucherBook, bool, TResult> answer,
        CancellationToken ct, Func<IDocumentSession, CancellationToken, Task>? begin = null) =>
        Decider.DecideAsync<ProgrammeStream, TResult>(store, VoucherProjections.StreamOf(programmeId ?? ""), s => decide(s.Book),
            (s, events) => answer(s.Book, events.Count > 0), ct, begin);

    /// <summary>
    /// What a close decides on: the programmes from which it may redeem (those with a balance left on a voucher of a buyer
    /// it invoices) or which it may lapse (alive, every period of their validity closed once this one is), fetched for
    /// writing; their vouchers folded together in grant order; and the closed periods the lapse rule asks about.
    /// </summary>
    public sealed record ForClose(VoucherBook Book, IReadOnlySet<string> ClosedBefore, IReadOnlyDictionary<string, IEventStream<ProgrammeStream>> Streams)
    {
        /// <summary>Appends a close's redemptions and lapses to their programmes' streams, each with the version it was read at.</summary>
        public void Append(IReadOnlyList<object> events)
        {
            foreach (var group in events.GroupBy(ProgrammeOf, StringComparer.Ordinal))
            {
                Streams[VoucherProjections.StreamOf(group.Key)].AppendMany(group.ToArray());
            }
        }

        private static string ProgrammeOf(object e) => e switch
        {
            VoucherRedeemed r => r.ProgrammeId,
            VoucherLapsed l => l.ProgrammeId,
            _ => throw new InvalidOperationException($"a close appends no {e.GetType().Name} to a programme"),
        };
    }

    public static async Task<ForClose> ForCloseAsync(IDocumentSession session, IReadOnlyCollection<string> buyers, SettlementPeriod period,
        PeriodCalendar calendar, Instant now, CancellationToken ct)
    {
        // Alive programmes (a balance left on a voucher not lapsed): the only ones a close can lapse.
        var alive = await session.Query<ProgrammeDocument>().Where(p => p.OutstandingFen > 0).ToListAsync(ct);
        var periodsOf = alive.ToDictionary(p => p.ProgrammeId, p => PeriodKeys(calendar, p.Terms, now), StringComparer.Ordinal);
        var asked = periodsOf.Values.SelectMany(k => k).Where(k => k != period.Key).Distinct(StringComparer.Ordinal).ToList();
        var closed = asked.Count == 0 ? new HashSet<string>(StringComparer.Ordinal)
            : (await session.Query<ClosedPeriodView>().Where(p => asked.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var lapsing = periodsOf.Where(kv => kv.Value.All(k => k == period.Key || closed.Contains(k))).Select(kv => kv.Key);

        var buyerIds = buyers.ToArray();
        var redeeming = buyerIds.Length == 0 ? []
            : await session.Query<VoucherDocument>().Where(v => v.Buyer.IsOneOf(buyerIds) && v.BalanceFen > 0 && !v.Lapsed)
                .Select(v => v.ProgrammeId).ToListAsync(ct);
        var streams = await Decider.FetchManyForWritingAsync<ProgrammeStream>(session,
            lapsing.Concat(redeeming).Select(VoucherProjections.StreamOf), ct);
        return new ForClose(Merge(streams.Values.Select(s => s.Aggregate).OfType<ProgrammeStream>()), closed, streams);
    }

    /// <summary>
    /// The vouchers of several programmes in one book, folded in global sequence order: their grant order across programmes
    /// is the order in which they were granted (a close picks, among vouchers expiring together, the one granted first).
    /// </summary>
    public static VoucherBook Merge(IEnumerable<ProgrammeStream> programmes)
    {
        var book = new VoucherBook();
        foreach (var (_, data) in programmes.SelectMany(p => p.Events).OrderBy(e => e.Sequence))
        {
            book.Evolve(data);
        }
        return book;
    }

    /// <summary>
    /// The periods starting inside a programme's validity, up to the first one starting after <paramref name="now"/> (which
    /// cannot have ended, so it is kept and the enumeration stops there).
    /// </summary>
    private static List<string> PeriodKeys(PeriodCalendar calendar, ProgrammeCreated terms, Instant now)
    {
        var keys = new List<string>();
        foreach (var p in VoucherBook.PeriodStartsInside(calendar, terms.ValidFrom, terms.ValidTo))
        {
            keys.Add(p.Key);
            if (p.Start > now)
            {
                break;
            }
        }
        return keys;
    }
}

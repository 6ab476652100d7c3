using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Application.Vouchers;
using ComputeNet.Domain;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Settlement.ClosePeriod;

/// <summary>
/// Operator: close a settlement period once it has ended — rate its usage, issue invoices and statements,
/// post the ledger. Closing again changes nothing and answers with what the first close issued.
/// </summary>
public sealed record ClosePeriodRequest(string Period) : ICommand<CloseSummary>;

/// <param name="Checkpoint">The hash of the period's signed checkpoint (stream <c>checkpoints</c>).</param>
public sealed record CloseSummary(string Period, bool AlreadyClosed, int Invoices, int Lines, int Transactions, long PlatformFeeFen, Instant ClosedAt,
    string? Checkpoint = null);

public sealed class ClosePeriodValidator : AbstractValidator<ClosePeriodRequest>
{
    public ClosePeriodValidator() => RuleFor(x => x.Period).NotEmpty().MaximumLength(10);
}

public sealed class ClosePeriodHandler(IDocumentStore store, PartyDirectory parties, PlatformService platform, IClock clock, Audit.CheckpointWriter checkpoints,
    VoucherService vouchers, Pairings.PairingService pairings)
    : ICommandHandler<ClosePeriodRequest, CloseSummary>
{
    public async ValueTask<CloseSummary> Handle(ClosePeriodRequest r, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var view = await platform.CurrentAsync(ct);
        if (!view.Calendar.TryParse(r.Period, out var period))
        {
            var form = view.Calendar.Unit == PeriodUnit.Day ? "YYYY-MM-DD" : "YYYY-MM";
            throw RejectedException.Of(Codes.Invalid, $"'{r.Period}' is not a {view.Calendar.Unit.ToString().ToLowerInvariant()} period ({form})", "period");
        }
        if (now < period.End)
        {
            throw RejectedException.Of(Codes.PeriodNotEnded, $"period {period.Key} ends at {period.End}", "period");
        }

        var summary = await CloseAsync(period, view, now, ct);
        // A second transaction: a close that committed and then crashed gets its checkpoint when it is run again.
        await checkpoints.EnsureAsync(ct);
        await using var query = store.QuerySession();
        var checkpoint = await query.LoadAsync<Audit.CheckpointView>(period.Key, ct);
        return summary with { Checkpoint = checkpoint?.Hash };
    }

    private async Task<CloseSummary> CloseAsync(SettlementPeriod period, PlatformView view, Instant now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ExclusiveAsync(session, ct);
            if (await ExistingAsync(session, period.Key, ct) is { } existing)
            {
                return existing;
            }

            var records = await MeteringService.ReceivedByAsync(session, period.Key, ct);
            var leaseIds = records.Select(u => MartenSetup.Streams.Lease(u.LeaseId)).Distinct().ToList();
            var startSeconds = period.Start.ToUnixTimeSeconds();
            var endSeconds = period.End.ToUnixTimeSeconds();
            var reserved = MarketSlugs.Of(Commitment.Reserved);
            // Two indexed reads: the leases of the records (by id) and reserved leases still running when the period starts
            // (by window end), rather than every reserved lease ever traded.
            var documents = leaseIds.Count == 0 ? [] : await session.Query<LeaseDocument>().Where(l => leaseIds.Contains(l.Id)).ToListAsync(ct);
            var running = await session.Query<LeaseDocument>()
                .Where(l => l.ToUnixSeconds > startSeconds && l.FromUnixSeconds < endSeconds && l.Commitment == reserved).ToListAsync(ct);
            var leases = documents.Concat(running).DistinctBy(l => l.Id, StringComparer.Ordinal).Select(l => l.Terms).ToList();
            var delivered = await MeteringService.DeliveredAsync(session, leases.Where(l => l.Commitment == reserved), ct);
            var heads = (await session.Query<ChainHeadView>().ToListAsync(ct)).ToDictionary(h => h.Id, h => h.Hash, StringComparer.Ordinal);
            var allParties = await parties.AllAsync(ct);
            var orderedRecords = records.OrderBy(u => u.LeaseId, StringComparer.Ordinal).ThenBy(u => u.From).ToList();

            // The voucher and pairing books are the services' caches caught up to their streams' tails, read while their
            // gates are held; the voucher stream's version goes with the redemptions as their expected version.
            var (result, vouchersVersion) = await vouchers.UseAsync(async (book, version) =>
            {
                var closedBefore = await ClosedBeforeAsync(session, book, view.Calendar, period, now, ct);
                return await pairings.UseAsync(pairingBook => Task.FromResult((PeriodClose.Compute(new CloseInput(period, view.Calendar, view.Fees, allParties,
                    leases.Select(l => new LeaseAtClose(l, delivered.GetValueOrDefault(l.LeaseId))).ToList(),
                    orderedRecords, now, book, closedBefore, pairingBook, heads)), version)), ct);
            }, ct);

            var events = new List<object> { result.Closed };
            events.AddRange(result.Invoices);
            events.AddRange(result.Statements);
            events.AddRange(result.Claims);
            events.AddRange(result.Regions);
            events.AddRange(result.Transactions);
            session.Events.StartStream(MartenSetup.Streams.Period(period.Key), events);
            if (result.VoucherEvents.Count > 0)
            {
                // Expected version: a grant that raced this close makes the save fail, and the close runs again on fresh balances.
                ExpectedVersion.Append(session, MartenSetup.Streams.Vouchers, vouchersVersion, result.VoucherEvents.ToArray());
            }
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
            {
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            return Summary(result.Closed, alreadyClosed: false);
        }
    }


    /// <summary>
    /// The closed periods the close's lapse rule can ask about: those starting inside the validity of a programme that
    /// has an unlapsed voucher with a balance (a voucher lapses once every period starting inside its programme's validity
    /// is closed), read by key. Periods starting after the close's instant cannot have ended, so enumeration stops at the
    /// first of them (kept in the set asked, so the answer is exact even then).
    /// </summary>
    private static async Task<IReadOnlySet<string>> ClosedBeforeAsync(IQuerySession session, Domain.Vouchers.VoucherBook book, PeriodCalendar calendar,
        SettlementPeriod period, Instant now, CancellationToken ct)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var programmeId in book.Vouchers.Where(v => !v.Lapsed && v.BalanceFen > 0).Select(v => v.Grant.ProgrammeId).Distinct(StringComparer.Ordinal))
        {
            var terms = book.Programme(programmeId)!.Terms;
            foreach (var p in Domain.Vouchers.VoucherBook.PeriodStartsInside(calendar, terms.ValidFrom, terms.ValidTo))
            {
                keys.Add(p.Key);
                if (p.Start > now)
                {
                    break;
                }
            }
        }
        keys.Remove(period.Key);
        if (keys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
        var asked = keys.ToList();
        return (await session.Query<ClosedPeriodView>().Where(p => asked.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<CloseSummary?> ExistingAsync(IQuerySession session, string period, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(period), token: ct);
        return events.Count > 0 && events[0].Data is PeriodClosed closed ? Summary(closed, alreadyClosed: true) : null;
    }

    private static CloseSummary Summary(PeriodClosed c, bool alreadyClosed) =>
        new(c.Period, alreadyClosed, c.Invoices, c.Lines, c.Transactions, c.PlatformFeeFen, c.At);
}

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

public sealed class ClosePeriodHandler(IDocumentStore store, PartyDirectory parties, PlatformService platform, IClock clock, Audit.CheckpointWriter checkpoints)
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
        CloseSummary summary;
        if (now < period.End)
        {
            // A period closed already answers as a repeat whatever the clock says (a close recorded with an earlier --at, say).
            await using var read = store.QuerySession();
            summary = await ExistingAsync(read, period.Key, ct)
                ?? throw RejectedException.Of(Codes.PeriodNotEnded, $"period {period.Key} ends at {period.End}", "period");
        }
        else
        {
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                summary = await CloseAsync(period, view, now, ct);
                PlatformMetrics.CloseDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                    PlatformMetrics.Outcome(summary.AlreadyClosed ? "repeat" : "closed"));
            }
            catch (Exception e) when (Domain.Money.MoneyRangeException.Within(e) is { } range)
            {
                // Arrival bounds keep every line within ±(2^53 − 1) fen; a total over many of them (an invoice, a statement, a
                // balance) that would leave it stops the close before anything is written (ADR 0019).
                throw RejectedException.Of(Codes.Invalid, $"period {period.Key} cannot close: {range.Message}", "period");
            }
        }
        // A second transaction: a close that committed and then crashed gets its checkpoint when it is run again.
        await checkpoints.EnsureAsync(ct);
        await using var query = store.QuerySession();
        var checkpoint = await query.LoadAsync<Audit.CheckpointView>(period.Key, ct);
        return summary with { Checkpoint = checkpoint?.Hash };
    }

    /// <summary>
    /// One attempt under the exclusive settlement lock, run by the <see cref="Decider"/>: a grant that raced it on a
    /// programme it redeems from or lapses makes the save fail on that programme's version, and the close runs again.
    /// </summary>
    private Task<CloseSummary> CloseAsync(SettlementPeriod period, PlatformView view, Instant now, CancellationToken ct) =>
        Decider.RunAsync(store, async (session, ct) =>
        {
            await SettlementLock.ExclusiveAsync(session, ct);
            if (await ExistingAsync(session, period.Key, ct) is { } existing)
            {
                return new Decided<CloseSummary>(existing, false);
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

            // Vouchers: only the programmes this close can redeem from (the invoiced buyers') or lapse, fetched for writing.
            var vouchers = await VoucherService.ForCloseAsync(session, leases.Select(l => l.Buyer).Distinct(StringComparer.Ordinal).ToList(), period,
                view.Calendar, now, ct);
            // Pairings: the agreements valid at the period's start, by index (pairing changes are not ordered against closes).
            var pairingBook = await Pairings.PairingService.ValidAtAsync(session, period.Start, ct);
            var result = PeriodClose.Compute(new CloseInput(period, view.Calendar, view.Fees, allParties,
                leases.Select(l => new LeaseAtClose(l, delivered.GetValueOrDefault(l.LeaseId))).ToList(),
                orderedRecords, now, vouchers.Book, vouchers.ClosedBefore, pairingBook, heads));

            var events = new List<object> { result.Closed };
            events.AddRange(result.Invoices);
            events.AddRange(result.Statements);
            events.AddRange(result.Claims);
            events.AddRange(result.Regions);
            events.AddRange(result.Transactions);
            session.Events.StartStream(MartenSetup.Streams.Period(period.Key), events);
            // Each touched programme's stream with the version this close read it at.
            vouchers.Append(result.VoucherEvents);
            return new Decided<CloseSummary>(Summary(result.Closed, alreadyClosed: false), true);
        }, ct);

    private static async Task<CloseSummary?> ExistingAsync(IQuerySession session, string period, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(period), token: ct);
        return events.Count > 0 && events[0].Data is PeriodClosed closed ? Summary(closed, alreadyClosed: true) : null;
    }

    private static CloseSummary Summary(PeriodClosed c, bool alreadyClosed) =>
        new(c.Period, alreadyClosed, c.Invoices, c.Lines, c.Transactions, c.PlatformFeeFen, c.At);
}

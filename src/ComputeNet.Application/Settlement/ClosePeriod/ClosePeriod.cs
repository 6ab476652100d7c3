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
        if (now < period.End)
        {
            throw RejectedException.Of(Codes.PeriodNotEnded, $"period {period.Key} ends at {period.End}", "period");
        }

        var summary = await CloseAsync(period, view, now, ct);
        // A second transaction: a close that committed and then crashed gets its checkpoint when it is run again.
        await checkpoints.EnsureAsync(ct);
        await using var query = store.QuerySession();
        var checkpoint = (await Audit.AuditReader.CheckpointsAsync(query, ct)).FirstOrDefault(c => c.Period == period.Key);
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
            var leases = (await session.Query<LeaseDocument>()
                    .Where(l => leaseIds.Contains(l.Id) || (l.Commitment == reserved && l.FromUnixSeconds < endSeconds && l.ToUnixSeconds > startSeconds))
                    .ToListAsync(ct))
                .Select(l => l.Terms).ToList();
            var delivered = await MeteringService.DeliveredAsync(session, leases.Where(l => l.Commitment == reserved), ct);
            var (vouchers, vouchersVersion) = await VoucherService.LoadAsync(session, ct);
            var pairings = await Pairings.PairingService.LoadAsync(session, ct);
            var heads = await ChainHeadsAsync(session, ct);
            var closedBefore = (await session.Query<ClosedPeriodView>().Select(p => p.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

            var result = PeriodClose.Compute(new CloseInput(period, view.Calendar, view.Fees, await parties.AllAsync(ct),
                leases.Select(l => new LeaseAtClose(l, delivered.GetValueOrDefault(l.LeaseId))).ToList(),
                records.OrderBy(u => u.LeaseId, StringComparer.Ordinal).ThenBy(u => u.From).ToList(), now, vouchers, closedBefore, pairings, heads));

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


    /// <summary>The last hash of every statement chain (party and kind), over the periods closed so far in close order.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> ChainHeadsAsync(IQuerySession session, CancellationToken ct)
    {
        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stream in await SettlementReader.ClosedPeriodsAsync(session, null, ct))
        {
            foreach (var e in stream.Select(e => e.Data))
            {
                switch (e)
                {
                    case InvoiceIssued i when i.Hash is not null: heads[Domain.Audit.Statements.KeyOf(i)] = i.Hash; break;
                    case StatementIssued s when s.Hash is not null: heads[Domain.Audit.Statements.KeyOf(s)] = s.Hash; break;
                    case IssuerClaimIssued c when c.Hash is not null: heads[Domain.Audit.Statements.KeyOf(c)] = c.Hash; break;
                    case RegionShareIssued r when r.Hash is not null: heads[Domain.Audit.Statements.KeyOf(r)] = r.Hash; break;
                }
            }
        }
        return heads;
    }

    private static async Task<CloseSummary?> ExistingAsync(IQuerySession session, string period, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(period), token: ct);
        return events.Count > 0 && events[0].Data is PeriodClosed closed ? Summary(closed, alreadyClosed: true) : null;
    }

    private static CloseSummary Summary(PeriodClosed c, bool alreadyClosed) =>
        new(c.Period, alreadyClosed, c.Invoices, c.Lines, c.Transactions, c.PlatformFeeFen, c.At);
}

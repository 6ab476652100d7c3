using ComputeNet.Application.Platform;
using ComputeNet.Application.Vouchers;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Analytics.GetProgrammePeriods;

/// <summary>
/// Voucher issuer: one of its programmes' budget over settlement periods, for a chart — granted, redeemed and lapsed per
/// period. Regulators and operators: any programme. Null when the programme does not exist or (with
/// <see cref="OnlyIssuer"/>) is another issuer's.
/// </summary>
public sealed record GetProgrammePeriodsRequest(string ProgrammeId, string? OnlyIssuer, string? From = null, string? To = null) : IQuery<ProgrammePeriodsView?>;

/// <summary>
/// One period of a programme. <see cref="GrantedFen"/>: face value of the grants made in it (by the grant's instant);
/// <see cref="RedeemedFen"/>: what the period's close redeemed from the programme's vouchers; <see cref="LapsedFen"/>: what
/// returned to the budget when the period's close lapsed vouchers. <see cref="Closed"/>: the period is closed.
/// </summary>
public sealed record ProgrammePeriod(string Period, Instant Start, Instant End, long GrantedFen, int Grants, long RedeemedFen, int Redemptions,
    long LapsedFen, int Lapses, bool Closed);

/// <summary>The programme's budget and totals now (as <c>GET /v1/programmes</c> gives them) and one entry per period asked for.</summary>
public sealed record ProgrammePeriodsView(string ProgrammeId, string Issuer, string Kind, long BudgetFen, long GrantedFen, long RedeemedFen, long LapsedFen,
    long RemainingBudgetFen, IReadOnlyList<ProgrammePeriod> Periods);

public sealed class GetProgrammePeriodsValidator : AbstractValidator<GetProgrammePeriodsRequest>
{
    public GetProgrammePeriodsValidator()
    {
        RuleFor(x => x.ProgrammeId).NotEmpty().MaximumLength(64);
        RuleFor(x => x.From).MaximumLength(10);
        RuleFor(x => x.To).MaximumLength(10);
    }
}

public sealed class GetProgrammePeriodsHandler(IDocumentStore store, PlatformService platform, IClock clock, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<GetProgrammePeriodsRequest, ProgrammePeriodsView?>
{
    private sealed record Figure(string Period, long Fen, int Count);

    public async ValueTask<ProgrammePeriodsView?> Handle(GetProgrammePeriodsRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var periods = Buckets.Periods(q.From, q.To, view.Calendar, clock.GetCurrentInstant());
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        if (await session.LoadAsync<ProgrammeDocument>(VoucherProjections.StreamOf(q.ProgrammeId), ct) is not { } programme
            || (q.OnlyIssuer is { } issuer && programme.Issuer != issuer))
        {
            return null;
        }
        var (keys, starts, ends) = Buckets.Arrays(periods);
        var schema = Buckets.Schema(session);
        // Grants: the programme's voucher documents (its own size, through the programme index), placed by the grant's instant.
        var granted = await session.AdvancedSql.QueryAsync<Figure>(
            $"""
             select jsonb_build_object('period', b.k, 'fen', sum((v.data ->> 'faceFen')::bigint), 'count', count(*))
             from {schema}.mt_doc_voucherdocument v
             join unnest(?::text[], ?::bigint[], ?::bigint[]) as b(k, s, e)
               on extract(epoch from (v.data -> 'grant' ->> 'at')::timestamptz) >= b.s and extract(epoch from (v.data -> 'grant' ->> 'at')::timestamptz) < b.e
             where (v.data ->> 'programmeId') = ?
             group by b.k
             """, ct, keys, starts, ends, q.ProgrammeId);
        // Redemptions and lapses: by the (period, programme) and (programme, period) indexes.
        var redeemed = await session.AdvancedSql.QueryAsync<Figure>(
            $"""
             select jsonb_build_object('period', r.data ->> 'period', 'fen', sum((r.data -> 'redeemed' ->> 'amountFen')::bigint), 'count', count(*))
             from {schema}.mt_doc_redemptiondocument r
             where (r.data ->> 'period') = any(?) and (r.data ->> 'programmeId') = ?
             group by r.data ->> 'period'
             """, ct, keys, q.ProgrammeId);
        var lapsed = await session.AdvancedSql.QueryAsync<Figure>(
            $"""
             select jsonb_build_object('period', l.data ->> 'period', 'fen', sum((l.data ->> 'amountFen')::bigint), 'count', count(*))
             from {schema}.mt_doc_voucherlapsedocument l
             where (l.data ->> 'programmeId') = ? and (l.data ->> 'period') = any(?)
             group by l.data ->> 'period'
             """, ct, q.ProgrammeId, keys);
        var closed = (await session.LoadManyAsync<Settlement.ClosedPeriodView>(ct, keys)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        Figure Of(IReadOnlyList<Figure> figures, string key) => figures.FirstOrDefault(f => f.Period == key) ?? new Figure(key, 0, 0);
        return new ProgrammePeriodsView(programme.ProgrammeId, programme.Issuer, programme.Terms.Kind, programme.Terms.BudgetFen, programme.GrantedFen,
            programme.RedeemedFen, programme.LapsedFen, programme.RemainingBudgetFen,
            periods.Select(p =>
            {
                var (g, r, l) = (Of(granted, p.Key), Of(redeemed, p.Key), Of(lapsed, p.Key));
                return new ProgrammePeriod(p.Key, p.Start, p.End, g.Fen, g.Count, r.Fen, r.Count, l.Fen, l.Count, closed.Contains(p.Key));
            }).ToList());
    }
}

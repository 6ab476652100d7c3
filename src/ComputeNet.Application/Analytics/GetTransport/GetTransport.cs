using ComputeNet.Application.Platform;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Analytics.GetTransport;

/// <summary>
/// Carrier: transferred GB and revenue per route (buyer city → cluster) and settlement period. Regulators and operators:
/// any carrier's, or every carrier's when <see cref="Carrier"/> is null.
/// </summary>
/// <param name="From">First period key (default: six periods before <paramref name="To"/>).</param>
/// <param name="To">Last period key, included (default: the current period).</param>
public sealed record GetTransportRequest(string? Carrier, string? From = null, string? To = null) : IQuery<TransportView>;

/// <summary>
/// One route in one period. <see cref="TransferredGb"/>: GB metered by usage records whose interval starts in the period
/// (<see cref="Records"/>: the usage records of the route's leases in the period). <see cref="BilledGb"/>, <see cref="RevenueFen"/>, <see cref="FeeFen"/>,
/// <see cref="NetFen"/>: the transport lines the period's close issued to the carrier (late lines of earlier usage included),
/// gross, platform fee, and what the carrier is owed; 0 until the period is closed.
/// </summary>
public sealed record RouteTraffic(string Carrier, string City, string Cluster, string Period, decimal TransferredGb, long Records, decimal BilledGb,
    long RevenueFen, long FeeFen, long NetFen, int Lines);

public sealed record TransportView(string? Carrier, IReadOnlyList<BucketView> Periods, IReadOnlyList<RouteTraffic> Routes);

public sealed class GetTransportValidator : AbstractValidator<GetTransportRequest>
{
    public GetTransportValidator()
    {
        RuleFor(x => x.Carrier).MaximumLength(64);
        RuleFor(x => x.From).MaximumLength(10);
        RuleFor(x => x.To).MaximumLength(10);
    }
}

public sealed class GetTransportHandler(IDocumentStore store, PlatformService platform, IClock clock, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<GetTransportRequest, TransportView>
{
    private sealed record Metered(string Carrier, string City, string Cluster, string Period, decimal Gb, long Records);

    private sealed record Billed(string Carrier, string City, string Cluster, string Period, decimal Gb, long AmountFen, long FeeFen, int Lines);

    public async ValueTask<TransportView> Handle(GetTransportRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var periods = Buckets.Periods(q.From, q.To, view.Calendar, clock.GetCurrentInstant());
        var keys = periods.Select(p => p.Key).ToArray();
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var schema = Buckets.Schema(session);
        object[] Args(object keysArray) => [.. q.Carrier is null ? Array.Empty<object>() : [q.Carrier], keysArray];
        // Usage totals of the carrier's leases through the (carrier, period) index, or every carrier's through (period).
        var metered = await session.AdvancedSql.QueryAsync<Metered>(
            $"""
             select jsonb_build_object('carrier', x.carrier, 'city', x.city, 'cluster', x.cluster, 'period', x.period, 'gb', sum(x.gb), 'records', sum(x.records))
             from (
               select r.data ->> 'carrier' as carrier, d.data -> 'terms' ->> 'buyerCity' as city, d.data -> 'terms' ->> 'cluster' as cluster,
                      r.data ->> 'period' as period, (r.data ->> 'transferGb')::numeric as gb, (r.data ->> 'records')::bigint as records
               from {schema}.mt_doc_leaseusageperiod r
               join {schema}.mt_doc_leasedocument d on d.id = 'lease:' || (r.data ->> 'leaseId')
               where {(q.Carrier is null ? "(r.data ->> 'carrier') is not null" : "(r.data ->> 'carrier') = ?")} and (r.data ->> 'period') = any(?)
             ) x
             group by x.carrier, x.city, x.cluster, x.period
             """, ct, Args(keys));
        var billed = await session.AdvancedSql.QueryAsync<Billed>(
            $"""
             select jsonb_build_object('carrier', x.carrier, 'city', x.city, 'cluster', x.cluster, 'period', x.period, 'gb', sum(x.gb),
                    'amountFen', sum(x.amount), 'feeFen', sum(x.fee), 'lines', count(*))
             from (
               select t.data ->> 'carrier' as carrier, d.data -> 'terms' ->> 'buyerCity' as city, d.data -> 'terms' ->> 'cluster' as cluster,
                      t.data ->> 'period' as period, (t.data ->> 'gb')::numeric as gb, (t.data ->> 'amountFen')::bigint as amount, (t.data ->> 'feeFen')::bigint as fee
               from {schema}.mt_doc_transportlinedocument t
               join {schema}.mt_doc_leasedocument d on d.id = 'lease:' || (t.data ->> 'leaseId')
               where {(q.Carrier is null ? "" : "(t.data ->> 'carrier') = ? and ")}(t.data ->> 'period') = any(?)
             ) x
             group by x.carrier, x.city, x.cluster, x.period
             """, ct, Args(keys));
        var order = keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        var meteredBy = metered.ToDictionary(m => (m.Carrier, m.City, m.Cluster, m.Period));
        var billedBy = billed.ToDictionary(b => (b.Carrier, b.City, b.Cluster, b.Period));
        var routes = meteredBy.Keys.Union(billedBy.Keys)
            .Select(k =>
            {
                var m = meteredBy.GetValueOrDefault(k);
                var b = billedBy.GetValueOrDefault(k);
                return new RouteTraffic(k.Carrier, k.City, k.Cluster, k.Period, m?.Gb ?? 0, m?.Records ?? 0, b?.Gb ?? 0, b?.AmountFen ?? 0, b?.FeeFen ?? 0,
                    (b?.AmountFen ?? 0) - (b?.FeeFen ?? 0), b?.Lines ?? 0);
            })
            .OrderBy(r => r.Carrier, StringComparer.Ordinal).ThenBy(r => r.City, StringComparer.Ordinal).ThenBy(r => r.Cluster, StringComparer.Ordinal)
            .ThenBy(r => order[r.Period])
            .ToList();
        return new TransportView(q.Carrier, periods, routes);
    }
}

using Marten;

namespace ComputeNet.Application.Analytics;

/// <summary>One figure of one series (an offer, or a cluster when <see cref="Offer"/> is empty) in one step.</summary>
internal sealed record Cell(string Offer, string Cluster, string Bucket, decimal Value);

/// <summary>
/// Offered, leased and delivered capacity per step, summed in PostgreSQL. Offers and leases are intervals: each counts the
/// whole hours of its window inside each step (an offer until it was cancelled; one cancelled before its window started
/// counts nothing), as the metering report counts them;
/// usage counts wholly in the step its interval starts in. Every query starts from an index on the window's end (a
/// provider's: (party or provider, window end)), so it reads the offers, leases and records of the range asked for.
/// </summary>
internal static class CapacitySql
{
    /// <summary>Offered device-hours per (offer, cluster, step) of <paramref name="provider"/>, or per cluster of everyone's when null.</summary>
    public static Task<IReadOnlyList<Cell>> OfferedAsync(IQuerySession session, string? provider, IReadOnlyList<BucketView> buckets, CancellationToken ct)
    {
        var (keys, starts, ends) = Buckets.Arrays(buckets);
        var offer = provider is null ? "''" : "d.data ->> 'orderId'";
        var party = provider is null ? "" : "(d.data ->> 'party') = ? and ";
        object[] args = [.. provider is null ? Array.Empty<object>() : [provider], starts[0], ends[^1], keys, starts, ends];
        return session.AdvancedSql.QueryAsync<Cell>(
            $"""
             select jsonb_build_object('offer', o.offer, 'cluster', o.cluster, 'bucket', b.k,
                    'value', sum(o.devices * floor((least(o.until_s, b.e) - greatest(o.from_s, b.s)) / 3600.0)))
             from (
               select {offer} as offer, d.data ->> 'cluster' as cluster, (d.data -> 'order' ->> 'devices')::numeric as devices,
                      CAST(d.data ->> 'offerFromUnixSeconds' as bigint)::numeric as from_s,
                      least(CAST(d.data ->> 'offerToUnixSeconds' as bigint)::numeric,
                            coalesce(extract(epoch from (d.data -> 'order' ->> 'cancelledAt')::timestamptz), CAST(d.data ->> 'offerToUnixSeconds' as bigint)::numeric)) as until_s
               from {Buckets.Schema(session)}.mt_doc_orderdocument d
               where {party}CAST(d.data ->> 'offerToUnixSeconds' as bigint) > ? and CAST(d.data ->> 'offerFromUnixSeconds' as bigint) < ?
             ) o
             join unnest(?::text[], ?::bigint[], ?::bigint[]) as b(k, s, e) on o.from_s < b.e and o.until_s > b.s and o.until_s > o.from_s
             group by o.offer, o.cluster, b.k
             """, ct, args);
    }

    /// <summary>The leases overlapping the steps (of <paramref name="provider"/>, or everyone's), as a subquery with its arguments.</summary>
    private static (string Sql, object[] Args) Leases(IQuerySession session, string? provider, IReadOnlyList<BucketView> buckets, bool byOffer)
    {
        var offer = byOffer ? "d.data -> 'terms' ->> 'offerId'" : "''";
        var filter = provider is null ? "" : "(d.data ->> 'provider') = ? and ";
        return ($"""
                 select {offer} as offer, d.data -> 'terms' ->> 'cluster' as cluster, (d.data -> 'terms' ->> 'devices')::bigint as devices,
                        d.data ->> 'provider' as provider, d.data ->> 'leaseId' as lease_id, d.data ->> 'buyer' as buyer,
                        CAST(d.data ->> 'fromUnixSeconds' as bigint) as from_s, CAST(d.data ->> 'toUnixSeconds' as bigint) as to_s
                 from {Buckets.Schema(session)}.mt_doc_leasedocument d
                 where {filter}CAST(d.data ->> 'toUnixSeconds' as bigint) > ? and CAST(d.data ->> 'fromUnixSeconds' as bigint) < ?
                 """,
            [.. provider is null ? Array.Empty<object>() : [provider], buckets[0].Start.ToUnixTimeSeconds(), buckets[^1].End.ToUnixTimeSeconds()]);
    }

    /// <summary>Leased device-hours per (offer, cluster, step).</summary>
    public static Task<IReadOnlyList<Cell>> LeasedAsync(IQuerySession session, string? provider, IReadOnlyList<BucketView> buckets, CancellationToken ct)
    {
        var (keys, starts, ends) = Buckets.Arrays(buckets);
        var (leases, args) = Leases(session, provider, buckets, provider is not null);
        return session.AdvancedSql.QueryAsync<Cell>(
            $"""
             select jsonb_build_object('offer', l.offer, 'cluster', l.cluster, 'bucket', b.k,
                    'value', sum(l.devices * ((least(l.to_s, b.e) - greatest(l.from_s, b.s)) / 3600)))
             from ({leases}) l
             join unnest(?::text[], ?::bigint[], ?::bigint[]) as b(k, s, e) on l.from_s < b.e and l.to_s > b.s
             group by l.offer, l.cluster, b.k
             """, ct, [.. args, keys, starts, ends]);
    }

    /// <summary>
    /// Device-seconds delivered per (offer, cluster, step). Hours: the usage rows of the leases overlapping the range, by
    /// their (provider, lease, start) index. Periods: the <see cref="LeaseUsagePeriod"/> totals of those periods.
    /// </summary>
    public static Task<IReadOnlyList<Cell>> DeliveredAsync(IQuerySession session, string? provider, IReadOnlyList<BucketView> buckets, bool byPeriod,
        CancellationToken ct)
    {
        var (keys, starts, ends) = Buckets.Arrays(buckets);
        if (byPeriod)
        {
            var offer = provider is null ? "''" : "d.data -> 'terms' ->> 'offerId'";
            var filter = provider is null ? "" : "(r.data ->> 'provider') = ? and ";
            return session.AdvancedSql.QueryAsync<Cell>(
                $"""
                 select jsonb_build_object('offer', x.offer, 'cluster', x.cluster, 'bucket', x.period, 'value', sum(x.device_seconds))
                 from (
                   select {offer} as offer, d.data -> 'terms' ->> 'cluster' as cluster, r.data ->> 'period' as period,
                          CAST(r.data ->> 'deviceSeconds' as bigint) as device_seconds
                   from {Buckets.Schema(session)}.mt_doc_leaseusageperiod r
                   join {Buckets.Schema(session)}.mt_doc_leasedocument d on d.id = 'lease:' || (r.data ->> 'leaseId')
                   where {filter}(r.data ->> 'period') = any(?)
                 ) x
                 group by x.offer, x.cluster, x.period
                 """,
                ct, [.. provider is null ? Array.Empty<object>() : [provider], keys]);
        }
        var (leases, args) = Leases(session, provider, buckets, provider is not null);
        return session.AdvancedSql.QueryAsync<Cell>(
            $"""
             select jsonb_build_object('offer', l.offer, 'cluster', l.cluster, 'bucket', b.k, 'value', sum(u.device_seconds))
             from ({leases}) l
             cross join lateral (
               select u.from_s, u.device_seconds from {Buckets.Schema(session)}.{Metering.UsageRecordTable.Name} u
               where u.provider = l.provider and u.lease_id = l.lease_id and u.from_s >= ? and u.from_s < ?) u
             join unnest(?::text[], ?::bigint[], ?::bigint[]) as b(k, s, e) on u.from_s >= b.s and u.from_s < b.e
             group by l.offer, l.cluster, b.k
             """, ct, [.. args, starts[0], ends[^1], keys, starts, ends]);
    }
}

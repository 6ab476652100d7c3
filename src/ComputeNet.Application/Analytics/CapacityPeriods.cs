using ComputeNet.Application.Market;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Reports;
using ComputeNet.Domain.Settlement;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using NodaTime;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ComputeNet.Application.Analytics;

/// <summary>
/// Running totals of offered and leased device-hours per (settlement period, cluster): what the regulator's regional report
/// and the platform-wide utilisation per period read — 7 periods × clusters rows — instead of every offer and lease
/// overlapping the range (ADR 0029). Three plain tables, written only by <see cref="CapacityPeriodProjection"/> on the async
/// daemon:
/// <list type="bullet">
/// <item><c>cn_capacity_periods</c> (period, cluster) → offered and leased device-hours;</item>
/// <item><c>cn_capacity_offers</c>: each offer's cluster, devices now, window and until when it stood (Unix ticks) — what a
/// reduce or a cancel, whose events name neither, needs to take its old contribution out;</item>
/// <item><c>cn_capacity_state</c>: one row, the period calendar the totals are cut by and the last trade sequence counted.</item>
/// </list>
/// </summary>
public static class CapacityPeriods
{
    public const string Totals = "cn_capacity_periods";
    public const string Offers = "cn_capacity_offers";
    public const string State = "cn_capacity_state";

    public static Table TotalsTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Totals, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("period").NotNull().AsPrimaryKey();
        table.AddColumn<string>("cluster").NotNull().AsPrimaryKey();
        table.AddColumn<long>("offered_device_hours").NotNull();
        table.AddColumn<long>("leased_device_hours").NotNull();
        return table;
    }

    public static Table OffersTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Offers, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("cluster").NotNull();
        table.AddColumn<int>("devices").NotNull();
        table.AddColumn<long>("from_ticks").NotNull();
        table.AddColumn<long>("to_ticks").NotNull();
        table.AddColumn<long>("until_ticks").NotNull();
        return table;
    }

    public static Table StateTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, State, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("period_unit").NotNull();
        table.AddColumn<string>("time_zone").NotNull();
        table.AddColumn<long>("last_trade_seq").NotNull();
        return table;
    }

    internal static string Qualified(IQuerySession session, string table) => $"{Buckets.Schema(session)}.{table}";

    internal sealed record StateRow(string Unit, string Zone, long LastTradeSeq);

    internal const string StateId = "capacity";

    internal static async Task<StateRow?> StateAsync(IQuerySession session, CancellationToken ct) =>
        (await session.AdvancedSql.QueryAsync<StateRow>(
            $"select jsonb_build_object('unit', period_unit, 'zone', time_zone, 'lastTradeSeq', last_trade_seq) from {Qualified(session, State)} where id = ?",
            ct, StateId)).SingleOrDefault();

    internal static string UnitOf(PeriodCalendar calendar) => calendar.Unit == PeriodUnit.Month ? "month" : "day";

    /// <summary>
    /// Offered and leased device-hours per cluster in each of <paramref name="periods"/> (cells with an empty offer, as
    /// <see cref="CapacitySql"/> gives them), from the totals: one indexed read of periods × clusters rows. Null when the
    /// totals are cut by another calendar than <paramref name="calendar"/> (the calendar changed before the first close and
    /// the daemon has not projected that change yet): the caller then sums the documents.
    /// </summary>
    internal static async Task<(IReadOnlyList<Cell> Offered, IReadOnlyList<Cell> Leased)?> ReadAsync(IQuerySession session, PeriodCalendar calendar,
        IReadOnlyList<BucketView> periods, CancellationToken ct)
    {
        var state = await StateAsync(session, ct);
        var (unit, zone) = state is null ? (UnitOf(PeriodCalendar.DailyShanghai), PeriodCalendar.DailyShanghai.Zone.Id) : (state.Unit, state.Zone);
        if (unit != UnitOf(calendar) || zone != calendar.Zone.Id)
        {
            return null;
        }
        var rows = await session.AdvancedSql.QueryAsync<TotalRow>(
            $"select jsonb_build_object('period', period, 'cluster', cluster, 'offered', offered_device_hours, 'leased', leased_device_hours) "
            + $"from {Qualified(session, Totals)} where period = any(?)",
            ct, [periods.Select(p => p.Key).ToArray()]);
        return (rows.Where(r => r.Offered != 0).Select(r => new Cell("", r.Cluster, r.Period, r.Offered)).ToList(),
            rows.Where(r => r.Leased != 0).Select(r => new Cell("", r.Cluster, r.Period, r.Leased)).ToList());
    }

    private sealed record TotalRow(string Period, string Cluster, long Offered, long Leased);
}

/// <summary>
/// Keeps <see cref="CapacityPeriods"/> from the market journal (blocks, and the single events of journals written before
/// blocks) and the platform's calendar, on the async daemon: nothing on the intake path. Each daemon batch is applied as
/// a whole (<see cref="IJasperFxProjection{TOperations}"/> re-implemented): one query loads the offers that the batch's
/// reduces and cancels name (those not listed in the batch itself), the events are folded in order through the pure
/// <see cref="CapacityTotals"/>, and three statements write the offers, the totals' increments and the state. The daemon
/// commits a batch before it builds the next, so each batch reads what the previous one wrote.
/// <para>
/// A change of calendar (only possible before the first close, market-rules §7) re-cuts every total: all offers remembered
/// and every lease counted so far (by trade sequence), over the periods of the new calendar, in one statement.
/// </para>
/// </summary>
public sealed class CapacityPeriodProjection : EventProjection, IJasperFxProjection<IDocumentOperations>
{
    private readonly string _schema;

    public CapacityPeriodProjection(string schema)
    {
        _schema = schema;
        IncludeType<MarketEventsJournaled>();
        // Journals written before blocks (ADR 0015) hold the market's events one by one.
        IncludeType<OfferListed>();
        IncludeType<TradeExecuted>();
        IncludeType<OrderCancelled>();
        IncludeType<OrderReduced>();
        IncludeType<PlatformConfigured>();
        foreach (var table in new[] { CapacityPeriods.Totals, CapacityPeriods.Offers, CapacityPeriods.State })
        {
            Options.DeleteDataInTableOnTeardown($"{schema}.{table}");
        }
    }

    /// <summary>One event alone (an inline use; the daemon gives whole batches to the method below).</summary>
    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation) =>
        new(ApplyBatchAsync(operations, [e], cancellation));

    Task IJasperFxProjection<IDocumentOperations>.ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) =>
        ApplyBatchAsync(operations, events, cancellation);

    private static IEnumerable<object> Flatten(IReadOnlyList<IEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case MarketEventsJournaled block:
                    foreach (var m in block.Events)
                    {
                        yield return m;
                    }
                    break;
                default:
                    yield return e.Data;
                    break;
            }
        }
    }

    private static bool IsOffer(string side) => side != "bid";

    private async Task ApplyBatchAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var session = (IQuerySession)operations;
        var state = await CapacityPeriods.StateAsync(session, ct);
        var calendar = state is null ? PeriodCalendar.DailyShanghai
            : new PeriodCalendar(state.Unit == "month" ? PeriodUnit.Month : PeriodUnit.Day, DateTimeZoneProviders.Tzdb[state.Zone]);
        var lastTradeSeq = state?.LastTradeSeq ?? 0;

        // The offers this batch reduces or cancels without listing them first: one query by primary key.
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in Flatten(events))
        {
            switch (m)
            {
                case OfferListed o:
                    listed.Add(OrderDocument.IdOf(o.Party, o.OfferId));
                    break;
                case OrderCancelled c when IsOffer(c.Side) && !listed.Contains(OrderDocument.IdOf(c.Party, c.OrderId)):
                    wanted.Add(OrderDocument.IdOf(c.Party, c.OrderId));
                    break;
                case OrderReduced r when IsOffer(r.Side) && !listed.Contains(OrderDocument.IdOf(r.Party, r.OrderId)):
                    wanted.Add(OrderDocument.IdOf(r.Party, r.OrderId));
                    break;
            }
        }
        var offers = await LoadOffersAsync(session, wanted, ct);
        var changed = new Dictionary<string, CapacityOffer>(StringComparer.Ordinal);
        var totals = new CapacityTotals(calendar);

        foreach (var m in Flatten(events))
        {
            switch (m)
            {
                case OfferListed o:
                {
                    var key = OrderDocument.IdOf(o.Party, o.OfferId);
                    offers[key] = changed[key] = totals.Listed(o);
                    break;
                }
                case OrderReduced r when IsOffer(r.Side) && offers.TryGetValue(OrderDocument.IdOf(r.Party, r.OrderId), out var offer):
                {
                    var key = OrderDocument.IdOf(r.Party, r.OrderId);
                    offers[key] = changed[key] = totals.Reduced(offer, r.Devices);
                    break;
                }
                case OrderCancelled c when IsOffer(c.Side) && offers.TryGetValue(OrderDocument.IdOf(c.Party, c.OrderId), out var offer):
                {
                    var key = OrderDocument.IdOf(c.Party, c.OrderId);
                    offers[key] = changed[key] = totals.Cancelled(offer, c.At);
                    break;
                }
                case TradeExecuted t:
                    totals.Leased(t.Terms);
                    lastTradeSeq = Math.Max(lastTradeSeq, t.Terms.TradeSeq);
                    break;
                case PlatformConfigured p:
                {
                    var next = new PeriodCalendar(p.PeriodUnit == "month" ? PeriodUnit.Month : PeriodUnit.Day, DateTimeZoneProviders.Tzdb[p.TimeZone]);
                    if (next.Unit == totals.Calendar.Unit && next.Zone.Id == totals.Calendar.Zone.Id)
                    {
                        break;
                    }
                    // Write what came before under the old calendar, then cut everything again under the new one.
                    Write(operations, changed, totals);
                    changed.Clear();
                    await RecutAsync(operations, session, next, offers, lastTradeSeq, ct);
                    totals = new CapacityTotals(next);
                    break;
                }
            }
        }
        Write(operations, changed, totals);
        operations.QueueSqlCommand(
            $"insert into {Table(CapacityPeriods.State)} (id, period_unit, time_zone, last_trade_seq) values (?, ?, ?, ?) "
            + "on conflict (id) do update set period_unit = excluded.period_unit, time_zone = excluded.time_zone, last_trade_seq = excluded.last_trade_seq",
            CapacityPeriods.StateId, CapacityPeriods.UnitOf(totals.Calendar), totals.Calendar.Zone.Id, lastTradeSeq);
    }

    private string Table(string name) => $"\"{_schema}\".{name}";

    /// <summary>An offer's row (no <c>Id</c> member: Marten would read a type with one as a document).</summary>
    private sealed record OfferRow(string Key, string Cluster, int Devices, long FromTicks, long ToTicks, long UntilTicks);

    private async Task<Dictionary<string, CapacityOffer>> LoadOffersAsync(IQuerySession session, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var offers = new Dictionary<string, CapacityOffer>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return offers;
        }
        var rows = await session.AdvancedSql.QueryAsync<OfferRow>(
            $"select jsonb_build_object('key', id, 'cluster', cluster, 'devices', devices, 'fromTicks', from_ticks, 'toTicks', to_ticks, 'untilTicks', until_ticks) "
            + $"from {Table(CapacityPeriods.Offers)} where id = any(?)",
            ct, [ids.ToArray()]);
        foreach (var r in rows)
        {
            offers[r.Key] = new CapacityOffer(r.Cluster, r.Devices, Instant.FromUnixTimeTicks(r.FromTicks), Instant.FromUnixTimeTicks(r.ToTicks),
                Instant.FromUnixTimeTicks(r.UntilTicks));
        }
        return offers;
    }

    /// <summary>Queues the changed offers (upserts) and the totals' increments, each as one statement.</summary>
    private void Write(IDocumentOperations operations, Dictionary<string, CapacityOffer> changed, CapacityTotals totals)
    {
        if (changed.Count > 0)
        {
            var rows = changed.ToList();
            operations.QueueSqlCommand(
                $"insert into {Table(CapacityPeriods.Offers)} (id, cluster, devices, from_ticks, to_ticks, until_ticks) "
                + "select * from unnest(?::text[], ?::text[], ?::integer[], ?::bigint[], ?::bigint[], ?::bigint[]) "
                + "on conflict (id) do update set devices = excluded.devices, until_ticks = excluded.until_ticks",
                rows.Select(r => r.Key).ToArray(), rows.Select(r => r.Value.Cluster).ToArray(), rows.Select(r => r.Value.Devices).ToArray(),
                rows.Select(r => r.Value.From.ToUnixTimeTicks()).ToArray(), rows.Select(r => r.Value.To.ToUnixTimeTicks()).ToArray(),
                rows.Select(r => r.Value.Until.ToUnixTimeTicks()).ToArray());
        }
        var sums = totals.Changes.ToList();
        if (sums.Count > 0)
        {
            operations.QueueSqlCommand(
                $"insert into {Table(CapacityPeriods.Totals)} as t (period, cluster, offered_device_hours, leased_device_hours) "
                + "select * from unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) "
                + "on conflict (period, cluster) do update set offered_device_hours = t.offered_device_hours + excluded.offered_device_hours, "
                + "leased_device_hours = t.leased_device_hours + excluded.leased_device_hours",
                sums.Select(s => s.Key.Period).ToArray(), sums.Select(s => s.Key.Cluster).ToArray(), sums.Select(s => s.Value.Offered).ToArray(),
                sums.Select(s => s.Value.Leased).ToArray());
        }
    }

    private sealed record Extent(long? From, long? To);

    /// <summary>
    /// Queues the re-cut of every total under <paramref name="calendar"/>: the offers remembered (committed, and those of this
    /// batch queued before) and the leases of every trade counted so far, over the new calendar's periods from the earliest
    /// window start to the latest end. Runs only when the calendar changes, which the platform allows before its first close.
    /// </summary>
    private async Task RecutAsync(IDocumentOperations operations, IQuerySession session, PeriodCalendar calendar, Dictionary<string, CapacityOffer> known,
        long lastTradeSeq, CancellationToken ct)
    {
        var offers = (await session.AdvancedSql.QueryAsync<Extent>(
            $"select jsonb_build_object('from', min(from_ticks), 'to', max(until_ticks)) from {Table(CapacityPeriods.Offers)}", ct)).Single();
        var leases = (await session.AdvancedSql.QueryAsync<Extent>(
            $"select jsonb_build_object('from', min(CAST(d.data ->> 'fromUnixSeconds' as bigint)), 'to', max(CAST(d.data ->> 'toUnixSeconds' as bigint))) "
            + $"from \"{_schema}\".mt_doc_leasedocument d where CAST(d.data ->> 'tradeSeq' as bigint) <= ?", ct, lastTradeSeq)).Single();
        var starts = new List<Instant>();
        var ends = new List<Instant>();
        if (offers.From is { } of && offers.To is { } ot)
        {
            starts.Add(Instant.FromUnixTimeTicks(of));
            ends.Add(Instant.FromUnixTimeTicks(ot));
        }
        if (leases.From is { } lf && leases.To is { } lt)
        {
            starts.Add(Instant.FromUnixTimeSeconds(lf));
            ends.Add(Instant.FromUnixTimeSeconds(lt));
        }
        starts.AddRange(known.Values.Select(o => o.From));
        ends.AddRange(known.Values.Select(o => o.Until));
        operations.QueueSqlCommand($"delete from {Table(CapacityPeriods.Totals)}");
        if (starts.Count == 0 || ends.Max() <= starts.Min())
        {
            return;
        }
        var periods = calendar.Covering(starts.Min(), ends.Max()).ToList();
        const long ticksPerHour = NodaConstants.TicksPerHour;
        operations.QueueSqlCommand(
            $"""
             insert into {Table(CapacityPeriods.Totals)} (period, cluster, offered_device_hours, leased_device_hours)
             select x.period, x.cluster, sum(x.offered)::bigint, sum(x.leased)::bigint from (
               select b.k as period, o.cluster, o.devices::bigint * ((least(o.until_ticks, b.e) - greatest(o.from_ticks, b.s)) / {ticksPerHour}) as offered, 0::bigint as leased
               from {Table(CapacityPeriods.Offers)} o
               join unnest(?::text[], ?::bigint[], ?::bigint[]) as b(k, s, e) on o.from_ticks < b.e and o.until_ticks > b.s and o.until_ticks > o.from_ticks
               union all
               select b.k, l.cluster, 0::bigint, l.devices * ((least(l.to_ticks, b.e) - greatest(l.from_ticks, b.s)) / {ticksPerHour})
               from (
                 select d.data -> 'terms' ->> 'cluster' as cluster, (d.data -> 'terms' ->> 'devices')::bigint as devices,
                        CAST(d.data ->> 'fromUnixSeconds' as bigint) * 10000000 as from_ticks, CAST(d.data ->> 'toUnixSeconds' as bigint) * 10000000 as to_ticks
                 from "{_schema}".mt_doc_leasedocument d where CAST(d.data ->> 'tradeSeq' as bigint) <= ?
               ) l
               join unnest(?::text[], ?::bigint[], ?::bigint[]) as b(k, s, e) on l.from_ticks < b.e and l.to_ticks > b.s
             ) x
             group by x.period, x.cluster
             having sum(x.offered) <> 0 or sum(x.leased) <> 0
             """,
            periods.Select(p => p.Key).ToArray(), periods.Select(p => p.Start.ToUnixTimeTicks()).ToArray(), periods.Select(p => p.End.ToUnixTimeTicks()).ToArray(),
            lastTradeSeq,
            periods.Select(p => p.Key).ToArray(), periods.Select(p => p.Start.ToUnixTimeTicks()).ToArray(), periods.Select(p => p.End.ToUnixTimeTicks()).ToArray());
    }
}

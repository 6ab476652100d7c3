using System.Runtime.CompilerServices;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace ComputeNet.Application.Analytics;

/// <summary>
/// The running total of what one lease delivered in one settlement period (the period its records' intervals start in,
/// <see cref="UsageRecorded.OwnPeriod"/>, as rating and the metering report count them): the period figures of the
/// portal's charts (provider utilisation, carrier traffic, regulator per cluster and flows) add these up instead of
/// every usage record. Id <c>{period}|{leaseId}</c>. Written by <see cref="LeaseUsagePeriodProjection"/> (async).
/// </summary>
public sealed class LeaseUsagePeriod
{
    public string Id { get; set; } = "";
    /// <summary>Indexed with <see cref="Provider"/> and with <see cref="Carrier"/>; alone for the regulator's reads.</summary>
    public string Period { get; set; } = "";
    public string LeaseId { get; set; } = "";
    public string Provider { get; set; } = "";
    /// <summary>The carrier of the lease's route, set once a record with transferred GB names it (null: no data moved).</summary>
    public string? Carrier { get; set; }
    public long Records { get; set; }
    public long DeviceSeconds { get; set; }
    /// <summary>Σ device-seconds × SCU per device of each record (exact); SCU-hours are this ÷ 3600.</summary>
    public decimal ScuDeviceSeconds { get; set; }
    public decimal EnergyKwh { get; set; }
    public decimal GreenKwh { get; set; }
    public decimal TransferGb { get; set; }

    public static string IdOf(string period, string leaseId) => $"{period}|{leaseId}";
}

/// <summary>
/// Folds every <see cref="UsageBatchRecorded"/> into the <see cref="LeaseUsagePeriod"/> of each (own period, lease) it holds
/// records of. A multi-stream projection, so Marten loads each total once per slice of events and applies them in order;
/// a batch's records are grouped once per event object (the identities and each document's evolve read the same grouping).
/// </summary>
public sealed class LeaseUsagePeriodProjection : MultiStreamProjection<LeaseUsagePeriod, string>
{
    private sealed record Sum(string Period, string LeaseId, string? Carrier, long Records, long DeviceSeconds, decimal ScuDeviceSeconds, decimal EnergyKwh,
        decimal GreenKwh, decimal TransferGb);

    private static readonly ConditionalWeakTable<UsageBatchRecorded, IReadOnlyDictionary<string, Sum>> Grouped = new();

    public LeaseUsagePeriodProjection() => Identities<UsageBatchRecorded>(b => GroupsOf(b).Keys.ToList());

    private static IReadOnlyDictionary<string, Sum> GroupsOf(UsageBatchRecorded batch) => Grouped.GetValue(batch, b => b.Records
        .GroupBy(r => LeaseUsagePeriod.IdOf(r.OwnPeriod, r.LeaseId), StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => new Sum(g.First().OwnPeriod, g.First().LeaseId, g.Select(r => r.Carrier).FirstOrDefault(c => c is not null), g.LongCount(),
            g.Sum(r => r.DeviceSeconds), g.Sum(r => r.DeviceSeconds * r.ScuPerDevice), g.Sum(r => r.EnergyKwh), g.Sum(r => r.GreenKwh), g.Sum(r => r.TransferGb)),
            StringComparer.Ordinal));

    public override LeaseUsagePeriod? Evolve(LeaseUsagePeriod? snapshot, string id, IEvent e)
    {
        if (e.Data is not UsageBatchRecorded batch || !GroupsOf(batch).TryGetValue(id, out var sum))
        {
            return snapshot;
        }
        snapshot ??= new LeaseUsagePeriod { Id = id, Period = sum.Period, LeaseId = sum.LeaseId, Provider = batch.Provider };
        snapshot.Carrier ??= sum.Carrier;
        snapshot.Records += sum.Records;
        snapshot.DeviceSeconds += sum.DeviceSeconds;
        snapshot.ScuDeviceSeconds += sum.ScuDeviceSeconds;
        snapshot.EnergyKwh += sum.EnergyKwh;
        snapshot.GreenKwh += sum.GreenKwh;
        snapshot.TransferGb += sum.TransferGb;
        return snapshot;
    }
}

/// <summary>
/// One transport line a close issued (the carrier's revenue on one lease's route in one period): what a carrier's traffic
/// and revenue per route and period read, by (carrier, period) index, instead of every buyer's invoice. Id
/// <c>{period}.{buyer}.{lineNo}</c>; <see cref="Period"/> is the period that received the line (late lines included).
/// </summary>
public sealed class TransportLineDocument
{
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string Carrier { get; set; } = "";
    public string LeaseId { get; set; } = "";
    public bool Late { get; set; }
    public decimal Gb { get; set; }
    public long AmountFen { get; set; }
    public long FeeFen { get; set; }
}

/// <summary>One voucher's lapse (a voucher lapses once): what returned to its programme's budget, in the period whose close lapsed it.</summary>
public sealed class VoucherLapseDocument
{
    /// <summary>The grant id.</summary>
    public string Id { get; set; } = "";
    public string ProgrammeId { get; set; } = "";
    public string Period { get; set; } = "";
    public long AmountFen { get; set; }
}

/// <summary>
/// Writes <see cref="TransportLineDocument"/>s from the transport lines of <see cref="InvoiceIssued"/> and
/// <see cref="VoucherLapseDocument"/>s from the programme streams' <see cref="VoucherLapsed"/>. Only new documents, each
/// under an id its event fixes, so the daemon and a rebuild write the same.
/// </summary>
public sealed partial class AnalyticsDocumentsProjection : EventProjection
{
    public AnalyticsDocumentsProjection()
    {
        IncludeType<InvoiceIssued>();
        IncludeType<VoucherLapsed>();
        RegisterPublishedType(typeof(TransportLineDocument));
        RegisterPublishedType(typeof(VoucherLapseDocument));
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        switch (e.Data)
        {
            case InvoiceIssued i:
                foreach (var l in i.Lines.Where(l => l.Kind == LineKinds.Transport))
                {
                    operations.Store(new TransportLineDocument
                    {
                        Id = $"{i.Period}.{i.Buyer}.{l.LineNo}", Period = i.Period, Carrier = l.Earner, LeaseId = l.LeaseId, Late = l.Late, Gb = l.Quantity,
                        AmountFen = l.AmountFen, FeeFen = l.FeeFen,
                    });
                }
                break;
            case VoucherLapsed l when Vouchers.VoucherProjections.IsProgrammeStream(e.StreamKey):
                operations.Store(new VoucherLapseDocument { Id = l.GrantId, ProgrammeId = l.ProgrammeId, Period = l.Period, AmountFen = l.AmountFen });
                break;
        }
        return ValueTask.CompletedTask;
    }
}

public static class AnalyticsProjections
{
    /// <summary>The async projections of the portal's reads (listed in <see cref="Infrastructure.AsyncReadModels.Projections"/>).</summary>
    public static readonly Type[] Async = [typeof(LeaseUsagePeriodProjection), typeof(AnalyticsDocumentsProjection), typeof(CapacityPeriodProjection)];

    public static void Configure(StoreOptions opts)
    {
        opts.Schema.For<LeaseUsagePeriod>()
            .Index([x => x.Provider, x => x.Period])
            .Index(x => x.Period)
            .Index([x => x.Carrier!, x => x.Period], i => i.Predicate = "(data ->> 'carrier') is not null");
        opts.Schema.For<TransportLineDocument>().Index([x => x.Carrier, x => x.Period]).Index(x => x.Period);
        opts.Schema.For<VoucherLapseDocument>().Index([x => x.ProgrammeId, x => x.Period]);
        // The reads' windows: a provider's offers and leases overlapping a range, by their party and window end.
        // (Created by Market.OrderIndexes at start: Marten would rebuild a partial index on this expression at every start.)
        opts.Schema.For<Market.OrderDocument>().IgnoreIndex(Market.OrderIndexes.PartyOfferWindowEnd);
        opts.Schema.For<Metering.LeaseDocument>().Index([x => x.Provider, x => x.ToUnixSeconds]);
        opts.Projections.Add(new LeaseUsagePeriodProjection(), ProjectionLifecycle.Async);
        opts.Projections.Add(new AnalyticsDocumentsProjection(), ProjectionLifecycle.Async);
        // Offered and leased device-hours per (period, cluster): the regional report's capacity figures (ADR 0029).
        var schema = opts.DatabaseSchemaName;
        opts.Storage.ExtendedSchemaObjects.Add(CapacityPeriods.TotalsTable(schema));
        opts.Storage.ExtendedSchemaObjects.Add(CapacityPeriods.OffersTable(schema));
        opts.Storage.ExtendedSchemaObjects.Add(CapacityPeriods.StateTable(schema));
        opts.Projections.Add(new CapacityPeriodProjection(schema), ProjectionLifecycle.Async);
    }
}

using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Reports;

/// <summary>
/// What was delivered in one cluster (or hub, or the platform) in a period, and how much of what was offered was
/// leased: in device-hours (the policy's plain measure) and weighted by SCU per device, which is the fair measure
/// wherever different device classes are summed (a vCPU-hour and an accelerator-hour are not the same capacity).
/// </summary>
public sealed record DeliveryFigures(
    string Id,
    string Name,
    decimal ScuHours,
    decimal EnergyKwh,
    decimal GreenKwh,
    decimal? GreenShare,
    long OfferedDeviceHours,
    long LeasedDeviceHours,
    decimal? Utilisation,
    decimal OfferedScuHours,
    decimal LeasedScuHours,
    decimal? ScuUtilisation);

/// <summary>
/// The unified-metering report of a period (issue 5 §4): delivery, energy and green share per cluster and hub;
/// utilisation (leased ÷ offered device-hours) beside the platform-wide figure, the policy's yardstick; and the
/// east→west flow: SCU-hours bought in resource-hub clusters by buyers whose registered city is in the east.
/// </summary>
public sealed record MeteringReport(
    string Period,
    IReadOnlyList<DeliveryFigures> Clusters,
    IReadOnlyList<DeliveryFigures> Hubs,
    DeliveryFigures Platform,
    decimal EastToWestScuHours,
    decimal EastToWestShare);

/// <summary>An offer as the report sees it: where, how many devices over which window, and until when it stood.</summary>
public sealed record OfferedCapacity(string Cluster, int Devices, decimal ScuPerDevice, Instant From, Instant To, Instant? CancelledAt);

public static class MeteringReports
{
    /// <summary>
    /// Computes the report. Usage counts in the period its interval starts in (as rating does); offered and leased
    /// device-hours count the hours of each window inside the period (an offer stops counting when cancelled).
    /// Ratios are rounded half away from zero to 4 places, SCU-hours to 6 — for reading, never for money.
    /// </summary>
    public static MeteringReport Compute(
        SettlementPeriod period,
        Catalogue catalogue,
        IReadOnlyList<Party> parties,
        IReadOnlyList<LeaseTerms> leases,
        IReadOnlyList<UsageRecorded> records,
        IReadOnlyList<OfferedCapacity> offers)
    {
        var leaseById = leases.ToDictionary(l => l.LeaseId);
        var cityOf = parties.ToDictionary(p => p.Id, p => p.City);

        var byCluster = catalogue.Clusters.ToDictionary(c => c.Id, _ => new Accumulator());
        var eastToWest = new Accumulator();
        foreach (var r in records.Where(r => r.From >= period.Start && r.From < period.End))
        {
            if (!leaseById.TryGetValue(r.LeaseId, out var lease) || !byCluster.TryGetValue(lease.Cluster, out var acc))
            {
                continue;
            }
            acc.Add(r);
            var hub = catalogue.Hub(lease.Hub);
            var buyerCity = cityOf.GetValueOrDefault(lease.Buyer) is { } c ? catalogue.City(c) : null;
            if (hub?.Kind == HubKind.Resource && buyerCity?.Side == CitySide.East)
            {
                eastToWest.Add(r);
            }
        }
        foreach (var o in offers)
        {
            if (byCluster.TryGetValue(o.Cluster, out var acc))
            {
                var until = o.CancelledAt is { } cancelled ? Instant.Min(o.To, cancelled) : o.To;
                var deviceHours = o.Devices * HoursInside(o.From, until, period);
                acc.OfferedDeviceHours += deviceHours;
                acc.OfferedScuHours += deviceHours * o.ScuPerDevice;
            }
        }
        foreach (var l in leases)
        {
            if (byCluster.TryGetValue(l.Cluster, out var acc))
            {
                var deviceHours = l.Devices * HoursInside(l.From, l.To, period);
                acc.LeasedDeviceHours += deviceHours;
                acc.LeasedScuHours += deviceHours * l.ScuPerDevice;
            }
        }

        var clusters = catalogue.Clusters.OrderBy(c => c.HubId, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal)
            .Select(c => byCluster[c.Id].Figures(c.Id, c.Name)).ToList();
        var hubs = catalogue.Hubs.OrderBy(h => h.Kind).ThenBy(h => h.Id, StringComparer.Ordinal)
            .Select(h => Accumulator.Sum(catalogue.Clusters.Where(c => c.HubId == h.Id).Select(c => byCluster[c.Id])).Figures(h.Id, h.Name))
            .ToList();
        var platform = Accumulator.Sum(byCluster.Values);
        var platformFigures = platform.Figures("platform", "全国 platform-wide");
        return new MeteringReport(period.Key, clusters, hubs, platformFigures, Round(eastToWest.ScuHours, 6),
            platform.ScuHours == 0 ? 0 : Round(eastToWest.ScuHours / platform.ScuHours, 4));
    }

    /// <summary>
    /// The whole hours (floor) of <c>[from, to)</c> inside <paramref name="period"/>, 0 when they do not overlap: how an offer
    /// or a lease counts in a period (here and in the running totals of <see cref="CapacityTotals"/>).
    /// </summary>
    public static long HoursInside(Instant from, Instant to, SettlementPeriod period)
    {
        var start = Instant.Max(from, period.Start);
        var end = Instant.Min(to, period.End);
        return end > start ? (long)(end - start).TotalHours : 0;
    }

    private static decimal Round(decimal value, int places) => Math.Round(value, places, MidpointRounding.AwayFromZero);

    private sealed class Accumulator
    {
        public decimal ScuHours;
        public decimal EnergyKwh;
        public decimal GreenKwh;
        public long OfferedDeviceHours;
        public long LeasedDeviceHours;
        public decimal OfferedScuHours;
        public decimal LeasedScuHours;

        public void Add(UsageRecorded r)
        {
            ScuHours += r.DeviceSeconds * r.ScuPerDevice / 3600m;
            EnergyKwh += r.EnergyKwh;
            GreenKwh += r.GreenKwh;
        }

        public static Accumulator Sum(IEnumerable<Accumulator> parts)
        {
            var total = new Accumulator();
            foreach (var p in parts)
            {
                total.ScuHours += p.ScuHours;
                total.EnergyKwh += p.EnergyKwh;
                total.GreenKwh += p.GreenKwh;
                total.OfferedDeviceHours += p.OfferedDeviceHours;
                total.LeasedDeviceHours += p.LeasedDeviceHours;
                total.OfferedScuHours += p.OfferedScuHours;
                total.LeasedScuHours += p.LeasedScuHours;
            }
            return total;
        }

        public DeliveryFigures Figures(string id, string name) => new(id, name, Round(ScuHours, 6), EnergyKwh, GreenKwh,
            EnergyKwh == 0 ? null : Round(GreenKwh / EnergyKwh, 4), OfferedDeviceHours, LeasedDeviceHours,
            OfferedDeviceHours == 0 ? null : Round((decimal)LeasedDeviceHours / OfferedDeviceHours, 4),
            Round(OfferedScuHours, 6), Round(LeasedScuHours, 6), OfferedScuHours == 0 ? null : Round(LeasedScuHours / OfferedScuHours, 4));
    }
}

using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Reports;

/// <summary>
/// What the running capacity totals remember of one offer: its cluster, its devices now (after any reduce), its window, and
/// until when it stood (<see cref="To"/>, or the cancel time if earlier).
/// </summary>
public sealed record CapacityOffer(string Cluster, int Devices, Instant From, Instant To, Instant Until);

/// <summary>
/// Offered and leased device-hours per (settlement period, cluster), kept as running totals from the market's events instead
/// of summed over every offer and lease at read time. Each event adds its change: a listing its devices × the whole hours of
/// its window inside each period; a reduce (new − old devices) × the same hours; a cancel takes out the devices × the hours
/// its window loses in each period (whole hours are counted per period, so a cancel at 10:30 keeps 10 of the period's
/// hours, as <see cref="MeteringReports.HoursInside"/> counts them); a trade adds its lease's devices × hours. The sums of
/// these changes are exactly what <see cref="MeteringReports.Compute"/> counts from the offers' and leases' final state.
/// Pure: the caller keeps each offer's <see cref="CapacityOffer"/> and stores the <see cref="Changes"/>.
/// </summary>
public sealed class CapacityTotals(PeriodCalendar calendar)
{
    private readonly Dictionary<(string Period, string Cluster), (long Offered, long Leased)> _changes = new();

    public PeriodCalendar Calendar { get; } = calendar;

    /// <summary>The changes so far per (period key, cluster); entries whose both changes are 0 are left out.</summary>
    public IEnumerable<KeyValuePair<(string Period, string Cluster), (long Offered, long Leased)>> Changes =>
        _changes.Where(c => c.Value.Offered != 0 || c.Value.Leased != 0);

    /// <summary>An offer entered the book: it stands over its whole window.</summary>
    public CapacityOffer Listed(OfferListed o)
    {
        var offer = new CapacityOffer(o.Cluster, o.Devices, o.From, o.To, o.To);
        AddOffered(offer, offer.Until, o.Devices);
        return offer;
    }

    /// <summary>An offer's devices became <paramref name="devices"/>: the difference over the hours it stands.</summary>
    public CapacityOffer Reduced(CapacityOffer offer, int devices)
    {
        AddOffered(offer, offer.Until, (long)devices - offer.Devices);
        return offer with { Devices = devices };
    }

    /// <summary>An offer was cancelled at <paramref name="at"/>: the hours it no longer stands, in each period, leave.</summary>
    public CapacityOffer Cancelled(CapacityOffer offer, Instant at)
    {
        var until = Instant.Min(offer.Until, at);
        if (until == offer.Until)
        {
            return offer;
        }
        foreach (var p in Periods(offer.From, offer.Until))
        {
            var lost = MeteringReports.HoursInside(offer.From, offer.Until, p) - MeteringReports.HoursInside(offer.From, until, p);
            Add(p.Key, offer.Cluster, -offer.Devices * lost, 0);
        }
        return offer with { Until = until };
    }

    /// <summary>A trade: its lease's devices over the whole hours of the lease's window in each period.</summary>
    public void Leased(LeaseTerms lease)
    {
        foreach (var p in Periods(lease.From, lease.To))
        {
            Add(p.Key, lease.Cluster, 0, lease.Devices * MeteringReports.HoursInside(lease.From, lease.To, p));
        }
    }

    private void AddOffered(CapacityOffer offer, Instant until, long devices)
    {
        if (devices == 0)
        {
            return;
        }
        foreach (var p in Periods(offer.From, until))
        {
            Add(p.Key, offer.Cluster, devices * MeteringReports.HoursInside(offer.From, until, p), 0);
        }
    }

    /// <summary>
    /// The periods of the calendar that <c>[from, to)</c> overlaps (none when it is empty; those the calendar can name when a
    /// window reaches past its last day, 9999-12-31, so that a stored event never stops the totals).
    /// </summary>
    private List<SettlementPeriod> Periods(Instant from, Instant to)
    {
        var periods = new List<SettlementPeriod>();
        if (to <= from)
        {
            return periods;
        }
        try
        {
            for (var p = Calendar.PeriodOf(from); p.Start < to; p = Calendar.Next(p))
            {
                periods.Add(p);
            }
        }
        catch (RejectedException)
        {
            // Past the calendar's last period: no period holds the rest.
        }
        return periods;
    }

    private void Add(string period, string cluster, long offered, long leased)
    {
        if (offered == 0 && leased == 0)
        {
            return;
        }
        var (o, l) = _changes.GetValueOrDefault((period, cluster));
        _changes[(period, cluster)] = (o + offered, l + leased);
    }
}

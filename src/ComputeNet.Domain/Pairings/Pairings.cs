using ComputeNet.Domain.Reference;
using NodaTime;

namespace ComputeNet.Domain.Pairings;

/// <summary>
/// Event: a pairing agreement (结对子) between a demand region (a set of cities) and a supply hub, splitting the
/// platform fee of qualifying compute lines between platform, demand region and supply region by weights.
/// Validity <c>[ValidFrom, ValidTo)</c>; null bounds are open.
/// </summary>
public sealed record PairingAgreed(
    string PairingId, string DemandRegion, IReadOnlyList<string> DemandCities, string SupplyHub,
    int PlatformWeight, int DemandWeight, int SupplyWeight, Instant? ValidFrom, Instant? ValidTo, Instant At);

/// <summary>Event: an agreement was ended at <see cref="EndAt"/> (its successor may start from that instant).</summary>
public sealed record PairingEnded(string PairingId, Instant EndAt, Instant At);

/// <summary>
/// Every pairing agreement. Invariant: no two agreements cover the same city–hub pair for overlapping validities
/// (market-rules §8), so at most one applies to any line.
/// </summary>
public sealed class PairingBook
{
    private readonly Dictionary<string, PairingAgreed> _pairings = new(StringComparer.Ordinal);

    public IReadOnlyCollection<PairingAgreed> Pairings => _pairings.Values;

    public IReadOnlyList<object> Decide(PairingAgreed proposed, Catalogue catalogue)
    {
        if (string.IsNullOrWhiteSpace(proposed.PairingId) || proposed.PairingId.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a pairing needs an id of at most 64 characters", "id");
        }
        if (_pairings.TryGetValue(proposed.PairingId, out var existing))
        {
            return Same(existing, proposed) ? [] : throw RejectedException.Of(Codes.IdReused, $"pairing '{proposed.PairingId}' exists with other terms", "id");
        }
        if (string.IsNullOrWhiteSpace(proposed.DemandRegion) || proposed.DemandRegion.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a pairing names its demand region", "demandRegion");
        }
        if (proposed.DemandCities.Count == 0 || proposed.DemandCities.Any(c => catalogue.City(c) is null))
        {
            throw RejectedException.Of(Codes.Invalid, "a pairing's demand region lists known cities", "demandCities");
        }
        if (catalogue.Hub(proposed.SupplyHub) is null)
        {
            throw RejectedException.Of(Codes.Invalid, $"unknown hub '{proposed.SupplyHub}'", "supplyHub");
        }
        if (proposed.PlatformWeight < 0 || proposed.DemandWeight < 0 || proposed.SupplyWeight < 0
            || proposed.PlatformWeight + proposed.DemandWeight + proposed.SupplyWeight == 0)
        {
            throw RejectedException.Of(Codes.Invalid, "weights are whole numbers ≥ 0, not all 0", "weights");
        }
        if (proposed.ValidFrom is { } f && proposed.ValidTo is { } t && t <= f)
        {
            throw RejectedException.Of(Codes.Invalid, "the validity must end after it starts", "validTo");
        }
        if (_pairings.Values.FirstOrDefault(p => Overlaps(p, proposed)) is { } other)
        {
            throw RejectedException.Of(Codes.OverlappingPairing, $"pairing '{other.PairingId}' already covers a city–hub pair of this one for an overlapping validity", "id");
        }
        return [proposed];
    }

    public IReadOnlyList<object> Decide(PairingEnded end)
    {
        var p = _pairings.GetValueOrDefault(end.PairingId) ?? throw RejectedException.Of(Codes.Invalid, $"no pairing '{end.PairingId}'", "id");
        if (p.ValidFrom is { } from && end.EndAt <= from)
        {
            throw RejectedException.Of(Codes.Invalid, "an agreement ends after it starts", "endAt");
        }
        return p.ValidTo is { } to && to <= end.EndAt ? [] : [end];
    }

    /// <summary>The agreement whose validity contains the period start and which covers the line's bid city and the lease's hub.</summary>
    public PairingAgreed? For(string bidCity, string hub, Instant periodStart) =>
        _pairings.Values.FirstOrDefault(p => p.SupplyHub == hub && p.DemandCities.Contains(bidCity)
            && (p.ValidFrom is null || p.ValidFrom <= periodStart) && (p.ValidTo is null || periodStart < p.ValidTo));

    public void Evolve(object e)
    {
        switch (e)
        {
            case PairingAgreed p:
                _pairings[p.PairingId] = p;
                break;
            case PairingEnded end:
                _pairings[end.PairingId] = _pairings[end.PairingId] with { ValidTo = end.EndAt };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown pairing event");
        }
    }

    private static bool Overlaps(PairingAgreed a, PairingAgreed b) =>
        a.SupplyHub == b.SupplyHub && a.DemandCities.Intersect(b.DemandCities).Any()
        && (a.ValidTo is null || b.ValidFrom is null || b.ValidFrom < a.ValidTo)
        && (b.ValidTo is null || a.ValidFrom is null || a.ValidFrom < b.ValidTo);

    private static bool Same(PairingAgreed a, PairingAgreed b) =>
        a.DemandRegion == b.DemandRegion && a.DemandCities.Order().SequenceEqual(b.DemandCities.Order()) && a.SupplyHub == b.SupplyHub
        && a.PlatformWeight == b.PlatformWeight && a.DemandWeight == b.DemandWeight && a.SupplyWeight == b.SupplyWeight
        && a.ValidFrom == b.ValidFrom && a.ValidTo == b.ValidTo;
}
